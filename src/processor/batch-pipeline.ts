// One attempt at a group of partition batches: decode → load → plan (pure applyBatch)
// → encode → MongoDB write → cache, then the Kafka transaction, whose records are sent
// while MongoDB is written and which commits after the transaction of the group before.
// Pipelined: once a group's writes are done (`Turn.prepared`), the next group is planned
// and written while this one commits; MongoDB writes stay one at a time and in order.
// It throws on any failure and leaves retrying and isolating to the runner
// (batch-runner.ts). The failpoints sit in the windows they are named after.
import type { Span } from '@opentelemetry/api';
import pLimit from 'p-limit';
import { AvroEncoder, decodeCommand, isDecodeError, type SchemaResolver } from '../schemas/index.js';
import type { Config, ProcessorConfig } from '../shared/config.js';
import type { Failpoints } from '../shared/failpoints.js';
import type { Consumer } from '../shared/kafka.js';
import type { Logger } from '../shared/logger.js';
import type { OrderDocument } from '../shared/orders-collection.js';
import { schemaRegistrar, type Registry } from '../shared/registry.js';
import { tracingEnabled } from '../shared/tracing.js';
import { applyGroup, type BatchPlan, type DecodedRecord, type Output, type Refusal } from './apply-batch.js';
import { failSpan, inChildSpan, outputTrace, startBatchSpan } from './batch-tracing.js';
import { PredecessorFailedError, type PartitionPosition, type TransactionCommitter } from './committer.js';
import type { CommittedProgress } from './committed-progress.js';
import { AfterWriteError } from './error-classifier.js';
import { deadLetterMessage, eventMessage, outcomeMessage, type HeaderValues, type OutMessage, type SourceRecord } from './messages.js';
import type { ProcessorMetrics } from './metrics.js';
import { RecordTooLargeError, recordBytes } from './record-limits.js';
import type { OrderCache } from './order-cache.js';
import type { OrderStore } from './order-store.js';

export interface BatchMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  headers?: Record<string, unknown>;
}

/** Records of one partition, in offset order. */
export interface Batch {
  topic: string;
  partition: number;
  messages: BatchMessage[];
}

export interface PipelineDeps {
  config: Config;
  options: Pick<ProcessorConfig, 'maxRecordBytes'>;
  registry: Registry;
  resolver: SchemaResolver;
  store: OrderStore;
  committer: TransactionCommitter;
  /** Kafka's id of the commands topic: offsets are positions within it (apply-batch.ts). */
  commandsTopicId: string;
  progress: CommittedProgress;
  cache: OrderCache;
  failpoints: Failpoints;
  logger: Logger;
  metrics: ProcessorMetrics;
  consumer: () => Consumer;
}

/** The record's headers as written: a name written several times keeps every value, in order. */
const toHeaders = (h: Record<string, unknown> | undefined): Record<string, HeaderValues> => {
  const out: Record<string, HeaderValues> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    const values = (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined && x !== null).map((x) => (Buffer.isBuffer(x) ? x : String(x)));
    if (values.length > 0) out[k] = values.length === 1 ? values[0]! : values;
  }
  return out;
};

/** A group's place in the pipeline. */
export interface Turn {
  /** Settles when the group planned before this one has committed; rejects if it never will. */
  previous: Promise<void>;
  /** Called once this group's MongoDB writes are done and cached: the next group may start. */
  prepared: () => void;
}

export const sourceRecord = (m: BatchMessage): SourceRecord => ({ key: m.key, value: m.value, headers: toHeaders(m.headers) });

export class BatchPipeline {
  private readonly encoder: AvroEncoder;
  /**
   * MongoDB writes one at a time, in order: concurrent writes to one FerretDB/SQLite
   * database deadlocked it (every later request on that database hung), and a retried
   * group may write while the next group does.
   */
  private readonly writeTurn = pLimit(1);

  constructor(private readonly deps: PipelineDeps) {
    this.encoder = new AvroEncoder(schemaRegistrar(deps.registry, { logger: deps.logger }));
  }

  /**
   * Batches of distinct partitions of one topic; an order lives in one partition, so each
   * is planned on its own. `assumeCreatesNew`: see load(). Without a turn, the group
   * commits as soon as it can (isolation, dead letters).
   */
  async process(batches: Batch[], assumeCreatesNew: boolean, turn?: Turn): Promise<void> {
    if (!tracingEnabled()) return this.attempt(batches, assumeCreatesNew, turn, undefined);
    const span = startBatchSpan(batches[0]!.topic, batches.flatMap((b) => b.messages));
    try {
      await this.attempt(batches, assumeCreatesNew, turn, span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  }

  private async attempt(batches: Batch[], assumeCreatesNew: boolean, turn: Turn | undefined, span: Span | undefined): Promise<void> {
    const { metrics, store, cache, failpoints, committer } = this.deps;
    const started = performance.now();
    const now = new Date();
    const epoch = cache.epoch;
    const decodedByBatch = await Promise.all(batches.map((b) => this.decode(b)));
    const decoded = decodedByBatch.flat();
    const commands = decoded.flatMap((d) => ('command' in d ? [d.command] : []));
    const commandIds = commands.map((c) => c.commandId);
    if (span && commands.length === 1) span.setAttributes({ 'command.id': commands[0]!.commandId, 'command.type': commands[0]!.type, 'order.id': commands[0]!.orderId, 'correlation.id': commands[0]!.correlationId });

    const [orders, outcomes] = await Promise.all([
      this.load(decoded, assumeCreatesNew),
      store.loadOutcomes(commandIds),
      this.deps.progress.seed(committer, batches.map((b) => b.partition)),
    ]);
    await failpoints.hit('plan', { commandIds });
    const topicId = this.deps.commandsTopicId;
    const plan = () => applyGroup(decodedByBatch, { topicId, orders: orders.docs, outcomes, committed: committer.knownCommitted });
    let plans = plan();
    // A create assumed new that writes nothing (rejected, or resubmitted) checked
    // nothing: read those orders and plan again.
    const inserted = new Set(plans.flatMap((p) => p.writes.filter((w) => w.expectedRevision === 0).map((w) => w.doc._id)));
    const unchecked = orders.assumedNew.filter((id) => !inserted.has(id));
    if (unchecked.length > 0) {
      for (const [id, doc] of await store.load(unchecked)) orders.docs.set(id, doc);
      plans = plan();
    }
    const topic = batches[0]!.topic;
    // Encoded and measured before anything is written: a record the codec refuses fails
    // here, where isolating it leaves no trace in MongoDB; a command whose event or outcome
    // would be too large for Kafka is planned again as a RECORD_TOO_LARGE rejection.
    let encoded = await this.encodeOutputs(topic, plans.flatMap((p) => p.outputs), now, outputTrace(span, decoded));
    if (encoded.tooLarge.size > 0) {
      for (const batch of decodedByBatch) for (const d of batch) if ('command' in d && encoded.tooLarge.has(d.command.commandId)) d.refusal = encoded.tooLarge.get(d.command.commandId)!;
      plans = plan();
      encoded = await this.encodeOutputs(topic, plans.flatMap((p) => p.outputs), now, outputTrace(span, decoded));
      const [first] = encoded.tooLarge.values();
      if (first) throw new RecordTooLargeError(first.topic, first.bytes, this.deps.options.maxRecordBytes);
    }
    const { byTopic } = encoded;
    const writes = plans.flatMap((p) => p.writes);

    await failpoints.hit('before-mongo-write', { commandIds });
    const positions = batches.map((b) => ({ partition: b.partition, lastOffset: b.messages[b.messages.length - 1]!.offset }));
    const writeAndCache = async () => {
      await this.writeTurn(() =>
        inChildSpan(span, 'mongodb write', { 'db.system.name': 'mongodb', 'db.namespace': this.deps.config.mongodbDatabase, 'order.writes': writes.length }, async () => {
          await store.write(writes);
          await store.recordHistory(plans.flatMap((p) => p.outputs.flatMap((o) => (o.kind === 'event' ? [o.event] : []))));
          await store.recordOutcomes(plans.flatMap((p) => p.outcomes), now);
          await failpoints.hit('after-mongo-write', { commandIds });
        }),
      );
      // Written (not yet committed): the next group may read these states from the cache.
      // If this transaction fails, the runner empties the cache; MongoDB holds the same states.
      await failpoints.hit('before-cache-update', { commandIds });
      cache.rememberAll(writes.map((w) => w.doc), epoch);
      metrics.cacheBytes.set(cache.bytes);
      turn?.prepared();
    };
    // The MongoDB writes run while the transaction's records are sent; it commits after them.
    const transaction = { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.batch.message_count': [...byTopic.values()].reduce((n, m) => n + m.length, 0) };
    try {
      await inChildSpan(span, 'kafka transaction', transaction, () => committer.commit(this.deps.consumer(), topic, positions, byTopic, commandIds, writeAndCache, turn?.previous));
    } catch (err) {
      // The writes start with the commit: whatever fails now may follow landed writes.
      if (err instanceof PredecessorFailedError) throw err;
      throw new AfterWriteError(err instanceof Error ? err : new Error(String(err)));
    }
    this.recordProgress(positions);
    this.observe(batches, decoded, plans, started, span);
  }

  /** A poison record (see the runner): its original bytes and why, alone in a transaction with its offset. */
  async deadLetter(batch: Batch, error: Error): Promise<void> {
    const m = batch.messages[0]!;
    const message = deadLetterMessage(sourceRecord(m), batch.topic, { partition: batch.partition, offset: m.offset }, { code: 'PROCESSING_FAILED', message: `${error.name}: ${error.message}` }, new Date(), this.deps.options.maxRecordBytes);
    const byTopic = new Map<string, OutMessage[]>([[this.deps.config.topics.deadLetters, [message]]]);
    const positions = [{ partition: batch.partition, lastOffset: m.offset }];
    await this.deps.committer.commit(this.deps.consumer(), batch.topic, positions, byTopic);
    this.recordProgress(positions);
    this.deps.metrics.commands.inc({ type: 'unknown', outcome: 'dead_lettered' });
    this.deps.metrics.deadLetters.inc({ code: 'PROCESSING_FAILED' });
  }

  private recordProgress(positions: PartitionPosition[]): void {
    for (const { partition, lastOffset } of positions) this.deps.progress.record(partition, BigInt(lastOffset) + 1n);
  }

  /** Which records of these batches the group has committed already: for the runner, after a failed commit. */
  committedOffsets(batches: Batch[]): Promise<Map<number, bigint>> {
    return this.deps.committer.committedOffsets(this.deps.consumer(), batches[0]!.topic, batches.map((b) => b.partition));
  }

  private decode(batch: Batch): Promise<DecodedRecord<SourceRecord>[]> {
    return Promise.all(
      batch.messages.map(async (m): Promise<DecodedRecord<SourceRecord>> => {
        const record = sourceRecord(m);
        const position = { partition: batch.partition, offset: m.offset };
        try {
          const command = await decodeCommand(m.value, this.deps.resolver);
          const key = m.key?.toString('utf8');
          if (key !== command.orderId) {
            // A record keyed otherwise can land on another partition than its order's
            // other commands, which would break per-order ordering.
            return { record, position, error: { code: 'KEY_MISMATCH', message: `record key ${JSON.stringify(key ?? null)} is not the command's orderId ${command.orderId}` } };
          }
          return { record, position, command };
        } catch (err) {
          if (isDecodeError(err)) return { record, position, error: { code: err.code, message: err.message } };
          throw err; // e.g. registry unreachable: an outage, retry the batch
        }
      }),
    );
  }

  /**
   * The documents of the orders these records touch: from the cache, else one read. An
   * order whose first command here is its CreateOrder is assumed new and not read (most
   * creates are new; it saves a round trip): its insert checks the assumption, and a
   * duplicate key fails the attempt, whose retry reads everything.
   */
  private async load(decoded: DecodedRecord<SourceRecord>[], assumeCreatesNew: boolean): Promise<{ docs: Map<string, OrderDocument>; assumedNew: string[] }> {
    const firstCommand = new Map<string, string>();
    for (const d of decoded) if ('command' in d && !firstCommand.has(d.command.orderId)) firstCommand.set(d.command.orderId, d.command.type);
    const docs = new Map<string, OrderDocument>();
    const missing: string[] = [];
    const assumedNew: string[] = [];
    for (const [id, type] of firstCommand) {
      const hit = this.deps.cache.get(id);
      if (hit) docs.set(id, hit);
      else if (assumeCreatesNew && type === 'CreateOrder') assumedNew.push(id);
      else missing.push(id);
    }
    if (missing.length > 0) for (const [id, doc] of await this.deps.store.load(missing)) docs.set(id, doc);
    return { docs, assumedNew };
  }

  /**
   * The records of a plan, by topic, and the commands whose event or outcome would be
   * over the record limit (dead letters fit themselves to it). `traceOf`: the
   * traceparent/tracestate an event or outcome carries (batch-tracing.ts outputTrace).
   */
  private async encodeOutputs(
    sourceTopic: string,
    outputs: Output<SourceRecord>[],
    now: Date,
    traceOf: (causedBy: string) => Record<string, string>,
  ): Promise<{ byTopic: Map<string, OutMessage[]>; tooLarge: Map<string, Refusal & { topic: string; bytes: number }> }> {
    const limit = this.deps.options.maxRecordBytes;
    const { topics, serviceName } = this.deps.config;
    const byTopic = new Map<string, OutMessage[]>([[topics.events, []], [topics.outcomes, []], [topics.deadLetters, []]]);
    const encoded = await Promise.all(
      outputs.map(async (o): Promise<[string, OutMessage]> => {
        switch (o.kind) {
          case 'event':
            return [topics.events, await eventMessage(this.encoder, topics.events, `/${serviceName}`, o.event, traceOf(o.event.causationId))];
          case 'outcome':
            return [topics.outcomes, await outcomeMessage(this.encoder, topics.outcomes, o.outcome, traceOf(o.outcome.commandId))];
          case 'dead-letter':
            return [topics.deadLetters, deadLetterMessage(o.record, sourceTopic, o.position, o.reason, now, limit)];
        }
      }),
    );
    const tooLarge = new Map<string, Refusal & { topic: string; bytes: number }>();
    encoded.forEach(([topic, message], i) => {
      const bytes = recordBytes(message);
      const o = outputs[i]!;
      const causedBy = o.kind === 'event' ? o.event.causationId : o.kind === 'outcome' ? o.outcome.commandId : undefined;
      if (bytes > limit && causedBy !== undefined && !tooLarge.has(causedBy)) {
        const reason = `its ${o.kind} record for ${topic} would be ${bytes} bytes, more than the ${limit} bytes this service writes to Kafka`;
        tooLarge.set(causedBy, { code: 'RECORD_TOO_LARGE', reason, topic, bytes });
      }
      byTopic.get(topic)!.push(message);
    });
    return { byTopic, tooLarge };
  }

  private observe(batches: Batch[], decoded: DecodedRecord<SourceRecord>[], plans: BatchPlan<SourceRecord>[], started: number, span: Span | undefined): void {
    const { metrics, logger } = this.deps;
    // Per command, at debug only: its ids next to the trace that processed it.
    const traceId = span?.spanContext().traceId;
    const debug = logger.isLevelEnabled('debug');
    const committedAt = Date.now();
    for (const b of batches) metrics.batchSize.observe(b.messages.length);
    metrics.batchDuration.observe((performance.now() - started) / 1000);
    for (const d of decoded) {
      if ('error' in d) {
        metrics.commands.inc({ type: 'unknown', outcome: 'dead_lettered' });
        metrics.deadLetters.inc({ code: d.error.code });
        continue;
      }
      const { commandId, correlationId, orderId, type } = d.command;
      if (debug) logger.debug({ correlationId, commandId, orderId, commandType: type, ...(traceId ? { traceId } : {}), partition: d.position.partition, offset: d.position.offset }, 'command processed');
      const issued = Date.parse(d.command.issuedAt);
      if (Number.isFinite(issued)) metrics.latency.observe(Math.max(0, committedAt - issued) / 1000);
    }
    batches.forEach((b, i) => {
      const plan = plans[i]!;
      for (const t of plan.tally) metrics.commands.inc({ type: t.commandType, outcome: t.outcome });
      if (plan.stats.duplicates > 0) logger.info({ partition: b.partition, ...plan.stats }, 'batch contained re-delivered or re-submitted commands');
    });
  }
}
