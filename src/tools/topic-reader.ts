// Reads every committed record of a topic, from the beginning of each partition to its
// end as it stands when reached (partition EOF), then returns: an operator tool must end
// by itself. Assignment only: no consumer group is joined and no offset is committed.
import type { HeaderValues } from '../processor/messages.js';
import type { RdKafka } from '@confluentinc/kafka-javascript';
import type { DlqRecord } from './dlq-selection.js';

type KafkaConsumer = RdKafka.KafkaConsumer;
type LibrdKafkaError = RdKafka.LibrdKafkaError;
type Message = RdKafka.Message;

const OFFSET_BEGINNING = -2;

const promised = <T>(run: (cb: (err: LibrdKafkaError | null | undefined, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => run((err, value) => (err ? reject(new Error(err.message)) : resolve(value))));

/**
 * Calls `onRecord` for every record in partition order and resolves with how many there
 * were. Gives up when `idleTimeoutMs` pass without a record or a partition reaching its end.
 */
export async function readTopicToEnd(reader: KafkaConsumer, topic: string, onRecord: (r: DlqRecord) => void, idleTimeoutMs = 30_000): Promise<number> {
  await promised((cb) => reader.connect({ timeout: 10_000 }, cb));
  try {
    const metadata = await promised<{ topics: Array<{ name: string; partitions: Array<{ id: number }> }> }>((cb) =>
      reader.getMetadata({ topic, timeout: 10_000 }, cb as never),
    );
    const partitions = metadata.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
    if (partitions.length === 0) throw new Error(`topic ${topic} does not exist (or has no partitions)`);

    const notAtEnd = new Set(partitions);
    let progressAt = Date.now();
    reader.on('partition.eof', (eof) => {
      notAtEnd.delete(eof.partition);
      progressAt = Date.now();
    });
    reader.assign(partitions.map((partition) => ({ topic, partition, offset: OFFSET_BEGINNING })));
    reader.setDefaultConsumeTimeout(500);

    let count = 0;
    while (notAtEnd.size > 0) {
      if (Date.now() - progressAt > idleTimeoutMs) {
        throw new Error(`no progress for ${idleTimeoutMs} ms: partitions ${[...notAtEnd].join(', ')} of ${topic} did not reach their end`);
      }
      const batch = await promised<Message[]>((cb) => reader.consume(500, cb));
      if (batch.length > 0) progressAt = Date.now();
      for (const m of batch) onRecord(toRecord(m));
      count += batch.length;
    }
    return count;
  } finally {
    await promised((cb) => reader.disconnect(cb)).catch(() => undefined);
  }
}

function toRecord(m: Message): DlqRecord {
  // A name may repeat (Kafka allows it): every value is kept, in order, for a faithful replay.
  const headers: Record<string, HeaderValues> = {};
  for (const h of m.headers ?? []) {
    for (const [name, value] of Object.entries(h)) {
      const before = headers[name];
      headers[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
    }
  }
  return {
    topic: m.topic,
    partition: m.partition,
    offset: String(m.offset),
    key: m.key === undefined || m.key === null ? null : Buffer.isBuffer(m.key) ? m.key : Buffer.from(String(m.key)),
    value: m.value,
    headers,
    timestamp: m.timestamp ?? 0,
  };
}
