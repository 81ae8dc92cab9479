// Kafka records the processor emits: events (CloudEvents binary mode headers), outcomes
// and dead letters (original key, value and headers — a traceparent included — plus where
// and why).
import { CLOUDEVENT_TYPES, encodeEvent, encodeOutcome, type AvroEncoder, type CommandOutcome, type OrderEvent } from '../schemas/index.js';
import type { DeadLetterReason, RecordPosition } from './apply-batch.js';
import { recordBytes } from './record-limits.js';

/** A header's value, or its values when the name repeats (Kafka allows that; a dead letter keeps them all). */
export type HeaderValues = string | Buffer | Array<string | Buffer>;

export interface OutMessage {
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Record<string, HeaderValues>;
}

export interface SourceRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, HeaderValues>;
}

export const DLQ_HEADERS = {
  errorCode: 'x-dlq-error-code',
  errorMessage: 'x-dlq-error-message',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  failedAt: 'x-dlq-failed-at',
  /** Set when the original value did not fit in a dead letter: its size in bytes (read it from the source topic at the source offset). */
  valueOmitted: 'x-dlq-value-omitted',
  /** Set when not even the original headers fitted: how many were left out. */
  headersOmitted: 'x-dlq-headers-omitted',
} as const;

/**
 * `trace` (traceparent, tracestate of the span that wrote the record) on an event: the
 * CloudEvents distributed-tracing extension as binary-mode attributes (`ce_traceparent`,
 * the Kafka binding prefixes every attribute with `ce_`), and the plain W3C headers too,
 * which OpenTelemetry's Kafka instrumentations read.
 */
const cloudEventTrace = (trace: Record<string, string>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(trace)) {
    out[`ce_${k}`] = v;
    out[k] = v;
  }
  return out;
};

export async function eventMessage(encoder: AvroEncoder, topic: string, source: string, event: OrderEvent, trace: Record<string, string> = {}): Promise<OutMessage> {
  return {
    key: event.orderId,
    value: await encodeEvent(encoder, topic, event),
    headers: {
      ce_specversion: '1.0',
      ce_id: event.eventId,
      ce_type: CLOUDEVENT_TYPES[event.type],
      ce_source: source,
      ce_subject: event.orderId,
      ce_time: event.occurredAt,
      'content-type': 'application/avro',
      'correlation-id': event.correlationId,
      ...cloudEventTrace(trace),
    },
  };
}

export async function outcomeMessage(encoder: AvroEncoder, topic: string, outcome: CommandOutcome, trace: Record<string, string> = {}): Promise<OutMessage> {
  return {
    key: outcome.orderId,
    value: await encodeOutcome(encoder, topic, outcome),
    headers: { 'content-type': 'application/avro', 'correlation-id': outcome.correlationId, ...trace },
  };
}

/**
 * The original record (key, value, headers) plus where and why. `maxBytes`: a dead letter
 * that would be larger leaves the value out, then the original headers (record-limits.ts).
 */
export function deadLetterMessage(record: SourceRecord, sourceTopic: string, position: RecordPosition, reason: DeadLetterReason, at: Date, maxBytes: number): OutMessage {
  const why: Record<string, string> = {
    [DLQ_HEADERS.errorCode]: reason.code,
    [DLQ_HEADERS.errorMessage]: reason.message.slice(0, 2000),
    [DLQ_HEADERS.sourceTopic]: sourceTopic,
    [DLQ_HEADERS.sourcePartition]: String(position.partition),
    [DLQ_HEADERS.sourceOffset]: position.offset,
    [DLQ_HEADERS.failedAt]: at.toISOString(),
  };
  const whole: OutMessage = { key: record.key, value: record.value, headers: { ...record.headers, ...why } };
  if (recordBytes(whole) <= maxBytes) return whole;
  const omitted = { [DLQ_HEADERS.valueOmitted]: String(record.value?.length ?? 0) };
  const withoutValue: OutMessage = { key: record.key, value: null, headers: { ...record.headers, ...why, ...omitted } };
  if (recordBytes(withoutValue) <= maxBytes) return withoutValue;
  return { key: record.key, value: null, headers: { ...why, ...omitted, [DLQ_HEADERS.headersOmitted]: String(Object.keys(record.headers).length) } };
}
