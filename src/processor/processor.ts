// The consume loop of one processor replica: group membership on the commands topic,
// rebalances (which empty the order cache), and handing partition batches on to the
// runner in groups. What happens to a group is elsewhere, one part per job:
//   batch-runner.ts     retry outages, isolate poison records (dead letter)
//   batch-pipeline.ts   decode → load → plan → MongoDB write → Kafka transaction
//   apply-batch.ts      the pure plan: redelivery, resubmission, decide/evolve
//   committer.ts        the Kafka transaction, the coordinator's committed offsets
//   fetch-progress.ts   what the consumer still has to read (librdkafka statistics)
//   watchdog.ts         lag, readiness and liveness
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Db } from 'mongodb';
import pRetry from 'p-retry';
import type { SchemaResolver } from '../schemas/index.js';
import type { Config, ProcessorConfig } from '../shared/config.js';
import type { Expiry } from '../shared/expiry.js';
import { Failpoints } from '../shared/failpoints.js';
import { ensureTopics, topicIdOf, type Consumer, type Kafka } from '../shared/kafka.js';
import type { Logger } from '../shared/logger.js';
import { ensureOrderIndexes } from '../shared/orders-collection.js';
import { ensureOutcomeIndexes } from '../shared/outcomes-collection.js';
import { ensureHistoryIndexes } from '../shared/history-collection.js';
import type { Registry } from '../shared/registry.js';
import { BatchPipeline, type Batch } from './batch-pipeline.js';
import { BatchRunner, type OwnedBatch } from './batch-runner.js';
import { TransactionCommitter } from './committer.js';
import { eventsLogWarnings, eventsTopicConfigs } from './events-log.js';
import { FetchProgress, STATISTICS_INTERVAL_MS } from './fetch-progress.js';
import type { ProcessorMetrics } from './metrics.js';
import { OrderCache } from './order-cache.js';
import { OrderStore } from './order-store.js';
import { ensureCommandDeadLetterIndexes } from '../shared/command-dead-letters-collection.js';
import { CommittedProgress } from './committed-progress.js';
import { topicLimits } from './record-limits.js';
import { ProgressWatchdog } from './watchdog.js';

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

interface Waiting {
  owned: OwnedBatch;
  resolve: () => void;
}

/** A group in the pipeline, from its start until it committed or was rewound. */
interface Flight {
  batches: OwnedBatch['batch'][];
  run: Promise<void>;
  settled: boolean;
  failed: boolean;
}

export class CommandProcessor {
  private consumer: Consumer | undefined;
  private runner: BatchRunner | undefined;
  private readonly committer: TransactionCommitter;
  private readonly cache: OrderCache;
  private readonly watchdog: ProgressWatchdog;
  private readonly fetchProgress: FetchProgress;
  private readonly failpoints: Failpoints;
  /** Outcomes and dead-letter notes expire (a TTL index, or a sweeper where there is none). */
  private expiries: Expiry[] = [];
  private stopping = false;
  private running = false;
  /** Partition batches handed over by the consumer, run together by drain(). */
  private waiting: Waiting[] = [];
  private draining = false;
  /** Groups started and not yet committed (or failed and not yet rewound), oldest first. */
  private inflight: Flight[] = [];
  /** The run of the group started last: the next group's transaction follows it. */
  private lastRun: Promise<void> = Promise.resolve();
  /** Set while groups that will not commit are being handed back to the consumer. */
  private rewinding: Promise<void> | null = null;
  /** Partitions whose revoke waits for the groups in flight. */
  private revoking = new Set<number>();
  /** Why start() is still waiting, for /ready. */
  private starting: string | null = 'starting';
  /** Why a rebuild from the events topic would be incomplete (events-log.ts): /ready says degraded. */
  private degraded: string[] = [];

  constructor(private readonly deps: ProcessorDeps) {
    const { options, kafka, logger, metrics, config } = deps;
    this.failpoints = new Failpoints(options.failpoints);
    if (this.failpoints.active) logger.warn({ failpoints: options.failpoints }, 'FAILPOINTS ARMED: this replica will fail on purpose (tests only)');
    this.cache = new OrderCache(options.cacheMaxBytes);
    this.committer = new TransactionCommitter({ kafka, instanceId: options.instanceId, transactionTimeoutMs: options.transactionTimeoutMs, maxRecordBytes: options.maxRecordBytes, failpoints: this.failpoints, logger, metrics });
    this.watchdog = new ProgressWatchdog({ stallTimeoutMs: options.stallTimeoutMs, livenessTimeoutMs: options.livenessTimeoutMs, metrics });
    this.fetchProgress = new FetchProgress(config.topics.commands);
  }

  /**
   * Prepares topics, indexes and the producer, then joins the group. A broker or MongoDB
   * that is not reachable yet is waited for with capped backoff (the ops port
   * answers meanwhile, /ready false with the reason): replicas may start before the
   * servers do, as they do in docker-compose or after a cluster restart.
   */
  async start(): Promise<void> {
    const { kafka, logger, options } = this.deps;
    const { store, commandsTopicId } = await pRetry(() => this.prepare(), {
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
    const consumer = kafka.consumer({
      'partition.assignment.strategy': 'cooperative-sticky',
      'isolation.level': 'read_committed',
      'js.consumer.max.batch.size': options.maxBatchSize,
      'fetch.wait.max.ms': 50,
      // Awaited by the client before it gives the partitions up (see onRebalance).
      rebalance_cb: (err: { code: number }, assignment: Array<{ partition: number }>) => this.onRebalance(err, assignment),
      // What is left to read, for the lag (fetch-progress.ts).
      'statistics.interval.ms': STATISTICS_INTERVAL_MS,
      stats_cb: this.fetchProgress.onStatistics,
      kafkaJS: { groupId: options.groupId, autoCommit: false, fromBeginning: true, sessionTimeout: 10_000 },
    } as unknown as KafkaJS.ConsumerConstructorConfig);
    this.consumer = consumer;
    const progress = new CommittedProgress(this.deps.db, commandsTopicId, logger);
    const pipeline = new BatchPipeline({ ...this.deps, store, commandsTopicId, progress, committer: this.committer, cache: this.cache, failpoints: this.failpoints, consumer: () => consumer });
    this.runner = new BatchRunner({
      pipeline,
      cache: this.cache,
      logger,
      metrics: this.deps.metrics,
      isStopping: () => this.stopping,
      onAttempt: () => undefined,
      onFailure: (err, kind) => this.watchdog.attemptFailed(err, kind),
      onSuccess: () => this.watchdog.batchCommitted(),
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.deps.config.topics.commands] });
    this.running = true;
    // Every partition may hand over a batch at once; they are grouped (one transaction).
    await consumer.run({ partitionsConsumedConcurrently: Math.max(1, this.deps.config.commandPartitions), eachBatch: (payload) => this.onBatch(payload as unknown as OwnedBatch) });
    this.watchdog.start(() => this.lag(consumer));
  }

  /** Per assigned partition: records the consumer has not handed over, and those handed over and not committed. */
  private lag(consumer: Consumer): Map<number, number> {
    const topic = this.deps.config.topics.commands;
    const lag = new Map<number, number>();
    for (const { partition } of consumer.assignment().filter((a) => a.topic === topic)) lag.set(partition, this.fetchProgress.toRead(partition));
    // Batches waiting for a group, and groups not committed or not yet rewound.
    const held = [...this.waiting.map((w) => w.owned.batch), ...this.inflight.flatMap((f) => f.batches)];
    for (const b of held) if (lag.has(b.partition)) lag.set(b.partition, lag.get(b.partition)! + b.messages.length);
    return lag;
  }

  /**
   * One attempt at what must exist before consuming; undoes its connections on failure.
   * The Admin client lives only for this: no coordinator-targeted Admin request runs in
   * a working replica (see committer.ts, why).
   */
  private async prepare(): Promise<{ store: OrderStore; commandsTopicId: string }> {
    const { config, kafka, db, logger } = this.deps;
    const admin = kafka.admin();
    try {
      await admin.connect();
      const t = config.topics;
      await ensureTopics(admin, [
        { topic: t.commands, numPartitions: config.commandPartitions },
        // The topics it writes get room for the largest record it writes.
        ...[t.events, t.outcomes, t.deadLetters].map((topic) => ({
          topic,
          numPartitions: config.commandPartitions,
          configs: { ...topicLimits(this.deps.options.maxRecordBytes), ...(topic === t.events ? eventsTopicConfigs(this.deps.options.eventsRetentionMs) : {}) },
        })),
      ]);
      this.degraded = await eventsLogWarnings(admin, t.events, this.deps.options.eventsRetentionMs);
      for (const warning of this.degraded) logger.warn({ topic: t.events }, warning);
      await ensureOrderIndexes(db);
      await ensureHistoryIndexes(db);
      for (const e of this.expiries) e.stop();
      const retention = this.deps.options.outcomeRetentionSeconds;
      this.expiries = [await ensureOutcomeIndexes(db, logger, retention), await ensureCommandDeadLetterIndexes(db, logger, retention)];
      logger.info({ outcomeExpiry: this.expiries[0]!.kind }, 'processor storage ready');
      await this.committer.connect();
      return { store: new OrderStore(db), commandsTopicId: await topicIdOf(admin, t.commands) };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Finishes the batch in flight (the consumer waits for it), commits, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.watchdog.stop();
    for (const e of this.expiries) e.stop();
    await this.consumer?.disconnect().catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'consumer disconnect'));
    await this.settled();
    this.running = false;
    await this.committer.disconnect();
  }

  ready(): { ready: boolean; reasons: string[]; degraded: string[] } {
    const reasons: string[] = [];
    if (this.starting) reasons.push(this.starting);
    else if (!this.running) reasons.push('not consuming');
    reasons.push(...this.watchdog.readinessReasons());
    const ready = reasons.length === 0;
    this.deps.metrics.ready.set(ready ? 1 : 0);
    return { ready, reasons, degraded: this.degraded };
  }

  /** Liveness: false only when the consume loop is hung (see watchdog.ts). */
  live(): { live: boolean; reasons: string[] } {
    const dead = this.running ? this.watchdog.deadReason() : null;
    return { live: dead === null, reasons: dead ? [dead] : [] };
  }

  /**
   * A revoke waits for the groups in flight: their batches were handed back to the
   * consumer before they committed, and the next owner must not start from offsets that
   * a transaction of ours is still about to move (it would process those records too).
   */
  private async onRebalance(err: { code: number }, assignment: Array<{ partition: number }>): Promise<void> {
    const revoked = err.code === KafkaJS.ErrorCodes.ERR__REVOKE_PARTITIONS;
    this.deps.metrics.rebalances.inc({ kind: revoked ? 'revoke' : 'assign' });
    const partitions = assignment.map((a) => a.partition);
    if (revoked) {
      for (const p of partitions) this.revoking.add(p);
      try {
        await this.settled();
      } finally {
        for (const p of partitions) this.revoking.delete(p);
      }
      this.committer.forget(partitions);
    }
    // Another replica may have written or may write these orders: forget what we cached.
    this.cache.reset();
    this.deps.logger.info({ kind: revoked ? 'revoke' : 'assign', partitions }, 'rebalance');
  }

  /**
   * Partition batches handed over while a group is being processed wait and then go
   * together, up to PROCESSOR_MAX_BATCH records: one MongoDB write, one Kafka
   * transaction (offsets of every partition in it). Each costs ~20 ms on the local stack
   * whatever its size, so one transaction per partition batch made a record wait for a
   * whole round of partitions.
   */
  private onBatch(owned: OwnedBatch): Promise<void> {
    if (owned.batch.messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiting.push({ owned, resolve });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        if (this.rewinding) await this.rewinding;
        const group = this.waiting.splice(0, this.groupLength());
        await this.startGroup(group);
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Starts a group and returns once the next may start: when this one's MongoDB writes
   * are done (its transaction commits after the previous group's, in the background —
   * pipelining) or it ended. Its batches are handed back to the consumer then, so the
   * next records of those partitions arrive while it commits. A group that fails from
   * here on never commits: rewind() makes the consumer deliver its records again. At
   * most two groups are in flight: one committing, one being planned and written.
   */
  private async startGroup(group: Waiting[]): Promise<void> {
    const previous = this.lastRun;
    let prepared!: () => void;
    const written = new Promise<void>((resolve) => (prepared = resolve));
    const run = this.runner!.run(
      group.map((g) => g.owned),
      { previous, prepared },
    );
    const flight: Flight = { batches: group.map((g) => g.owned.batch), run, settled: false, failed: false };
    this.inflight.push(flight);
    this.lastRun = run;
    run.then(
      () => {
        flight.settled = true;
        this.inflight = this.inflight.filter((f) => f !== flight);
      },
      (err: unknown) => {
        flight.settled = true;
        flight.failed = true;
        this.deps.logger.warn({ err: (err as Error).message }, 'group will not commit: its records go back to the consumer');
        this.rewinding ??= this.rewind().finally(() => (this.rewinding = null));
      },
    );
    await Promise.race([written, run.catch(() => undefined)]);
    for (const g of group) g.resolve();
    await previous.catch(() => undefined);
  }

  /**
   * Groups that failed after their batches went back to the consumer (lost membership,
   * stopping, a failed predecessor): once every group in flight has settled — an older
   * one may still commit — each partition of theirs is sought back to the first record
   * they held, and the records come again (redeliveries, recognised by position: their
   * writes are in MongoDB with their pending events).
   */
  private async rewind(): Promise<void> {
    while (this.inflight.some((f) => !f.settled)) await Promise.allSettled(this.inflight.map((f) => f.run));
    const failed = this.inflight.filter((f) => f.failed);
    this.inflight = this.inflight.filter((f) => !f.failed);
    this.lastRun = Promise.resolve();
    this.cache.reset();
    const from = new Map<number, bigint>();
    for (const b of failed.flatMap((f) => f.batches)) {
      const first = BigInt(b.messages[0]!.offset);
      if (!from.has(b.partition) || first < from.get(b.partition)!) from.set(b.partition, first);
    }
    const topic = this.deps.config.topics.commands;
    const assigned = new Set((this.consumer?.assignment() ?? []).map((a) => a.partition));
    for (const [partition, offset] of from) {
      // A partition being given up starts from the group's committed offset at its next
      // owner; a seek would outlive the revoke (the client keeps it for a later assignment).
      if (!assigned.has(partition) || this.stopping || this.revoking.has(partition)) continue;
      this.deps.logger.info({ partition, offset: offset.toString() }, 'records of a group that did not commit: delivered again');
      try {
        this.consumer!.seek({ topic, partition, offset: offset.toString() });
      } catch (err) {
        this.deps.logger.warn({ err: (err as Error).message, partition }, 'seek back failed');
      }
    }
  }

  /** Every group in flight committed or was rewound. */
  private async settled(): Promise<void> {
    while (this.inflight.some((f) => !f.settled) || this.rewinding) {
      await Promise.allSettled(this.inflight.map((f) => f.run));
      if (this.rewinding) await this.rewinding;
    }
  }

  /** Waiting batches that fit in one group: PROCESSOR_MAX_BATCH records (at least one batch), so a backlog does not make one huge write. */
  private groupLength(): number {
    let records = 0;
    let n = 0;
    for (const w of this.waiting) {
      records += w.owned.batch.messages.length;
      if (n > 0 && records > this.deps.options.maxBatchSize) break;
      n++;
    }
    return n;
  }
}

export type { Batch };
