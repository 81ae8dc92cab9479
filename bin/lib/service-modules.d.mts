// Types for bin/lib/service-modules.mjs (plain Node), used by tests.
export const appRoot: string;
export function moduleSource(module: string, root?: string): { path: string; via: 'dist' | 'tsx' } | null;
export function importServiceModule(module: string): Promise<Record<string, unknown>>;
