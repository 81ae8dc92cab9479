// Progress of long first-run steps (downloads, builds, npm ci): a line before, a
// "still working (35 s)…" heartbeat while it runs, the elapsed time after.
import { spawn } from 'node:child_process';
import { log } from './log.mjs';

// The steps block this process (spawnSync), so its own timers cannot fire: the heartbeat
// is a tiny separate Node process that also ends when its parent is gone.
const HEARTBEAT = `
const [every, started, label] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
const parent = process.ppid;
setInterval(() => {
  try { process.kill(parent, 0); } catch { process.exit(0); }
  process.stderr.write('[stack] ' + label + ': still working (' + Math.round((Date.now() - started) / 1000) + ' s)…\\n');
}, every);
`;

export const heartbeatMs = () => Number(process.env.STACK_HEARTBEAT_MS) || 15_000;

/** Runs the synchronous `fn` as one announced step and returns what it returns. */
export function step(label, estimate, fn) {
  log(`${label}${estimate ? ` (${estimate})` : ''}…`);
  const started = Date.now();
  const beat = spawn(process.execPath, ['-e', HEARTBEAT, String(heartbeatMs()), String(started), label], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const result = fn();
    log(`${label}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return result;
  } finally {
    beat.kill();
  }
}
