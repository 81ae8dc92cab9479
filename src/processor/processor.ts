// The command processor: a consumer group on the commands topic, one batch per
// partition at a time, each batch = decode → load orders → apply (pure) → encode →
// one MongoDB bulk write → one Kafka transaction (events, outcomes, dead letters and
// the consumer offset). Infrastructure failures retry the same batch with capped
// exponential backoff and never skip or dead-letter a record (G4).
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Db } from 'mongodb';
import pRetry from 'p-retry';
import { AvroEncoder, decodeCommand, isDecodeError, type SchemaResolver } from '../schemas/index.js';
import type { Config, ProcessorConfig } from '../shared/config.js';
import { createProducer, ensureTopics, type Consumer, type Kafka, type Producer } from '../shared/kafka.js';
import type { Logger } from '../shared/logger.js';
import { ensureOrderIndexes, type OrderDocument } from '../shared/orders-collection.js';
import { ensureOutcomeIndexes } from '../shared/outcomes-collection.js';
import { schemaRegistrar, type Registry } from '../shared/registry.js';
import { applyBatch, type DecodedRecord, type Output } from './apply-batch.js';
import { deadLetterMessage, eventMessage, outcomeMessage, type OutMessage, type SourceRecord } from './messages.js';
import type { ProcessorMetrics } from './metrics.js';
import { OrderStore, detectStoreStrategy } from './order-store.js';

export type ProcessorOptions = ProcessorConfig;

export interface ProcessorDeps {
  config: Config;
  options: ProcessorOptions;
  kafka: Kafka;
  db: Db;
  registry: Registry;
  resolver: SchemaResolver;
  logger: Logger;
  metrics: ProcessorMetrics;
}

interface BatchMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  headers?: Record<string, unknown>;
}

const toHeaders = (h: Record<string, unknown> | undefined): Record<string, string | Buffer> => {
  const out: Record<string, string | Buffer> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined && first !== null) out[k] = Buffer.isBuffer(first) ? first : String(first);
  }
  return out;
};

export class CommandProcessor {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private store: OrderStore | undefined;
  private readonly encoder: AvroEncoder;
  private readonly cache = new Map<string, OrderDocument>();
  private stopping = false;
  private running = false;
  private retrying: string | null = null;
  /** Partition batches handed over by the consumer, processed together by drain(). */
  private waiting: { payload: BatchPayload; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private draining = false;
  /** Why start() is still waiting, for /ready. */
  private starting: string | null = 'starting';
  private lastBatchAt = Date.now();
  private lagGrowingSince: number | null = null;
  private lastTotalLag = 0;
  private lagTimer: NodeJS.Timeout | undefined;
  private admin: KafkaJS.Admin | undefined;

  constructor(private readonly deps: ProcessorDeps) {
    this.encoder = new AvroEncoder(schemaRegistrar(deps.registry));
  }

  /**
   * Prepares topics, indexes and the producer, then joins the group. A broker or MongoDB
   * that is not reachable yet is waited for with capped backoff (the ops port
   * answers meanwhile, /ready false with the reason): replicas may start before the
   * servers do, as they do in docker-compose or after a cluster restart.
   */
  async start(): Promise<void> {
    const { kafka, logger, options } = this.deps;
    await pRetry(() => this.prepare(), {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 500,
      maxTimeout: 5000,
      shouldRetry: () => !this.stopping,
      onFailedAttempt: ({ error, attemptNumber }) => {
        this.starting = `waiting for the servers: ${error.message}`;
        logger.warn({ err: error.message, attempt: attemptNumber }, 'processor cannot start yet, retrying');
      },
    });
    this.starting = null;
    const t = this.deps.config.topics;
    this.consumer = kafka.consumer({
      'partition.assignment.strategy': 'cooperative-sticky',
      'isolation.level': 'read_committed',
      'js.consumer.max.batch.size': options.maxBatchSize,
      'fetch.wait.max.ms': 50,
      rebalance_cb: (err: { code: number }, assignment: Array<{ partition: number }>) => this.onRebalance(err, assignment),
      kafkaJS: { groupId: options.groupId, autoCommit: false, fromBeginning: true, sessionTimeout: 10_000 },
    } as unknown as KafkaJS.ConsumerConstructorConfig);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [t.commands] });
    this.running = true;
    // Every partition may hand over a batch at once; onBatch groups them (one transaction).
    await this.consumer.run({ partitionsConsumedConcurrently: Math.max(1, this.deps.config.commandPartitions), eachBatch: (payload) => this.onBatch(payload as unknown as BatchPayload) });
    this.lagTimer = setInterval(() => void this.watchLag(), 2000);
    this.lagTimer.unref();
  }

  /** One attempt at what must exist before consuming; undoes its connections on failure. */
  private async prepare(): Promise<void> {
    const { config, kafka, db, logger } = this.deps;
    const admin = kafka.admin();
    try {
      await admin.connect();
      const t = config.topics;
      await ensureTopics(admin, [
        { topic: t.commands, numPartitions: config.commandPartitions },
        { topic: t.events, numPartitions: config.commandPartitions },
        { topic: t.outcomes, numPartitions: config.commandPartitions },
        { topic: t.deadLetters, numPartitions: config.commandPartitions },
      ]);
      await ensureOrderIndexes(db);
      const ttl = await ensureOutcomeIndexes(db, logger);
      const strategy = await detectStoreStrategy(db);
      this.store = new OrderStore(db, strategy);
      logger.info({ storeStrategy: strategy, outcomeExpiry: ttl }, 'processor storage ready');
      this.producer = await this.connectProducer();
      this.admin = admin;
    } catch (err) {
      await admin.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** Finishes the batch in flight (the consumer waits for it), commits, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.lagTimer);
    await this.consumer?.disconnect().catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'consumer disconnect'));
    this.running = false;
    await this.producer?.disconnect().catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'producer disconnect'));
    await this.admin?.disconnect().catch(() => undefined);
  }

  ready(): { ready: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (this.starting) reasons.push(this.starting);
    else if (!this.running) reasons.push('not consuming');
    if (this.retrying) reasons.push(`retrying a batch: ${this.retrying}`);
    if (this.lagGrowingSince !== null && Date.now() - this.lastBatchAt > this.deps.options.stallTimeoutMs) {
      reasons.push(`stalled: lag ${this.lastTotalLag} and no batch for ${Math.round((Date.now() - this.lastBatchAt) / 1000)} s`);
    }
    const ready = reasons.length === 0;
    this.deps.metrics.ready.set(ready ? 1 : 0);
    return { ready, reasons };
  }

  private async connectProducer(): Promise<Producer> {
    const { kafka, options } = this.deps;
    const producer = createProducer(kafka, { transactionalId: options.instanceId, lingerMs: 1, transactionTimeoutMs: options.transactionTimeoutMs });
    try {
      await producer.connect();
    } catch (err) {
      // A failed attempt must not leave a client reconnecting in the background.
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    return producer;
  }

  private onRebalance(err: { code: number }, assignment: Array<{ partition: number }>): void {
    const revoked = err.code === KafkaJS.ErrorCodes.ERR__REVOKE_PARTITIONS;
    this.deps.metrics.rebalances.inc({ kind: revoked ? 'revoke' : 'assign' });
    // Another replica may write these orders next: forget what we cached.
    if (revoked) this.cache.clear();
    this.deps.logger.info({ kind: revoked ? 'revoke' : 'assign', partitions: assignment.map((a) => a.partition) }, 'rebalance');
  }

  /**
   * Partition batches handed over while a group is being processed wait and then go
   * together, up to PROCESSOR_MAX_BATCH records: one MongoDB write, one Kafka
   * transaction (offsets of every partition in
   * it). Each costs ~20 ms on the local stack whatever its size, so one transaction per
   * partition batch made a record wait for a whole round of partitions.
   */
  private onBatch(payload: BatchPayload): Promise<void> {
    if (payload.batch.messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ payload, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.groupLength());
        try {
          await this.processWithRetry(group.map((g) => g.payload));
          for (const g of group) g.resolve();
        } catch (err) {
          for (const g of group) g.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Waiting batches that fit in one group: PROCESSOR_MAX_BATCH records (at least one batch), so a backlog does not make one huge write. */
  private groupLength(): number {
    let records = 0;
    let n = 0;
    for (const w of this.waiting) {
      records += w.payload.batch.messages.length;
      if (n > 0 && records > this.deps.options.maxBatchSize) break;
      n++;
    }
    return n;
  }

  private async processWithRetry(payloads: BatchPayload[]): Promise<void> {
    const { logger, metrics } = this.deps;
    // Revoked meanwhile: the next owner takes those from the committed offset.
    const current = () => payloads.filter((p) => !p.isStale()).map((p) => p.batch);
    await pRetry(
      async (attempt) => {
        const batches = current();
        // A retry reads every order: the first attempt may have failed on a create assumed new.
        if (batches.length > 0) await this.processBatches(batches, attempt === 1);
      },
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: 100,
        maxTimeout: 5000,
        factor: 2,
        randomize: true,
        shouldRetry: () => current().length > 0 && !this.stopping,
        onFailedAttempt: ({ error, attemptNumber }) => {
          this.retrying = error.message;
          metrics.batchRetries.inc();
          this.cache.clear();
          logger.warn({ err: error.message, attempt: attemptNumber, batches: payloads.map((p) => ({ partition: p.batch.partition, firstOffset: p.batch.messages[0]?.offset })) }, 'batch failed, retrying');
        },
      },
    ).finally(() => {
      this.retrying = null;
    });
  }

  private decode(batch: Batch): Promise<DecodedRecord<SourceRecord>[]> {
    const { resolver } = this.deps;
    return Promise.all(
      batch.messages.map(async (m): Promise<DecodedRecord<SourceRecord>> => {
        const record: SourceRecord = { key: m.key, value: m.value, headers: toHeaders(m.headers) };
        const position = { partition: batch.partition, offset: m.offset };
        try {
          const command = await decodeCommand(m.value, resolver);
          const key = m.key?.toString('utf8');
          if (key !== command.orderId) {
            // A record keyed otherwise can land on another partition than its order's
            // other commands, which would break per-order ordering.
            return { record, position, error: { code: 'KEY_MISMATCH', message: `record key ${JSON.stringify(key ?? null)} is not the command's orderId ${command.orderId}` } };
          }
          return { record, position, command };
        } catch (err) {
          if (isDecodeError(err)) return { record, position, error: { code: err.code, message: err.message } };
          throw err; // e.g. registry unreachable: transient, retry the batch
        }
      }),
    );
  }

  /** Batches of distinct partitions of one topic; an order lives in one partition, so each is planned on its own. */
  private async processBatches(batches: Batch[], assumeCreatesNew: boolean): Promise<void> {
    const { metrics } = this.deps;
    const started = performance.now();
    const now = new Date();
    const decodedByBatch = await Promise.all(batches.map((b) => this.decode(b)));
    const decoded = decodedByBatch.flat();

    // An order whose first command here is its CreateOrder is assumed new and not read:
    // most creates are new, and that saves a read round trip per new order. Its
    // insert checks the assumption (a duplicate key fails the attempt; the retry reads
    // everything). A create that writes nothing (rejected) checks nothing, so those are
    // read and the batch planned again.
    const firstCommand = new Map<string, string>();
    for (const d of decoded) if ('command' in d && !firstCommand.has(d.command.orderId)) firstCommand.set(d.command.orderId, d.command.type);
    const loaded = new Map<string, OrderDocument>();
    const missing: string[] = [];
    const assumedNew: string[] = [];
    for (const [id, type] of firstCommand) {
      const hit = this.cache.get(id);
      if (hit) loaded.set(id, hit);
      else if (assumeCreatesNew && type === 'CreateOrder') assumedNew.push(id);
      else missing.push(id);
    }
    if (missing.length > 0) for (const [id, doc] of await this.store!.load(missing)) loaded.set(id, doc);

    const planAll = () => decodedByBatch.map((d) => applyBatch(d, loaded));
    let plans = planAll();
    const inserted = new Set(plans.flatMap((p) => p.writes.filter((w) => w.expectedRevision === 0).map((w) => w.doc._id)));
    const unchecked = assumedNew.filter((id) => !inserted.has(id));
    if (unchecked.length > 0) {
      for (const [id, doc] of await this.store!.load(unchecked)) loaded.set(id, doc);
      plans = planAll();
    }
    const writes = plans.flatMap((p) => p.writes);
    const outcomes = plans.flatMap((p) => p.outcomes);
    const topic = batches[0]!.topic;
    const byTopic = await this.encodeOutputs(topic, plans.flatMap((p) => p.outputs), now);

    // One after the other: concurrent writes to one FerretDB/SQLite database deadlocked
    // it (every later request on that database hung).
    await this.store!.write(writes);
    await this.store!.recordOutcomes(outcomes, now);
    await this.commit(topic, batches.map((b) => ({ partition: b.partition, lastOffset: b.messages[b.messages.length - 1]!.offset })), byTopic);

    // Only now is the batch's state the committed truth worth caching.
    for (const w of writes) this.remember(w.doc);
    const committedAt = Date.now();
    this.lastBatchAt = committedAt;
    for (const b of batches) metrics.batchSize.observe(b.messages.length);
    metrics.batchDuration.observe((performance.now() - started) / 1000);
    for (const d of decoded) {
      if ('error' in d) {
        metrics.commands.inc({ type: 'unknown', outcome: 'dead_lettered' });
        metrics.deadLetters.inc({ code: d.error.code });
        continue;
      }
      const issued = Date.parse(d.command.issuedAt);
      if (Number.isFinite(issued)) metrics.latency.observe(Math.max(0, committedAt - issued) / 1000);
    }
    batches.forEach((b, i) => {
      const plan = plans[i]!;
      for (const t of plan.tally) metrics.commands.inc({ type: t.commandType, outcome: t.outcome });
      if (plan.stats.duplicates > 0) this.deps.logger.info({ partition: b.partition, ...plan.stats }, 'batch contained re-delivered commands');
    });
  }

  private async encodeOutputs(sourceTopic: string, outputs: Output<SourceRecord>[], now: Date): Promise<Map<string, OutMessage[]>> {
    const { topics, serviceName } = this.deps.config;
    const byTopic = new Map<string, OutMessage[]>([[topics.events, []], [topics.outcomes, []], [topics.deadLetters, []]]);
    const encoded = await Promise.all(
      outputs.map(async (o): Promise<[string, OutMessage]> => {
        switch (o.kind) {
          case 'event':
            return [topics.events, await eventMessage(this.encoder, topics.events, `/${serviceName}`, o.event)];
          case 'outcome':
            return [topics.outcomes, await outcomeMessage(this.encoder, topics.outcomes, o.outcome)];
          case 'dead-letter':
            return [topics.deadLetters, deadLetterMessage(o.record, sourceTopic, o.position, o.reason, now)];
        }
      }),
    );
    for (const [topic, message] of encoded) byTopic.get(topic)!.push(message);
    return byTopic;
  }

  /** Outputs and the next offset to read in one Kafka transaction. */
  private async commit(topic: string, positions: { partition: number; lastOffset: string }[], byTopic: Map<string, OutMessage[]>): Promise<void> {
    const producer = this.producer!;
    const tx = await producer.transaction();
    try {
      const topicMessages = [...byTopic].filter(([, m]) => m.length > 0).map(([t, messages]) => ({ topic: t, messages }));
      if (topicMessages.length > 0) await tx.sendBatch({ topicMessages } as unknown as KafkaJS.ProducerBatch);
      await tx.sendOffsets({
        consumer: this.consumer!,
        topics: [{ topic, partitions: positions.map(({ partition, lastOffset }) => ({ partition, offset: (BigInt(lastOffset) + 1n).toString() })) }],
      } as unknown as Parameters<Producer['sendOffsets']>[0]);
      await tx.commit();
    } catch (err) {
      this.deps.metrics.transactionAborts.inc();
      try {
        await tx.abort();
      } catch (abortErr) {
        // A producer that cannot abort is unusable (fenced or broken): start a new one.
        this.deps.logger.warn({ err: (abortErr as Error).message }, 'abort failed, recreating the transactional producer');
        await producer.disconnect().catch(() => undefined);
        this.producer = await this.connectProducer();
      }
      throw err;
    }
  }

  private remember(doc: OrderDocument): void {
    this.cache.delete(doc._id);
    this.cache.set(doc._id, doc);
    if (this.cache.size > this.deps.options.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Lag per assigned partition, and the stall watchdog (a consumer that silently stops fetching). */
  private async watchLag(): Promise<void> {
    if (!this.consumer || !this.admin || this.stopping) return;
    try {
      const topic = this.deps.config.topics.commands;
      const assigned = new Set(this.consumer.assignment().filter((a) => a.topic === topic).map((a) => a.partition));
      const [ends, committed] = await Promise.all([
        this.admin.fetchTopicOffsets(topic),
        this.admin.fetchOffsets({ groupId: this.deps.options.groupId, topics: [topic] }),
      ]);
      const committedBy = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
      let total = 0;
      this.deps.metrics.lag.reset();
      for (const p of ends) {
        if (!assigned.has(p.partition)) continue;
        const end = Number(p.high ?? p.offset);
        const done = Math.max(0, committedBy.get(p.partition) ?? 0);
        const lag = Math.max(0, end - done);
        total += lag;
        this.deps.metrics.lag.set({ partition: String(p.partition) }, lag);
      }
      if (total > 0 && total >= this.lastTotalLag) this.lagGrowingSince ??= Date.now();
      else this.lagGrowingSince = null;
      this.lastTotalLag = total;
      this.ready();
    } catch (err) {
      this.deps.logger.debug({ err: (err as Error).message }, 'lag check failed');
    }
  }
}

interface Batch {
  topic: string;
  partition: number;
  messages: BatchMessage[];
}

interface BatchPayload {
  batch: Batch;
  isStale: () => boolean;
}
