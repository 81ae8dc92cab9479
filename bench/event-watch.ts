// Watches wms.orders.events (read_committed: an event is seen once its transaction has
// committed) and matches each event to the accepted command that caused it by its
// CloudEvents headers: ce_subject is the orderId, ce_type tells a create (received), a
// validate (validated) and a modify (modified) apart — no Avro decoding needed. An
// order's commands are sent one after the other and its events come in order (one
// partition), so equal (type, orderId) keys are matched first in, first out.
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import hdr from 'hdr-histogram-js';
import type { Kafka } from '../src/shared/kafka.js';
import type { Accepted, CommandKind } from './open-load.js';

const EVENT_OF: Record<CommandKind, string> = { create: 'wms.order.received', validate: 'wms.order.validated', modify: 'wms.order.modified' };

const header = (v: unknown): string => String(Array.isArray(v) ? v[0] : (v ?? ''));

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentiles(h: hdr.Histogram): Percentiles {
  const at = (p: number) => Number(h.getValueAtPercentile(p).toFixed(1));
  return { count: h.totalCount, p50: at(50), p90: at(90), p99: at(99), max: Number(h.maxValue.toFixed(1)) };
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

function take<T>(m: Map<string, T[]>, key: string): T | undefined {
  const list = m.get(key);
  const v = list?.shift();
  if (list && list.length === 0) m.delete(key);
  return v;
}

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });

export class EventWatch {
  /** Accept (202) → event committed and consumed, ms. */
  readonly fromAccept = histogram();
  /** Scheduled send → event committed and consumed, ms (includes the HTTP part). */
  readonly fromSend = histogram();
  /** Scheduled send → 202, ms. */
  readonly http = histogram();
  matched = 0;
  accepted = 0;
  lastMatchAt = 0;
  private readonly waiting = new Map<string, Accepted[]>();
  private readonly early = new Map<string, number[]>();
  private waitingCount = 0;
  private consumer: KafkaJS.Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({
      'isolation.level': 'read_committed',
      kafkaJS: { groupId: this.groupId, fromBeginning: true, autoCommit: false },
    } as KafkaJS.ConsumerConstructorConfig);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic] });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const m of batch.messages) {
          const key = `${header(m.headers?.ce_type)}|${header(m.headers?.ce_subject)}`;
          const a = take(this.waiting, key);
          if (a) {
            this.waitingCount--;
            this.record(a, now);
          } else push(this.early, key, now);
        }
      },
    });
  }

  /** Called for every 202; `record` false for warm-up commands (matched, not counted). */
  expect(a: Accepted, record = true): void {
    this.accepted++;
    const key = `${EVENT_OF[a.kind]}|${a.orderId}`;
    const at = take(this.early, key);
    const entry = record ? a : { ...a, scheduledAt: NaN };
    if (at !== undefined) this.record(entry, at);
    else {
      push(this.waiting, key, entry);
      this.waitingCount++;
    }
  }

  /** Accepted commands whose event has not been seen yet. */
  get backlog(): number {
    return this.waitingCount;
  }

  private record(a: Accepted, at: number): void {
    this.matched++;
    this.lastMatchAt = at;
    if (Number.isNaN(a.scheduledAt)) return;
    this.fromAccept.recordValue(Math.max(1, at - a.acceptedAt));
    this.fromSend.recordValue(Math.max(1, at - a.scheduledAt));
    this.http.recordValue(Math.max(1, a.acceptedAt - a.scheduledAt));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
