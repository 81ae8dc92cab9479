// What rebuild and verify make of each event of the log, and of each order they compare.
import { describe, expect, it } from 'vitest';
import { replay, timelineEntryOf, type OrderState, type TimelineEntry } from '../../../src/domain/index.js';
import { foldEvent, LogGapError } from '../../../src/tools/event-fold.js';
import { positionsAt } from '../../../src/tools/rebuild-resume.js';
import { Comparison, type OrderSnapshot } from '../../../src/tools/verify-compare.js';
import { historyTo, ORDER_ID } from '../support/order-fixtures.js';

// One order's history; a side holds the first n of its events.
const SHIPPED = historyTo('shipped');
const AT = { received: 1, validated: 2, packed: 5, shipped: 6 } as const;
const snapshot = (status: keyof typeof AT): OrderSnapshot => {
  const events = SHIPPED.slice(0, AT[status]);
  return { ...replay(events), history: new Map(events.map((e) => [e.version, timelineEntryOf(e)])) };
};
const stream = (c: Comparison, s: OrderSnapshot, id = ORDER_ID) => {
  c.order(id, { version: s.version, order: s.order });
  for (const entry of s.history.values()) c.historyEntry(id, entry);
};

describe('foldEvent', () => {
  const events = historyTo('packed');

  it('given the log in order, folds it with evolve to the replayed state', () => {
    let state: OrderState | undefined;
    for (const e of events) {
      const r = foldEvent(state, e, 'here');
      expect(r.kind).toBe('applied');
      if (r.kind === 'applied') state = r.state;
    }
    expect(state).toEqual(replay(events));
  });

  it('given an event at or below the state version (read again after a resume), takes nothing', () => {
    const state = replay(events.slice(0, 3));
    expect(foldEvent(state, events[1]!, 'here')).toEqual({ kind: 'already' });
    expect(foldEvent(state, events[2]!, 'here')).toEqual({ kind: 'already' });
  });

  it('given a hole (the first events deleted), refuses with where', () => {
    expect(() => foldEvent(undefined, events[2]!, 'topic[0]@7')).toThrow(LogGapError);
    expect(() => foldEvent(replay(events.slice(0, 1)), events[3]!, 'topic[0]@9')).toThrow(/version 4 at topic\[0\]@9.*has 1 of its events/);
  });
});

describe('positionsAt', () => {
  it('is the last offset the group handled per partition; none for a partition it has not committed', () => {
    expect(positionsAt({ commandsTopicId: 'id', committed: { '0': '17', '1': '0', '2': '1' } })).toEqual({ '0': '16', '2': '0' });
    expect(positionsAt(null)).toEqual({});
  });
});

describe('Comparison (verify)', () => {
  it('finds no difference between equal sides', () => {
    const c = new Comparison(new Map([[ORDER_ID, snapshot('shipped')]]), 'log', 'db');
    stream(c, snapshot('shipped'));
    expect(c.finish()).toEqual([]);
  });

  it('names a different status, version and field', () => {
    const c = new Comparison(new Map([[ORDER_ID, snapshot('shipped')]]), 'log', 'db');
    const other = snapshot('packed');
    stream(c, { ...other, order: { ...other.order!, carrier: 'FedEx' } });
    expect(c.finish().map((d) => d.what)).toEqual([
      'status: log "shipped", db "packed"',
      'version: log 6, db 5',
      'carrier: log "UPS", db "FedEx"',
      'trackingNumber: log "1Z999AA10123456784", db null',
      'history entries 6 only in log',
    ]);
  });

  it('names orders and history entries only one side has, and a changed entry', () => {
    const c = new Comparison(new Map([[ORDER_ID, snapshot('received')]]), 'log', 'db');
    const extra = snapshot('validated');
    const changed: TimelineEntry = { ...extra.history.get(1)!, correlationId: 'other' };
    c.order(ORDER_ID, extra);
    c.historyEntry(ORDER_ID, changed);
    c.historyEntry(ORDER_ID, extra.history.get(2)!);
    c.order('ORD-ghost', extra);
    const what = c.finish().map((d) => `${d.orderId}: ${d.what}`);
    expect(what).toContain('ORD-0193a1b2c3d4: history entry 2 only in db (OrderValidated)');
    expect(what.some((w) => /history entry 1: log .*"correlationId":"550e8400.*db .*"correlationId":"other"/.test(w))).toBe(true);
    expect(what).toContain('ORD-ghost: only in db (version 2, validated)');
    const c2 = new Comparison(new Map([[ORDER_ID, snapshot('packed')]]), 'log', 'db');
    c2.order(ORDER_ID, snapshot('packed'));
    c2.historyEntry(ORDER_ID, snapshot('packed').history.get(1)!);
    expect(c2.finish().map((d) => d.what)).toEqual(['history entries 2-5 only in log']);
  });
});
