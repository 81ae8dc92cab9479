// The pure half of the DLQ tool: reading the x-dlq-* headers, filtering, and the record a
// replay writes (original key, value and headers; never the x-dlq-* ones).
import { describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '../../src/processor/messages.js';
import {
  FilterError,
  REPLAYED_FROM_HEADER,
  deadLetterJson,
  describeDeadLetter,
  parseFilter,
  replayRecord,
  selectDeadLetters,
  toDeadLetter,
  unreplayable,
  type DlqRecord,
} from '../../src/tools/dlq-selection.js';

const record = (partition: number, offset: number, code: string, key: string | null, extra: DlqRecord["headers"] = {}): DlqRecord => ({
  topic: 'wms.orders.commands.dlq',
  partition,
  offset: String(offset),
  key: key === null ? null : Buffer.from(key),
  value: Buffer.from(`value-${partition}-${offset}`),
  headers: {
    'x-origin': Buffer.from('wave-planner'),
    [DLQ_HEADERS.errorCode]: Buffer.from(code),
    [DLQ_HEADERS.errorMessage]: Buffer.from(`${code} happened`),
    [DLQ_HEADERS.sourceTopic]: Buffer.from('wms.orders.commands'),
    [DLQ_HEADERS.sourcePartition]: Buffer.from(String(partition)),
    [DLQ_HEADERS.sourceOffset]: Buffer.from(String(offset * 10)),
    [DLQ_HEADERS.failedAt]: Buffer.from('2026-11-25T12:00:00.000Z'),
    ...extra,
  },
  timestamp: Date.parse('2026-11-25T12:00:01.000Z'),
});

const letters = [
  record(1, 5, 'UNKNOWN_SCHEMA_ID', 'ORD-A'),
  record(0, 7, 'MALFORMED', 'ORD-B'),
  record(0, 2, 'UNKNOWN_SCHEMA_ID', 'ORD-B'),
  record(1, 9, 'KEY_MISMATCH', null),
  record(0, 12, 'UNKNOWN_SCHEMA_ID', 'ORD-C'),
].map(toDeadLetter);

const positions = (filter: Parameters<typeof parseFilter>[0]) => selectDeadLetters(letters, parseFilter(filter)).map((l) => `${l.record.partition}/${l.record.offset}`);

describe('reading a dead letter', () => {
  it('takes code, reason, source position and orderId from the record and its x-dlq-* headers', () => {
    const l = letters[0]!;
    expect([l.errorCode, l.reason, l.orderId, l.source, l.size]).toEqual([
      'UNKNOWN_SCHEMA_ID',
      'UNKNOWN_SCHEMA_ID happened',
      'ORD-A',
      { topic: 'wms.orders.commands', partition: '1', offset: '50' },
      'value-1-5'.length,
    ]);
    expect(describeDeadLetter(l)).toBe(
      'dlq 1/5  from wms.orders.commands 1/50  UNKNOWN_SCHEMA_ID  order ORD-A  9 B  2026-11-25T12:00:01.000Z  UNKNOWN_SCHEMA_ID happened',
    );
    expect(deadLetterJson(l)).toMatchObject({ dlqPartition: 1, dlqOffset: '5', sourceOffset: '50', errorCode: 'UNKNOWN_SCHEMA_ID', orderId: 'ORD-A', replayedFrom: null });
  });

  it('a record without DLQ headers or key still reads (code UNKNOWN, no order)', () => {
    const bare = toDeadLetter({ topic: 't', partition: 0, offset: '0', key: null, value: null, headers: {}, timestamp: 0 });
    expect([bare.errorCode, bare.orderId, bare.size, bare.source.offset]).toEqual(['UNKNOWN', null, 0, '?']);
  });
});

describe('selecting dead letters', () => {
  it('without filters: all, in DLQ partition/offset order (numeric offsets)', () => {
    expect(positions({})).toEqual(['0/2', '0/7', '0/12', '1/5', '1/9']);
  });

  it('by error code (case-insensitive, comma-separated)', () => {
    expect(positions({ error: 'unknown_schema_id' })).toEqual(['0/2', '0/12', '1/5']);
    expect(positions({ error: 'MALFORMED,KEY_MISMATCH' })).toEqual(['0/7', '1/9']);
  });

  it('by partition and inclusive DLQ offset range', () => {
    expect(positions({ partition: '0', fromOffset: '7', toOffset: '12' })).toEqual(['0/7', '0/12']);
    expect(positions({ toOffset: '5' })).toEqual(['0/2', '1/5']);
  });

  it('by orderId (the record key), combined with the other filters and a limit', () => {
    expect(positions({ orderId: 'ORD-B' })).toEqual(['0/2', '0/7']);
    expect(positions({ orderId: 'ORD-B', error: 'MALFORMED' })).toEqual(['0/7']);
    expect(positions({ error: 'UNKNOWN_SCHEMA_ID', limit: '2' })).toEqual(['0/2', '0/12']);
  });

  it('rejects bad filter values with one message per problem', () => {
    expect(() => parseFilter({ partition: '-1' })).toThrow(FilterError);
    const problems = (() => {
      try {
        parseFilter({ limit: '0', fromOffset: '9', toOffset: '3', error: 'no such!', orderId: ' ' });
      } catch (e) {
        return (e as Error).message.split('\n');
      }
      return [];
    })();
    expect(problems).toEqual([
      '--error takes error codes such as UNKNOWN_SCHEMA_ID (comma-separated), got "no such!"',
      '--from-offset 9 is after --to-offset 3',
      '--order-id must not be empty',
      '--limit must be a whole number ≥ 1, got "0"',
    ]);
  });
});

describe('the replayed record', () => {
  it('has the original key, value and headers, no x-dlq-* header except where it was replayed from', () => {
    const l = toDeadLetter(record(3, 41, 'UNKNOWN_SCHEMA_ID', 'ORD-Z', { [REPLAYED_FROM_HEADER]: 'wms.orders.commands.dlq/3/1' }));
    const r = replayRecord(l);
    expect(r.key?.toString()).toBe('ORD-Z');
    expect(r.value).toBe(l.record.value);
    expect(Object.keys(r.headers).sort()).toEqual(['x-dlq-replayed-from', 'x-origin']);
    expect(r.headers['x-origin']?.toString()).toBe('wave-planner');
    expect(r.headers[REPLAYED_FROM_HEADER]).toBe('wms.orders.commands.dlq/3/41');
    expect(describeDeadLetter(l)).toMatch(/ {2}\(replay of wms\.orders\.commands\.dlq\/3\/1\)$/);
  });
});

// Issue 21: some dead letters must never be written back.
describe('dead letters that cannot be replayed', () => {
  it('refuses a letter whose value was left out (it would replay an empty record) and says where the original is', () => {
    const l = toDeadLetter(record(0, 7, 'MALFORMED', 'ORD-BIG', { [DLQ_HEADERS.valueOmitted]: '999000' }));
    expect(unreplayable(l)).toMatch(/999000 bytes.*wms\.orders\.commands partition 0 offset 70/);
  });

  it('refuses an ALREADY_APPLIED letter (a replay would apply the command twice)', () => {
    expect(unreplayable(toDeadLetter(record(0, 8, 'ALREADY_APPLIED', 'ORD-OLD')))).toMatch(/apply it twice/);
  });

  it('lets every other letter be replayed, and a replay keeps every value of a repeated header', () => {
    const l = toDeadLetter(record(1, 9, 'UNKNOWN_SCHEMA_ID', 'ORD-Y', { hop: ['gateway', 'router'] }));
    expect(unreplayable(l)).toBeUndefined();
    expect(replayRecord(l).headers.hop).toEqual(['gateway', 'router']);
  });
});
