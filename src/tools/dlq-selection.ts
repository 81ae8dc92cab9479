// Dead letters as an operator sees them, which of them a filter selects, and the record a
// replay writes back. Pure: the CLI (dlq.ts) does the reading and producing.
import { DLQ_HEADERS, type HeaderValues } from '../processor/messages.js';

/** One record of the DLQ topic as read from Kafka. */
export interface DlqRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, HeaderValues>;
  /** Broker/producer timestamp, ms since the epoch. */
  timestamp: number;
}

export interface DeadLetter {
  record: DlqRecord;
  errorCode: string;
  reason: string;
  /** The record key: the orderId for every record the processor could key-check. */
  orderId: string | null;
  source: { topic: string; partition: string; offset: string };
  failedAt: string | null;
  size: number;
}

export interface DeadLetterFilter {
  errorCodes?: string[];
  partition?: number;
  fromOffset?: bigint;
  toOffset?: bigint;
  orderId?: string;
  limit?: number;
}

/** Header naming where a replayed record came from; an `x-dlq-` header, so a second replay drops it too. */
export const REPLAYED_FROM_HEADER = 'x-dlq-replayed-from';
const DLQ_HEADER_PREFIX = 'x-dlq-';

/** A header as text: its first value when the name repeats. */
const text = (v: HeaderValues | undefined): string | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('utf8') : first;
};

export function toDeadLetter(record: DlqRecord): DeadLetter {
  const h = (name: string) => text(record.headers[name]);
  return {
    record,
    errorCode: h(DLQ_HEADERS.errorCode) ?? 'UNKNOWN',
    reason: h(DLQ_HEADERS.errorMessage) ?? '',
    orderId: record.key ? record.key.toString('utf8') : null,
    source: { topic: h(DLQ_HEADERS.sourceTopic) ?? '?', partition: h(DLQ_HEADERS.sourcePartition) ?? '?', offset: h(DLQ_HEADERS.sourceOffset) ?? '?' },
    failedAt: h(DLQ_HEADERS.failedAt) ?? null,
    size: record.value?.length ?? 0,
  };
}

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

/** CLI option strings → a filter; every bad value gets its own message. */
export function parseFilter(raw: { error?: string; partition?: string; fromOffset?: string; toOffset?: string; orderId?: string; limit?: string }): DeadLetterFilter {
  const problems: string[] = [];
  const wholeNumber = (name: string, v: string | undefined, min: bigint): bigint | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v.trim()) || BigInt(v.trim()) < min) {
      problems.push(`${name} must be a whole number${min > 0n ? ` ≥ ${min}` : ''}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return BigInt(v.trim());
  };
  const filter: DeadLetterFilter = {};
  if (raw.error !== undefined) {
    const codes = raw.error.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
    if (codes.length === 0 || codes.some((c) => !/^[A-Z0-9_]+$/.test(c))) problems.push(`--error takes error codes such as UNKNOWN_SCHEMA_ID (comma-separated), got ${JSON.stringify(raw.error)}`);
    else filter.errorCodes = codes;
  }
  const partition = wholeNumber('--partition', raw.partition, 0n);
  if (partition !== undefined) filter.partition = Number(partition);
  const fromOffset = wholeNumber('--from-offset', raw.fromOffset, 0n);
  if (fromOffset !== undefined) filter.fromOffset = fromOffset;
  const toOffset = wholeNumber('--to-offset', raw.toOffset, 0n);
  if (toOffset !== undefined) filter.toOffset = toOffset;
  if (fromOffset !== undefined && toOffset !== undefined && fromOffset > toOffset) problems.push(`--from-offset ${fromOffset} is after --to-offset ${toOffset}`);
  if (raw.orderId !== undefined) {
    if (raw.orderId.trim() === '') problems.push('--order-id must not be empty');
    else filter.orderId = raw.orderId.trim();
  }
  const limit = wholeNumber('--limit', raw.limit, 1n);
  if (limit !== undefined) filter.limit = Number(limit);
  if (problems.length > 0) throw new FilterError(problems.join('\n'));
  return filter;
}

const byPosition = (a: DeadLetter, b: DeadLetter): number => {
  if (a.record.partition !== b.record.partition) return a.record.partition - b.record.partition;
  const d = BigInt(a.record.offset) - BigInt(b.record.offset);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

/** Whether one dead letter meets every criterion of the filter except the limit; offsets are DLQ offsets, inclusive. */
export function matchesFilter(l: DeadLetter, filter: DeadLetterFilter): boolean {
  const offset = BigInt(l.record.offset);
  if (filter.errorCodes && !filter.errorCodes.includes(l.errorCode)) return false;
  if (filter.partition !== undefined && l.record.partition !== filter.partition) return false;
  if (filter.fromOffset !== undefined && offset < filter.fromOffset) return false;
  if (filter.toOffset !== undefined && offset > filter.toOffset) return false;
  if (filter.orderId !== undefined && l.orderId !== filter.orderId) return false;
  return true;
}

/** Dead letters matching the filter, in DLQ partition/offset order, at most `limit`. */
export function selectDeadLetters(letters: DeadLetter[], filter: DeadLetterFilter): DeadLetter[] {
  const selected = letters.filter((l) => matchesFilter(l, filter)).sort(byPosition);
  return filter.limit === undefined ? selected : selected.slice(0, filter.limit);
}

/**
 * Why a dead letter must not be written back, or undefined: a letter whose value was left
 * out (too large) would replay an empty record, and an ALREADY_APPLIED command was
 * applied once; with its outcome expired, a replay would apply it a second time.
 */
export function unreplayable(l: DeadLetter): string | undefined {
  const omitted = text(l.record.headers[DLQ_HEADERS.valueOmitted]);
  if (omitted !== undefined) return `its value (${omitted} bytes) was left out of the dead letter: read the original from ${l.source.topic} partition ${l.source.partition} offset ${l.source.offset}`;
  if (l.errorCode === 'ALREADY_APPLIED') return 'it was applied before and its outcome has expired: a replay would apply it twice';
  return undefined;
}

export interface ReplayRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, HeaderValues>;
}

/** The original record again: same key and value bytes, the original headers, and where it was replayed from. */
export function replayRecord(letter: DeadLetter): ReplayRecord {
  const headers: Record<string, HeaderValues> = {};
  for (const [name, value] of Object.entries(letter.record.headers)) if (!name.toLowerCase().startsWith(DLQ_HEADER_PREFIX)) headers[name] = value;
  headers[REPLAYED_FROM_HEADER] = dlqPosition(letter);
  return { key: letter.record.key, value: letter.record.value, headers };
}

export const dlqPosition = (l: DeadLetter): string => `${l.record.topic}/${l.record.partition}/${l.record.offset}`;

/** One line per dead letter for people. */
export function describeDeadLetter(l: DeadLetter): string {
  const replayOf = text(l.record.headers[REPLAYED_FROM_HEADER]);
  return [
    `dlq ${l.record.partition}/${l.record.offset}`,
    `from ${l.source.topic} ${l.source.partition}/${l.source.offset}`,
    l.errorCode,
    `order ${l.orderId ?? '(no key)'}`,
    `${l.size} B`,
    new Date(l.record.timestamp).toISOString(),
    l.reason,
    ...(replayOf ? [`(replay of ${replayOf})`] : []),
  ].join('  ');
}

/** One JSON object per dead letter for scripts (`--json`, one per line). */
export function deadLetterJson(l: DeadLetter) {
  return {
    dlqTopic: l.record.topic,
    dlqPartition: l.record.partition,
    dlqOffset: l.record.offset,
    sourceTopic: l.source.topic,
    sourcePartition: l.source.partition,
    sourceOffset: l.source.offset,
    errorCode: l.errorCode,
    reason: l.reason,
    orderId: l.orderId,
    size: l.size,
    timestamp: new Date(l.record.timestamp).toISOString(),
    failedAt: l.failedAt,
    replayedFrom: text(l.record.headers[REPLAYED_FROM_HEADER]) ?? null,
  };
}
