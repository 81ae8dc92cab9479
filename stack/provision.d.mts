// Types for the stack tooling used by tests and benchmarks (the tooling itself is plain
// Node so it runs before node_modules exist).
export function kafkaLibs(): string;
export function apicurioApp(): string;
export function ferretdbBinary(): string;
export function helmBinary(): string;
export function chartValidator(): string;
export function cached(name: string, what: string, build: (tmpDir: string) => void): string;
