// What the numbers were measured on: cores, memory, load, versions of every server.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { mongoServerName } from './processor-measure.js';

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverageAtStart: number[];
  os: string;
  node: string;
  java: string;
  kafka: string;
  registry: string;
  mongo: string;
}

export async function machineFacts(mongodbUri: string): Promise<MachineFacts> {
  const stackConfig = fileURLToPath(new URL('../stack/config.mjs', import.meta.url));
  const { versions } = (await import(stackConfig)) as { versions: Record<string, string> };
  // `java -version` writes to stderr.
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const java = `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n')[0] || 'unknown';
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java,
    kafka: `Apache Kafka ${versions.kafka ?? '?'} (KRaft, one node)`,
    registry: `Apicurio Registry ${versions.apicurio ?? '?'}`,
    mongo: `${await mongoServerName(mongodbUri)}; the stack pins FerretDB ${versions.ferretdb ?? '?'}`,
  };
}

/** The 1-, 5- and 15-minute load averages now (/proc/loadavg; os.loadavg() elsewhere). */
export function loadAverage(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return os.loadavg().map((l) => Number(l.toFixed(2)));
  }
}

/** The machine's load around one measurement: load averages at its start and end. */
export interface StepLoad {
  start: number[];
  end: number[];
}

/** Runs `fn` and returns its result with the load averages before and after it. */
export async function withLoad<T>(fn: () => Promise<T>): Promise<T & { machineLoad: StepLoad }> {
  const start = loadAverage();
  const result = await fn();
  return { ...result, machineLoad: { start, end: loadAverage() } };
}
