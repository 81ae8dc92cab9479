// `Prefer: wait`: one consumer per edge process reads the outcomes topic and resolves the
// requests waiting for a commandId — one shared mechanism, no polling per request. It
// reads from the latest offset under a unique group and never commits. An outcome that
// arrived before the wait started (or before the consumer was assigned) is found by one
// MongoDB look-up right after registering, and one more when the time is up.
// Bounded: at most `maxWaiters` requests wait at once (memory does not grow with rate ×
// wait time), and only records keyed by an order somebody waits for are decoded, so an
// edge's cost does not grow with the whole system's command rate.
import { randomUUID } from 'node:crypto';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { decodeOutcome, type SchemaResolver } from '../schemas/index.js';
import type { Consumer, Kafka } from '../shared/kafka.js';
import type { Logger } from '../shared/logger.js';
import { brokerProbe } from './broker-probe.js';
import { LazyConnection } from './kafka-connection.js';
import type { EdgeMetrics } from './metrics.js';

/** What became of a command, as far as the HTTP answer needs it. */
export interface Outcome {
  status: 'applied' | 'rejected';
  code?: string;
  reason?: string;
  version: number;
}

export type OutcomeLookup = (commandId: string, orderId: string) => Promise<Outcome | undefined>;

export interface OutcomeWaiterOptions {
  kafka: Kafka;
  /** Bootstrap brokers of `kafka`, for the reachability probe. */
  brokers: readonly string[];
  topic: string;
  resolver: SchemaResolver;
  lookup: OutcomeLookup;
  metrics: EdgeMetrics;
  log: Logger;
  serviceName: string;
  /** Requests that may wait at once; wait() refuses beyond it. */
  maxWaiters: number;
}

const RESTART_DELAY_MS = 2000;

export class OutcomeWaiter {
  private readonly waiters = new Map<string, Set<(o: Outcome | undefined) => void>>();
  /** Waiting requests per orderId (the outcome record's key): the filter applied before decoding. */
  private readonly waitedOrders = new Map<string, number>();
  private waiting = 0;
  private consumer: Consumer | undefined;
  private connection: LazyConnection<Consumer> | undefined;
  private closed = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: OutcomeWaiterOptions) {}

  /** Starts consuming in the background; keeps retrying while Kafka is unreachable. */
  start(): void {
    void this.run();
  }

  /** True once the consumer has partitions assigned (outcomes from now on are seen live). */
  isAssigned(): boolean {
    try {
      return (this.consumer?.assignment().length ?? 0) > 0;
    } catch {
      return false;
    }
  }

  pending(): number {
    return this.waiting;
  }

  /**
   * The outcome of `commandId`, or undefined if none arrived within `ms`; `undefined`
   * instead of a promise when `maxWaiters` requests already wait (answer at once).
   */
  wait(commandId: string, orderId: string, ms: number): Promise<Outcome | undefined> | undefined {
    if (this.waiting >= this.opts.maxWaiters) {
      this.opts.metrics.waitsRefused.inc();
      return undefined;
    }
    this.waiting++;
    this.waitedOrders.set(orderId, (this.waitedOrders.get(orderId) ?? 0) + 1);
    this.opts.metrics.outcomeWaiters.set(this.waiting);
    return this.waitFor(commandId, orderId, ms).finally(() => {
      this.waiting--;
      const n = (this.waitedOrders.get(orderId) ?? 1) - 1;
      if (n > 0) this.waitedOrders.set(orderId, n);
      else this.waitedOrders.delete(orderId);
      this.opts.metrics.outcomeWaiters.set(this.waiting);
    });
  }

  private async waitFor(commandId: string, orderId: string, ms: number): Promise<Outcome | undefined> {
    const key = commandId.toLowerCase();
    let resolveFn: (o: Outcome | undefined) => void = () => undefined;
    const result = new Promise<Outcome | undefined>((resolve) => (resolveFn = resolve));
    const set = this.waiters.get(key) ?? new Set();
    set.add(resolveFn);
    this.waiters.set(key, set);
    const timer = setTimeout(() => {
      void this.safeLookup(commandId, orderId).then((o) => resolveFn(o));
    }, ms);
    void this.safeLookup(commandId, orderId).then((o) => o && resolveFn(o));
    try {
      return await result;
    } finally {
      clearTimeout(timer);
      set.delete(resolveFn);
      if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
    }
  }

  /** Answers every waiting request now (as "no outcome yet" → 202), e.g. when shutting down. */
  releaseAll(): void {
    for (const set of this.waiters.values()) for (const resolve of [...set]) resolve(undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    this.consumer = undefined;
    await this.connection?.close();
  }

  private async safeLookup(commandId: string, orderId: string): Promise<Outcome | undefined> {
    try {
      return await this.opts.lookup(commandId, orderId);
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message, commandId }, 'outcome look-up in MongoDB failed');
      return undefined;
    }
  }

  private deliver(commandId: string, outcome: Outcome): void {
    const set = this.waiters.get(commandId.toLowerCase());
    if (!set) return;
    for (const resolve of [...set]) resolve(outcome);
  }

  private async run(): Promise<void> {
    if (this.closed) return;
    const { kafka, topic, resolver, log, serviceName } = this.opts;
    const connection = new LazyConnection<Consumer>(
      () =>
        kafka.consumer({
          'isolation.level': 'read_committed',
          'enable.auto.commit': false,
          // Notice soon when the outcomes topic is created after the edge started (default 5 min).
          'topic.metadata.refresh.interval.ms': 10_000,
          kafkaJS: { groupId: `${serviceName}-edge-outcomes-${randomUUID()}`, fromBeginning: false, autoCommit: false },
        } as KafkaJS.ConsumerConstructorConfig),
      brokerProbe(this.opts.brokers),
    );
    this.connection = connection;
    try {
      const consumer = await connection.get();
      this.consumer = consumer;
      await consumer.subscribe({ topic });
      await consumer.run({
        eachMessage: async ({ message }) => {
          // The processor keys outcomes by orderId: skip the others before decoding (a
          // keyless record from another producer is decoded, to be safe).
          const key = message.key?.toString('utf8');
          if (this.waiting === 0 || (key !== undefined && !this.waitedOrders.has(key))) {
            this.opts.metrics.outcomeRecords.inc({ result: 'skipped' });
            return;
          }
          this.opts.metrics.outcomeRecords.inc({ result: 'decoded' });
          try {
            const o = await decodeOutcome(message.value, resolver);
            this.deliver(o.commandId, { status: o.status, version: o.version, ...(o.code ? { code: o.code } : {}), ...(o.reason ? { reason: o.reason } : {}) });
          } catch (err) {
            log.warn({ err: (err as Error).message, offset: message.offset }, 'outcome record not decodable; skipped');
          }
        },
      });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'outcome consumer could not start; retrying');
      this.consumer = undefined;
      await connection.close();
      if (!this.closed) this.restartTimer = setTimeout(() => void this.run(), RESTART_DELAY_MS);
    }
  }
}
