// Reads every committed record of a topic, from the beginning of each partition (or from
// given offsets) to its end as it stands when reached (partition EOF), then returns: an
// operator tool must end by itself. Assignment only: no consumer group is joined and no
// offset is committed.
//
// Under read_committed a partition's end is its last stable offset: an open transaction
// (a producer killed mid-transaction, until the transaction times out or a new instance
// fences it) holds back every record after it. Given the high watermarks (read
// uncommitted: the consumer's own watermark queries answer the stable offset), a
// partition whose EOF is below its high watermark is not at its end yet, and is read on
// once that transaction ends.
import type { HeaderValues } from '../processor/messages.js';
import type { RdKafka } from '@confluentinc/kafka-javascript';
import type { Admin } from '../shared/kafka.js';
import type { DlqRecord } from './dlq-selection.js';

type KafkaConsumer = RdKafka.KafkaConsumer;
type LibrdKafkaError = RdKafka.LibrdKafkaError;
type Message = RdKafka.Message;

/** One record as read from a topic (the DLQ tool's shape; nothing DLQ-specific in it). */
export type TopicRecord = DlqRecord;

const OFFSET_BEGINNING = -2;

const promised = <T>(run: (cb: (err: LibrdKafkaError | null | undefined, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => run((err, value) => (err ? reject(new Error(err.message)) : resolve(value))));

export interface ReadOptions {
  /** Per partition, the next offset to read (absent: from the beginning). */
  from?: ReadonlyMap<number, bigint>;
  /** Awaited before the next batch is fetched: the reader goes no faster than the caller. */
  onBatch: (records: TopicRecord[]) => void | Promise<void>;
  /** Give up when this long passes without a record or a partition reaching its end. */
  idleTimeoutMs?: number;
  /** Most records per batch (librdkafka consume(n)). */
  batchSize?: number;
  /** Called once the partitions are known, with the topic's partition ids. */
  onPartitions?: (partitions: number[]) => void;
  /** The partitions' high watermarks (highWatermarksOf); without them the first EOF is the end. */
  highWatermarks?: () => Promise<ReadonlyMap<number, bigint>>;
}

/** The topic's high watermarks, read uncommitted: the real end, open transactions included. */
export const highWatermarksOf = (admin: Admin, topic: string) => async (): Promise<ReadonlyMap<number, bigint>> =>
  new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));

export interface ReadResult {
  records: number;
  /** Per partition, the offset after the last one read: where a later read would start. */
  next: Map<number, bigint>;
}

/** Reads `topic` to its end in batches; see the file comment for what "end" means. */
export async function readTopic(reader: KafkaConsumer, topic: string, opts: ReadOptions): Promise<ReadResult> {
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  await promised((cb) => reader.connect({ timeout: 10_000 }, cb));
  try {
    const metadata = await promised<{ topics: Array<{ name: string; partitions: Array<{ id: number }> }> }>((cb) =>
      reader.getMetadata({ topic, timeout: 10_000 }, cb as never),
    );
    const partitions = metadata.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
    if (partitions.length === 0) throw new Error(`topic ${topic} does not exist (or has no partitions)`);
    opts.onPartitions?.(partitions);

    const next = new Map<number, bigint>(partitions.map((p) => [p, opts.from?.get(p) ?? 0n]));
    const notAtEnd = new Set(partitions);
    /** EOF reached below the high watermark: an open transaction; checked again until it ends. */
    const heldBack = new Map<number, bigint>();
    let progressAt = Date.now();
    const atEnd = async (partition: number, offset: bigint) => {
      const high = opts.highWatermarks ? (await opts.highWatermarks()).get(partition) ?? 0n : offset;
      if (offset >= high) {
        notAtEnd.delete(partition);
        heldBack.delete(partition);
      } else heldBack.set(partition, offset);
      if (offset > next.get(partition)!) next.set(partition, offset);
    };
    const checks: Promise<void>[] = [];
    reader.on('partition.eof', (eof) => {
      progressAt = Date.now();
      checks.push(atEnd(eof.partition, BigInt(eof.offset)));
    });
    reader.assign(partitions.map((partition) => ({ topic, partition, offset: opts.from?.has(partition) ? Number(opts.from.get(partition)) : OFFSET_BEGINNING })));
    reader.setDefaultConsumeTimeout(500);

    let count = 0;
    let recheckAt = Date.now() + 1000;
    while (notAtEnd.size > 0) {
      if (Date.now() - progressAt > idleTimeoutMs) {
        const open = [...heldBack.keys()];
        throw new Error(
          `no progress for ${idleTimeoutMs} ms: partitions ${[...notAtEnd].join(', ')} of ${topic} did not reach their end` +
            (open.length > 0 ? ` (partitions ${open.join(', ')} are held back by an open transaction: wait for it to end — the producer's transaction timeout — and run again)` : ''),
        );
      }
      const batch = await promised<Message[]>((cb) => reader.consume(opts.batchSize ?? 500, cb));
      if (batch.length > 0) {
        progressAt = Date.now();
        const records = batch.map(toRecord);
        for (const r of records) next.set(r.partition, BigInt(r.offset) + 1n);
        await opts.onBatch(records);
        count += batch.length;
      }
      await Promise.all(checks.splice(0));
      // librdkafka reports EOF once per arrival at the end: a partition held back by an
      // open transaction is asked again while nothing arrives.
      if (heldBack.size > 0 && Date.now() > recheckAt) {
        recheckAt = Date.now() + 1000;
        for (const [partition, offset] of heldBack) {
          const [position] = reader.position([{ topic, partition }]);
          await atEnd(partition, position && position.offset >= 0 ? BigInt(position.offset) : offset);
        }
      }
    }
    return { records: count, next };
  } finally {
    await promised((cb) => reader.disconnect(cb)).catch(() => undefined);
  }
}

/**
 * Calls `onRecord` for every record in partition order and resolves with how many there
 * were. Gives up when `idleTimeoutMs` pass without a record or a partition reaching its end.
 */
export async function readTopicToEnd(reader: KafkaConsumer, topic: string, onRecord: (r: TopicRecord) => void, idleTimeoutMs = 30_000): Promise<number> {
  const { records } = await readTopic(reader, topic, { idleTimeoutMs, onBatch: (batch) => batch.forEach(onRecord) });
  return records;
}

function toRecord(m: Message): TopicRecord {
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
