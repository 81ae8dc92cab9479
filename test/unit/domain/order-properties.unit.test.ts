// Property: whatever sequence of commands arrives (valid or not, re-delivered or not),
// the invariants of the order hold after every step.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { handle, initialState, TERMINAL_STATUSES, TRANSITIONS, type OrderState } from '../../../src/domain/index.js';
import { EVENT_CONTRACTS, ORDER_STATUSES, validationIssues, type Command, type CommandPayload, type CommandType, type OrderEvent } from '../../../src/schemas/index.js';
import { command, createPayload, defaultPayloads } from '../support/order-fixtures.js';

type Item = CommandPayload<'CreateOrder'>['items'][number];

const amountArb = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`),
  fc.constantFrom('0', '1.005', '29.99', '90071992547409.91', '12'),
);
const validItemArb: fc.Arbitrary<Item> = fc.record({
  sku: fc.constantFrom('A', 'B', 'C', 'D'),
  productName: fc.constantFrom('Widget', 'Gadget'),
  quantity: fc.integer({ min: 1, max: 10_000 }),
  price: fc.record({ amount: fc.integer({ min: 0, max: 100_000 }).map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`), currency: fc.constant('USD') }),
});
const messyItemArb: fc.Arbitrary<Item> = fc.record({
  sku: fc.constantFrom('A', 'B', 'C', 'D'),
  productName: fc.constantFrom('Widget', 'Gadget', ''),
  quantity: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(0, -3, 10_001)),
  price: fc.record({ amount: amountArb, currency: fc.constantFrom('USD', 'USD', 'USD', 'EUR', 'JPY') }),
});
/** Mostly valid item lists (distinct SKUs, one currency), sometimes messy ones. */
const itemsArb = fc.oneof(
  { weight: 3, arbitrary: fc.uniqueArray(validItemArb, { minLength: 1, maxLength: 4, selector: (i) => i.sku }) },
  { weight: 1, arbitrary: fc.array(messyItemArb, { minLength: 0, maxLength: 4 }) },
);
const dateArb = fc.constantFrom('2026-11-24T00:00:00Z', '2026-11-30T00:00:00Z', '2026-02-30T00:00:00Z');

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ items: itemsArb, promisedDeliveryAt: fc.option(dateArb, { nil: undefined }) }).map(({ items, promisedDeliveryAt }) =>
    command('CreateOrder', { ...createPayload(), items, ...(promisedDeliveryAt ? { promisedDeliveryAt } : {}) }),
  ),
  fc
    .record(
      { items: itemsArb, priority: fc.constantFrom('same_day', 'next_day', 'standard' as const), promisedDeliveryAt: dateArb },
      { requiredKeys: [] },
    )
    .map((p) => command('ModifyOrder', p)),
  ...(['ValidateOrder', 'AssignWave', 'StartPicking', 'MarkPacked', 'MarkShipped', 'CompleteOrder', 'CancelOrder'] as const).map((t) =>
    fc.constant(null).map(() => command(t, defaultPayloads[t]() as never)),
  ),
  fc.constant(null).map(() => command('CancelOrder', { reason: ' ' })),
);

const NEXT_ON_PATH: Record<string, CommandType> = {
  none: 'CreateOrder',
  received: 'ValidateOrder',
  validated: 'AssignWave',
  wave_assigned: 'StartPicking',
  picking: 'MarkPacked',
  packed: 'MarkShipped',
  shipped: 'CompleteOrder',
};

/** A step: a random command, the next command along the happy path (so deep statuses are reached), or a re-delivery. */
type Step = { kind: 'random'; command: Command } | { kind: 'next' } | { kind: 'redeliver'; index: number };
const stepsArb: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    { weight: 2, arbitrary: commandArb.map((c): Step => ({ kind: 'random', command: c })) },
    { weight: 3, arbitrary: fc.constant<Step>({ kind: 'next' }) },
    { weight: 1, arbitrary: fc.nat().map((index): Step => ({ kind: 'redeliver', index })) },
  ),
  { minLength: 1, maxLength: 30 },
);

function commandFor(step: Step, state: OrderState, sent: Command[]): Command {
  if (step.kind === 'random') return step.command;
  if (step.kind === 'redeliver' && sent.length > 0) return sent[step.index % sent.length] as Command;
  const next = NEXT_ON_PATH[state.order?.status ?? 'none'] ?? 'CancelOrder';
  return command(next, defaultPayloads[next]() as never);
}

function checkOrderTotals(state: OrderState): void {
  const o = state.order;
  if (!o) return;
  let total = 0n;
  for (const line of o.items) {
    expect(line.lineTotal.amountMinor).toBe(Number(BigInt(line.unitPrice.amountMinor) * BigInt(line.quantity)));
    expect(line.unitPrice.currency).toBe(o.totalAmount.currency);
    total += BigInt(line.lineTotal.amountMinor);
  }
  expect(o.totalAmount.amountMinor).toBe(Number(total));
  expect(o.items.length).toBeGreaterThan(0);
  expect(Number.isSafeInteger(o.totalAmount.amountMinor)).toBe(true);
}

describe('order invariants under random command sequences', () => {
  const reached = new Set<string>();
  it('versions contiguous, table-only moves, terminal states final, totals exact, events valid', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        let state = initialState;
        const allEvents: OrderEvent[] = [];
        const seen = new Set<string>();
        const sent: Command[] = [];
        for (const step of steps) {
          const c = commandFor(step, state, sent);
          sent.push(c);
          // A resent commandId is the processor's to recognise (by its stored outcome), not the domain's.
          if (seen.has(c.commandId)) continue;
          seen.add(c.commandId);
          const before = state;
          const r = handle(state, c);
          state = r.state;
          allEvents.push(...r.events);
          const from = before.order?.status ?? null;
          const to = state.order?.status ?? null;
          if (r.result.status === 'rejected') {
            expect(r.events).toEqual([]);
            expect(state).toEqual(before);
          } else {
            const t = TRANSITIONS[c.type];
            expect(t.from === null ? from === null : from !== null && t.from.includes(from)).toBe(true);
            expect(to !== null && t.to.includes(to)).toBe(true);
            expect(r.events.map((e) => e.type).every((e) => t.events.includes(e))).toBe(true);
          }
          if (from !== null && TERMINAL_STATUSES.includes(from)) expect(state.order).toEqual(before.order);
          checkOrderTotals(state);
          if (to) reached.add(to);
          expect(JSON.parse(JSON.stringify(state))).toEqual(state);
        }
        expect(allEvents.map((e) => e.version)).toEqual(allEvents.map((_, i) => i + 1));
        expect(state.version).toBe(allEvents.length);
        for (const { type, ...record } of allEvents) expect(validationIssues(EVENT_CONTRACTS[type].check, record)).toEqual([]);
      }),
      { numRuns: 300 },
    );
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});
