// Endpoints of the servers a benchmark runs against: the three STACK variables when all
// are set, otherwise the local stack, started (or reused — `up` keeps running servers and
// never stops anything) by `node stack/cli.mjs up`, which prints them on stdout.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface StackEndpoints {
  KAFKA_BROKERS: string;
  SCHEMA_REGISTRY_URL: string;
  MONGODB_URI: string;
}

const VARS = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'MONGODB_URI'] as const;

export async function stackEndpoints(): Promise<StackEndpoints> {
  if (VARS.every((v) => process.env[v])) return Object.fromEntries(VARS.map((v) => [v, process.env[v]!])) as unknown as StackEndpoints;
  const cli = fileURLToPath(new URL('../stack/cli.mjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'up'], { maxBuffer: 1 << 20 });
  const found = Object.fromEntries([...stdout.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  const missing = VARS.filter((v) => !found[v]);
  if (missing.length > 0) throw new Error(`stack up printed no ${missing.join(', ')}:\n${stdout}`);
  return Object.fromEntries(VARS.map((v) => [v, found[v]!])) as unknown as StackEndpoints;
}
