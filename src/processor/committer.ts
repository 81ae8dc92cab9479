// The record collector's Kafka side: a batch's events, outcomes and dead letters and the
// next offsets to read go in one transaction (G2), with this replica's transactional id
// (a restarted replica fences its predecessor's open transaction). Transactions go one
// at a time, in the order their groups were planned (`previous`). A commit can fail
// ambiguously (the client's timeout fires, yet the coordinator committed): before a
// batch is processed again, committedOffsets() — the coordinator's truth, read with
// require_stable so an in-flight commit is waited for — says what is already done.
// It is read through the consumer (librdkafka's group handler sends OffsetFetch with
// require_stable for a read_committed consumer), not an Admin client: librdkafka 2.15's
// coordinator-targeted Admin requests can abort the process when they time out
// (rd_kafka_enq_once_del_source_return: Assertion 'eonce->refcnt > 0', upstream
// issues #4605, #3663), which a broker freeze made happen.
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Failpoints } from '../shared/failpoints.js';
import { createProducer, type Consumer, type Kafka, type Producer } from '../shared/kafka.js';
import type { Logger } from '../shared/logger.js';
import type { OutMessage } from './messages.js';
import type { ProcessorMetrics } from './metrics.js';
import { producerLimits } from './record-limits.js';

export interface CommitterDeps {
  kafka: Kafka;
  instanceId: string;
  transactionTimeoutMs: number;
  /** PROCESSOR_MAX_RECORD_BYTES: the producer accepts every record record-limits.ts lets through. */
  maxRecordBytes: number;
  failpoints: Failpoints;
  logger: Logger;
  metrics: ProcessorMetrics;
}

/** The group before this one will never commit (its replica lost its membership or is stopping): neither may this one. */
export class PredecessorFailedError extends Error {
  constructor(cause: unknown) {
    super(`the group planned before this one did not commit: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'PredecessorFailedError';
  }
}

/** Where the next batch of a partition starts once this one commits. */
export interface PartitionPosition {
  partition: number;
  lastOffset: string;
}

/** How long committedOffsets() waits for the coordinator before the attempt fails (and is retried). */
const COMMITTED_TIMEOUT_MS = 10_000;

export class TransactionCommitter {
  private producer: Producer | undefined;
  /**
   * The producer cannot be trusted with another transaction (an abort or a begin
   * failed: fenced, a fatal error, a transaction left open, a reconnect that failed):
   * the next transaction starts on a new one.
   */
  private broken = false;
  /** Per partition, the next offset the group is known to have committed (by us, or read from the coordinator). */
  private readonly committed = new Map<number, bigint>();

  constructor(private readonly deps: CommitterDeps) {}

  async connect(): Promise<void> {
    const { kafka, instanceId, transactionTimeoutMs, maxRecordBytes } = this.deps;
    const producer = createProducer(kafka, { transactionalId: instanceId, lingerMs: 1, transactionTimeoutMs, librdkafka: producerLimits(maxRecordBytes) });
    try {
      await producer.connect();
    } catch (err) {
      // A failed attempt must not leave a client reconnecting in the background.
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    this.producer = producer;
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect().catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'producer disconnect'));
  }

  /**
   * Per partition, the next offset whose outputs are known committed (by this group, as
   * read from the coordinator, or as stored by committed-progress.ts); a partition absent is unknown.
   */
  get knownCommitted(): ReadonlyMap<number, bigint> {
    return this.committed;
  }

  /** Revoked partitions: what another owner commits from now on is not ours to know. */
  forget(partitions: readonly number[]): void {
    for (const p of partitions) this.committed.delete(p);
  }

  /**
   * Outputs and the next offset of each partition in one Kafka transaction, begun once
   * `previous` (the transaction of the group planned before) has committed. `alongside`
   * (the batch's MongoDB writes) starts at once and runs while the records are sent: they
   * stay invisible to read_committed readers until the commit, which waits for
   * `alongside` to succeed — the write still happens before the commit (G2), and the
   * round trips overlap it. If `alongside` fails, nothing commits. `commandIds`: for failpoints.
   */
  async commit(
    consumer: Consumer,
    topic: string,
    positions: PartitionPosition[],
    byTopic: Map<string, OutMessage[]>,
    commandIds: readonly string[] = [],
    alongside: () => Promise<void> = async () => undefined,
    previous: Promise<void> = Promise.resolve(),
  ): Promise<void> {
    const writing = alongside();
    writing.catch(() => undefined); // awaited below; never an unhandled rejection
    let tx: Producer;
    try {
      await previous.catch((err: unknown) => {
        throw new PredecessorFailedError(err);
      });
      tx = await this.begin();
    } catch (err) {
      await writing.catch(() => undefined); // the writes finish (or fail) before anyone retries them
      throw err;
    }
    try {
      const sending = this.send(tx, consumer, topic, positions, byTopic);
      sending.catch(() => undefined); // awaited below, after alongside; never an unhandled rejection
      await writing;
      await sending;
      await this.deps.failpoints.hit('before-commit', { commandIds });
      await tx.commit();
    } catch (err) {
      this.deps.metrics.transactionAborts.inc();
      try {
        await this.deps.failpoints.hit('abort');
        await tx.abort();
      } catch (abortErr) {
        this.deps.logger.warn({ err: (abortErr as Error).message }, 'abort failed: the next transaction starts on a new producer');
        this.broken = true;
      }
      throw err;
    }
    for (const { partition, lastOffset } of positions) this.learn(partition, BigInt(lastOffset) + 1n);
    // The window of an ambiguous commit: it succeeded, and the caller may hear otherwise.
    await this.deps.failpoints.hit('commit', { commandIds });
  }

  /** A transaction on a usable producer: a broken one is replaced first, and one that cannot begin is marked broken. */
  private async begin(): Promise<Producer> {
    if (this.broken) {
      await this.producer?.disconnect().catch(() => undefined);
      await this.deps.failpoints.hit('producer-reconnect');
      await this.connect(); // if this fails, still broken: the runner retries (an outage)
      this.broken = false;
    }
    try {
      return await this.producer!.transaction();
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  private async send(tx: Producer, consumer: Consumer, topic: string, positions: PartitionPosition[], byTopic: Map<string, OutMessage[]>): Promise<void> {
    const topicMessages = [...byTopic].filter(([, m]) => m.length > 0).map(([t, messages]) => ({ topic: t, messages }));
    if (topicMessages.length > 0) await tx.sendBatch({ topicMessages } as unknown as KafkaJS.ProducerBatch);
    await tx.sendOffsets({
      consumer,
      topics: [{ topic, partitions: positions.map(({ partition, lastOffset }) => ({ partition, offset: (BigInt(lastOffset) + 1n).toString() })) }],
    } as unknown as Parameters<Producer['sendOffsets']>[0]);
  }

  /** The group's committed next offset per partition (absent: nothing committed yet). */
  async committedOffsets(consumer: Consumer, topic: string, partitions: number[]): Promise<Map<number, bigint>> {
    const result = await consumer.committed(
      partitions.map((partition) => ({ topic, partition })),
      COMMITTED_TIMEOUT_MS,
    );
    const committed = new Map<number, bigint>();
    const answered = new Set<number>();
    for (const p of result) {
      // A partition the coordinator answered with an error (e.g. an unstable offset still
      // after librdkafka's retries) comes back without topic or partition.
      if (p.topic !== topic || typeof p.partition !== 'number') continue;
      answered.add(p.partition);
      // offset: null when nothing is committed (or 0, which means the same here)
      const offset = p.offset === null || p.offset === undefined ? -1n : BigInt(p.offset);
      if (offset >= 0n) {
        committed.set(p.partition, offset);
        this.learn(p.partition, offset);
      }
    }
    const missing = partitions.filter((p) => !answered.has(p));
    // Not knowing is not "nothing committed" (that would process records again): an outage, retried.
    if (missing.length > 0) throw new KafkaJS.KafkaJSError(`committed offsets not known for partitions ${missing.join(', ')} of ${topic}`, { code: KafkaJS.ErrorCodes.ERR_UNSTABLE_OFFSET_COMMIT });
    return committed;
  }

  /** Committed offsets only grow: an older report never lowers what is known. */
  learn(partition: number, next: bigint): void {
    const known = this.committed.get(partition);
    if (known === undefined || next > known) this.committed.set(partition, next);
  }
}
