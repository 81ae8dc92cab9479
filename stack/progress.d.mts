// Types for stack/progress.mjs (plain Node), used by tests.
export function heartbeatMs(): number;
export function step<T>(label: string, estimate: string | undefined, fn: () => T): T;
