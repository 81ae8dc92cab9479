// What every process entry (edge, processor) does the same way: configuration that
// fails fast with one line per problem, and a clean stop on SIGTERM/SIGINT.
import { ConfigError, loadConfig, type Config } from './config.js';
import type { Logger } from './logger.js';

/** The configuration, or exit 2 with the list of problems. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * Runs `stop` once on the first SIGTERM/SIGINT, then exits 0; exits 1 if stopping takes
 * longer than `graceMs`. `isStopping()` lets background loops give up early.
 */
export function onShutdown(logger: Logger, what: string, stop: () => Promise<void>, graceMs = 30_000): { isStopping(): boolean } {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `stopping the ${what}`);
    setTimeout(() => process.exit(1), graceMs).unref();
    await stop();
    logger.info(`${what} stopped`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return { isStopping: () => stopping };
}

/** Entry-point wrapper: an error during start-up is printed with its stack, exit 1. */
export function runMain(what: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${what} failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
