// The edge and one processor as two supervised child processes, and the URLs that say
// they are ready. Shared by `order-service all` and `npm start`.
import { fileURLToPath } from 'node:url';
import { appRoot } from './service-modules.mjs';
import { supervise } from './supervisor.mjs';

const binPath = fileURLToPath(new URL('../order-service.mjs', import.meta.url));

/** Why this configuration cannot be supervised with readiness checks, or null. */
function unsupervisablePorts(config) {
  return config.port === 0 || config.processorPort === 0
    ? 'PORT and PROCESSOR_PORT must be fixed ports here: with 0 the system picks one and the readiness checks cannot find it'
    : null;
}

/**
 * The configuration for a supervised edge + processor, or exit 2 with one line per
 * problem (as the entries themselves do). `configModule` is src/shared/config.
 */
export function supervisedConfigOrExit({ loadConfig, ConfigError }, env) {
  try {
    const config = loadConfig(env);
    const problem = unsupervisablePorts(config);
    if (problem) throw new ConfigError([problem]);
    return config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

/** What runs where, from the loaded configuration (src/shared/config.ts). */
export function serviceUrls(config) {
  const edge = `http://127.0.0.1:${config.port}`;
  const processor = `http://127.0.0.1:${config.processorPort}`;
  return { edge, processor, readiness: [`${edge}/ready`, `${processor}/ready`] };
}

/**
 * Starts `order-service edge` and `order-service processor` under one supervisor.
 * `ready` resolves true once both answer /ready, false if they stopped first.
 */
export function startEdgeAndProcessor(env, config, opts = {}) {
  const services = supervise(
    ['edge', 'processor'].map((name) => ({ name, command: process.execPath, args: [binPath, name] })),
    { env, cwd: appRoot, ...opts },
  );
  let ended = false;
  void services.exited.then(() => (ended = true));
  return { ...services, ready: untilReady(serviceUrls(config).readiness, () => ended) };
}

/**
 * Polls each URL until it answers 200. Resolves false when `gaveUp()` turns true first
 * (e.g. a supervised child died), so the caller never waits on a dead process. Says
 * every 15 s what it still waits for (a server that never gets ready is visible).
 */
async function untilReady(urls, gaveUp, pollMs = 250, report = (msg) => process.stderr.write(`${msg}\n`)) {
  const pending = new Set(urls);
  const started = Date.now();
  let reportedAt = started;
  while (pending.size > 0) {
    if (gaveUp()) return false;
    if (Date.now() - reportedAt >= 15_000) {
      reportedAt = Date.now();
      report(`still waiting (${Math.round((reportedAt - started) / 1000)} s) for ${[...pending].join(', ')}`);
    }
    for (const url of pending) {
      const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
      if (ok) pending.delete(url);
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, pollMs));
  }
  return true;
}
