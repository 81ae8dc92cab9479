// Runs several child processes as one unit (`order-service all`, `npm start`): their output
// prefixed with their name (and copied to <logDir>/<name>.log), SIGINT/SIGTERM forwarded
// and waited for, and when one exits on its own the others are stopped. Plain Node.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const describeExit = (code, signal) => (signal ? `signal ${signal}` : `code ${code}`);

/**
 * @param {{ name: string, command: string, args: string[] }[]} specs
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, logDir?: string, graceMs?: number, out?: NodeJS.WritableStream, handleSignals?: boolean }} [opts]
 * @returns {{ exited: Promise<number>, stop(signal?: NodeJS.Signals): void, running(): string[] }}
 *   `exited` resolves with 0 when every child stopped cleanly after a requested stop, else non-zero.
 */
export function supervise(specs, opts = {}) {
  const { env = process.env, cwd = process.cwd(), logDir, graceMs = 30_000, out = process.stdout, handleSignals = true } = opts;
  const width = Math.max('supervisor'.length, ...specs.map((s) => s.name.length));
  const say = (msg) => out.write(`${'supervisor'.padEnd(width)} | ${msg}\n`);
  if (logDir) mkdirSync(logDir, { recursive: true });

  const children = new Map();
  let stopRequested = false;
  let failure = 0;

  function stop(signal = 'SIGTERM') {
    if (stopRequested) return;
    stopRequested = true;
    if (children.size > 0) say(`stopping ${[...children.keys()].join(', ')} (${signal})…`);
    for (const [name, child] of children) {
      child.kill(signal);
      // A child that does not finish its shutdown in time is killed: the stop must end.
      setTimeout(() => {
        if (!children.has(name)) return;
        say(`${name} still running ${graceMs / 1000} s after ${signal}: killing it`);
        failure ||= 1;
        child.kill('SIGKILL');
      }, graceMs).unref();
    }
  }

  const onSignal = (signal) => stop(signal);
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  const exits = specs.map(
    (spec) =>
      new Promise((resolve) => {
        const prefix = `${spec.name.padEnd(width)} |`;
        const log = logDir ? createWriteStream(join(logDir, `${spec.name}.log`), { flags: 'w' }) : null;
        const child = spawn(spec.command, spec.args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        children.set(spec.name, child);
        for (const stream of [child.stdout, child.stderr]) {
          createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
            out.write(`${prefix} ${line}\n`);
            log?.write(`${line}\n`);
          });
        }
        child.on('error', (err) => say(`${spec.name} could not start: ${err.message}`));
        // 'close' comes after the child's output is drained, so its last lines are printed first.
        child.on('close', (code, signal) => {
          children.delete(spec.name);
          const stoppedByUs = stopRequested && (code === 0 || signal !== null);
          if (!stoppedByUs) {
            failure ||= code || 1;
            if (!stopRequested) say(`${spec.name} exited on its own (${describeExit(code, signal)}): stopping the others`);
            else say(`${spec.name} did not stop cleanly (${describeExit(code, signal)})`);
            stop('SIGTERM');
          } else {
            say(`${spec.name} stopped`);
          }
          // Resolve once the log file is complete, so a caller can read it right away.
          if (log) log.end(resolve);
          else resolve();
        });
      }),
  );

  const exited = Promise.all(exits).then(() => {
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return failure;
  });
  return { exited, stop, running: () => [...children.keys()] };
}
