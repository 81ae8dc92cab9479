// Kafka's own producer benchmark (org.apache.kafka.tools.ProducerPerformance, from the
// stack's Kafka jars) on a fresh topic of the same broker: the produce-path ceiling.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface ProducerPerfResult {
  records: number;
  recordSize: number;
  recordsPerSecond: number;
  latencyMs: { avg: number; p50: number; p99: number; max: number };
  props: string[];
}

async function kafkaLibsDir(): Promise<string> {
  const provision = fileURLToPath(new URL('../stack/provision.mjs', import.meta.url));
  const mod = (await import(provision)) as { kafkaLibs(): string };
  return mod.kafkaLibs();
}

/** Runs ProducerPerformance with the edge's producer settings (idempotent, acks=all, linger 1 ms). */
export async function producerPerformance(brokers: string, topic: string, records: number, recordSize: number): Promise<ProducerPerfResult> {
  const libs = await kafkaLibsDir();
  const props = [`bootstrap.servers=${brokers}`, 'acks=all', 'enable.idempotence=true', 'linger.ms=1'];
  const { stdout } = await promisify(execFile)(
    'java',
    ['-Xmx512m', '-cp', join(libs, '*'), 'org.apache.kafka.tools.ProducerPerformance', '--topic', topic, '--num-records', String(records), '--record-size', String(recordSize), '--throughput', '-1', '--producer-props', ...props],
    { maxBuffer: 16 << 20 },
  );
  // Last line: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th."
  const m = /(\d+) records sent, ([\d.]+) records\/sec .*?, ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(stdout);
  if (!m) throw new Error(`ProducerPerformance printed no summary:\n${stdout.slice(-2000)}`);
  return {
    records: Number(m[1]),
    recordSize,
    recordsPerSecond: Math.round(Number(m[2])),
    latencyMs: { avg: Number(m[3]), p50: Number(m[5]), p99: Number(m[6]), max: Number(m[4]) },
    props: props.slice(1),
  };
}
