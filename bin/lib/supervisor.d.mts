// Types for the plain-Node supervisor (bin/lib/supervisor.mjs), used by tests.
export interface SupervisedChild {
  name: string;
  command: string;
  args: string[];
}
export interface SuperviseOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logDir?: string;
  graceMs?: number;
  out?: NodeJS.WritableStream;
  handleSignals?: boolean;
}
export interface Supervision {
  /** 0 when every child stopped cleanly after a requested stop, else non-zero. */
  exited: Promise<number>;
  stop(signal?: NodeJS.Signals): void;
  running(): string[];
}
export function supervise(specs: SupervisedChild[], opts?: SuperviseOptions): Supervision;
