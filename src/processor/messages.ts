// Kafka records the processor emits: events (CloudEvents binary mode headers), outcomes
// and dead letters (original key, value and headers — a traceparent included — plus where
// and why).
import { CLOUDEVENT_TYPES, encodeEvent, encodeOutcome, type AvroEncoder, type CommandOutcome, type OrderEvent } from '../schemas/index.js';
import type { DeadLetterReason, RecordPosition } from './apply-batch.js';

export interface OutMessage {
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Record<string, string | Buffer>;
}

export interface SourceRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string | Buffer>;
}

export const DLQ_HEADERS = {
  errorCode: 'x-dlq-error-code',
  errorMessage: 'x-dlq-error-message',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  failedAt: 'x-dlq-failed-at',
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

export function deadLetterMessage(record: SourceRecord, sourceTopic: string, position: RecordPosition, reason: DeadLetterReason, at: Date): OutMessage {
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DLQ_HEADERS.errorCode]: reason.code,
      [DLQ_HEADERS.errorMessage]: reason.message.slice(0, 2000),
      [DLQ_HEADERS.sourceTopic]: sourceTopic,
      [DLQ_HEADERS.sourcePartition]: String(position.partition),
      [DLQ_HEADERS.sourceOffset]: position.offset,
      [DLQ_HEADERS.failedAt]: at.toISOString(),
    },
  };
}
