// The one place that knows how large a record the processor may write to Kafka, and how
// large a record is. librdkafka counts key, value, headers and the record's own overhead
// against its `message.max.bytes`, and the broker holds each record batch to the topic's
// `max.message.bytes`; a record over either is refused inside the transaction, where no
// retry can help. Every record is measured here before anything is written, so:
// - an event or outcome that would not fit makes its command a RECORD_TOO_LARGE rejection;
// - a dead letter that would not fit keeps the original's key, headers and position and
//   leaves out its value (say so in a header; the original stays readable in the commands
//   topic for its retention), and then its headers, if even those do not fit.
// The limit is PROCESSOR_MAX_RECORD_BYTES: this client cannot read topic configurations
// (no DescribeConfigs in kafka-javascript 1.10), so the producer is given this limit and
// the topics the processor creates are given room for it; topics made elsewhere with a
// smaller max.message.bytes need PROCESSOR_MAX_RECORD_BYTES set to match.
import type { OutMessage } from './messages.js';

/** What librdkafka and the broker add per record and per batch (record header varints, batch header of 61 bytes), rounded up. */
export const RECORD_OVERHEAD_BYTES = 128;
/** Per header: its two length varints. */
const HEADER_OVERHEAD_BYTES = 10;

const length = (v: Buffer | string | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

/** A record's size as the producer and the broker count it (an upper bound). */
export function recordBytes(m: Pick<OutMessage, 'key' | 'value' | 'headers'>): number {
  let bytes = RECORD_OVERHEAD_BYTES + length(m.key) + length(m.value);
  for (const [name, values] of Object.entries(m.headers)) {
    for (const value of Array.isArray(values) ? values : [values]) bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + length(value);
  }
  return bytes;
}

export class RecordTooLargeError extends Error {
  constructor(topic: string, bytes: number, limit: number) {
    super(`a record for ${topic} would be ${bytes} bytes, more than the ${limit} this processor may write (PROCESSOR_MAX_RECORD_BYTES)`);
    this.name = 'RecordTooLargeError';
  }
}

/** Producer settings that make librdkafka accept every record recordBytes() lets through. */
export const producerLimits = (maxRecordBytes: number): Record<string, number> => ({
  'message.max.bytes': maxRecordBytes,
  'batch.size': Math.min(1_000_000, maxRecordBytes),
});

/** Topic config for the topics the processor creates: room for the largest record (broker default 1,048,588). */
export const topicLimits = (maxRecordBytes: number): Record<string, string> => ({ 'max.message.bytes': String(Math.max(1_048_588, maxRecordBytes + RECORD_OVERHEAD_BYTES)) });
