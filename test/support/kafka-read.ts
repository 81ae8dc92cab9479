// Reads a topic back for assertions in integration tests.
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Kafka } from '../../src/shared/kafka.js';
import { recordFindings } from './asyncapi-contract.js';
import { uniqueName } from './stack-env.js';

export interface Seen {
  key: string;
  value: Buffer;
  partition: number;
  offset: string;
  /** The first value of each header name. */
  headers: Record<string, string>;
  /** Every value of each header name, in record order (a name may repeat). */
  allHeaders: Record<string, string[]>;
}

/**
 * Reads `topic` from the beginning with a fresh group until at least `count` records
 * arrived and nothing more came for `idleMs` (so surplus records are caught too).
 * Records of the service's own topics are checked against docs/asyncapi.yaml: a record
 * that disagrees fails the read; `registryUrl`: where their writer schemas are (default:
 * the shared stack's registry).
 */
export async function consumeAll(
  kafka: Kafka,
  topic: string,
  count: number,
  isolation: 'read_committed' | 'read_uncommitted',
  idleMs = 3000,
  timeoutMs = 60_000,
  registryUrl?: string,
): Promise<Seen[]> {
  const consumer = kafka.consumer({
    'isolation.level': isolation,
    kafkaJS: { groupId: uniqueName('probe'), fromBeginning: true, autoCommit: false },
  } as KafkaJS.ConsumerConstructorConfig);
  await consumer.connect();
  await consumer.subscribe({ topic });
  const seen: Seen[] = [];
  const checks: Promise<string[]>[] = [];
  let lastAt = Date.now();
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const headers: Record<string, string> = {};
      const allHeaders: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) {
        allHeaders[k] = (Array.isArray(v) ? v : [v]).map(String);
        headers[k] = allHeaders[k][0]!;
      }
      checks.push(recordFindings(topic, { value: message.value ?? null, headers }, registryUrl));
      seen.push({ key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0), partition, offset: message.offset, headers, allHeaders });
      lastAt = Date.now();
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !(seen.length >= count && Date.now() - lastAt > idleMs)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await consumer.disconnect();
  const findings = (await Promise.all(checks)).flat();
  if (findings.length > 0) throw new Error(`${findings.length} record(s) on ${topic} disagree with docs/asyncapi.yaml:\n${[...new Set(findings)].join('\n')}`);
  return seen;
}

export const values = (seen: Seen[]): string[] => seen.map((s) => s.value.toString()).sort();
