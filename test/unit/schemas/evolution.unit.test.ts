// The schema-evolution guard: current schemas vs the committed released snapshots.
import { describe, expect, it } from 'vitest';
import { ALL_CONTRACTS, EVENT_CONTRACTS, backwardIncompatibility, evolutionProblems, type AvroSchema } from '../../../src/schemas/index.js';
import { readReleased } from '../../../src/schemas/released/snapshot.js';

const current = () => new Map(ALL_CONTRACTS.map((c) => [c.recordName, c.avroSchema] as const));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
type Rec = { fields: { name: string; type: unknown; default?: unknown }[] };

describe('released schemas', () => {
  it('every current schema is released and BACKWARD-compatible with its snapshot; none was removed', () => {
    expect(evolutionProblems(current(), readReleased())).toEqual([]);
  });
});

describe('the guard catches incompatible changes (built in memory)', () => {
  const received = EVENT_CONTRACTS.OrderReceived;
  const released = new Map([[received.recordName, clone(received.avroSchema)]]);
  const withChange = (change: (s: Rec) => void) => {
    const schema = clone(received.avroSchema) as unknown as Rec;
    change(schema);
    return evolutionProblems(new Map([[received.recordName, schema as unknown as AvroSchema]]), released);
  };

  it('a new field without a default fails', () => {
    const problems = withChange((s) => s.fields.push({ name: 'warehouseId', type: 'string' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.problem).toMatch(/not BACKWARD-compatible.*warehouseId/);
  });

  it('a changed field type fails', () => {
    expect(withChange((s) => ((s.fields.find((f) => f.name === 'customerId') as Rec['fields'][number]).type = 'long'))).toHaveLength(1);
  });

  it('a removed enum symbol fails', () => {
    const problems = withChange((s) => {
      const priority = s.fields.find((f) => f.name === 'priority') as { type: { symbols: string[] } };
      priority.type.symbols = priority.type.symbols.filter((x) => x !== 'same_day');
    });
    expect(problems).toHaveLength(1);
  });

  it('a new field with a default, or a removed field, passes (BACKWARD allows both)', () => {
    expect(withChange((s) => s.fields.push({ name: 'warehouseId', type: ['null', 'string'], default: null }))).toEqual([]);
    expect(withChange((s) => (s.fields = s.fields.filter((f) => f.name !== 'promisedDeliveryAt')))).toEqual([]);
  });

  it('an unreleased or removed record is reported', () => {
    expect(evolutionProblems(new Map([['wms.orders.New', 'string']]), new Map())).toEqual([{ recordName: 'wms.orders.New', problem: expect.stringMatching(/not released yet/) }]);
    expect(evolutionProblems(new Map(), released)).toEqual([{ recordName: received.recordName, problem: 'released schema was removed' }]);
  });

  it('backwardIncompatibility explains the failure', () => {
    expect(backwardIncompatibility('long', 'string')).toMatch(/./);
    expect(backwardIncompatibility('long', 'int')).toBeUndefined();
  });
});
