// Progress lines of the stack tooling go to stderr so stdout stays machine-readable
// (`stack:up` prints the endpoint line on stdout).
export const log = (msg) => process.stderr.write(`[stack] ${msg}\n`);
