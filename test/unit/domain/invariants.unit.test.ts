// Invariants of docs/design.md §2 and the envelope of every event, in Given/When/Then form.
import { describe, expect, it } from 'vitest';
import { eventIdFor, replay, timelineEntryOf, VALIDATION_RULES } from '../../../src/domain/index.js';
import type { CommandPayload } from '../../../src/schemas/index.js';
import { given } from '../support/given-when-then.js';
import { command, createPayload, historyTo, run } from '../support/order-fixtures.js';

type Item = CommandPayload<'CreateOrder'>['items'][number];
const item = (sku: string, quantity: number, amount: string, currency = 'USD'): Item => ({ sku, productName: `Product ${sku}`, quantity, price: { amount, currency } });
const createWith = (patch: Partial<CommandPayload<'CreateOrder'>>) => command('CreateOrder', { ...createPayload(), ...patch });

describe('items', () => {
  it('an order needs at least one item', () => {
    given([]).when(createWith({ items: [] })).thenRejects('VALIDATION_FAILED', /at least one item/);
  });

  it('at most 100 lines', () => {
    const items = Array.from({ length: 101 }, (_, i) => item(`S${i}`, 1, '1.00'));
    given([]).when(createWith({ items })).thenRejects('VALIDATION_FAILED', /at most 100/);
  });

  it.each([0, -1, 1.5, 10_001, Number.NaN])('quantity %s is rejected (positive integer up to 10000)', (quantity) => {
    given([]).when(createWith({ items: [item('A', quantity, '1.00')] })).thenRejects('VALIDATION_FAILED', /quantity must be an integer/);
  });

  it('the same SKU on two lines is rejected', () => {
    given([]).when(createWith({ items: [item('A', 1, '1.00'), item('A', 2, '1.00')] })).thenRejects('VALIDATION_FAILED', /more than one line/);
  });

  it('blank sku and product name are rejected', () => {
    given([])
      .when(createWith({ items: [{ sku: ' ', productName: '', quantity: 1, price: { amount: '1', currency: 'USD' } }] }))
      .thenRejects('VALIDATION_FAILED', /sku is required; items\[0\]\.productName is required/);
  });

  it('totalAmount is the exact sum of quantity × unit price', () => {
    const items = [item('A', 3, '0.10'), item('B', 7, '0.20'), item('C', 10_000, '19.99')];
    given([])
      .when(createWith({ items }))
      .thenEvents({
        type: 'OrderReceived',
        items: [{ lineTotal: { amountMinor: 30, currency: 'USD' } }, { lineTotal: { amountMinor: 140, currency: 'USD' } }, { lineTotal: { amountMinor: 19_990_000, currency: 'USD' } }],
        totalAmount: { amountMinor: 19_990_170, currency: 'USD' },
      });
  });
});

describe('money', () => {
  it('mixed currencies in one order are rejected', () => {
    given([]).when(createWith({ items: [item('A', 1, '1.00'), item('B', 1, '1.00', 'EUR')] })).thenRejects('CURRENCY_MISMATCH', /one currency per order/);
  });

  it('more decimals than the currency allows are rejected', () => {
    given([]).when(createWith({ items: [item('A', 1, '1.005')] })).thenRejects('TOO_MANY_DECIMALS', /2 decimal/);
    given([]).when(createWith({ items: [item('A', 1, '100.5', 'JPY')] })).thenRejects('TOO_MANY_DECIMALS', /0 decimal/);
  });

  it('0- and 3-decimal currencies price exactly', () => {
    given([]).when(createWith({ items: [item('A', 3, '1500', 'JPY')] })).thenEvents({ type: 'OrderReceived', totalAmount: { amountMinor: 4500, currency: 'JPY' } });
    given([]).when(createWith({ items: [item('A', 3, '1.125', 'KWD')] })).thenEvents({ type: 'OrderReceived', totalAmount: { amountMinor: 3375, currency: 'KWD' } });
  });

  it('unknown currency is rejected', () => {
    given([]).when(createWith({ items: [item('A', 1, '1.00', 'XXY')] })).thenRejects('UNSUPPORTED_CURRENCY');
  });

  it('a total beyond 2^53 - 1 minor units is rejected, not rounded', () => {
    given([]).when(createWith({ items: [item('A', 10_000, '9007199254740.99')] })).thenRejects('AMOUNT_OUT_OF_RANGE');
    given([]).when(createWith({ items: [item('A', 1, '90071992547409.92')] })).thenRejects('AMOUNT_OUT_OF_RANGE');
    const nearMax = [item('A', 1, '45035996273704.95'), item('B', 1, '45035996273704.97')];
    given([]).when(createWith({ items: nearMax })).thenRejects('AMOUNT_OUT_OF_RANGE', /total/);
  });

  it('modifying items keeps the order currency', () => {
    given(historyTo('received')).when(command('ModifyOrder', { items: [item('A', 1, '1.00', 'EUR')] })).thenRejects('CURRENCY_MISMATCH', /order is in USD/);
  });

  it('modifying items recomputes the total exactly', () => {
    given(historyTo('validated'))
      .when(command('ModifyOrder', { items: [item('A', 3, '0.1'), item('B', 3, '0.2')] }))
      .thenEvents({ type: 'OrderModified', changedFields: ['items'], totalAmount: { amountMinor: 90, currency: 'USD' } });
  });
});

describe('address, customer, priority, dates', () => {
  it.each(['street', 'city', 'state', 'zipCode', 'country'] as const)('shippingAddress.%s is required', (field) => {
    const shippingAddress = { ...createPayload().shippingAddress, [field]: '  ' };
    given([]).when(createWith({ shippingAddress })).thenRejects('VALIDATION_FAILED', new RegExp(`shippingAddress.${field} is required`));
  });

  it('country must be ISO 3166-1 alpha-2', () => {
    given([]).when(createWith({ shippingAddress: { ...createPayload().shippingAddress, country: 'USA' } })).thenRejects('VALIDATION_FAILED', /alpha-2/);
  });

  it('customerId is required and priority must be known', () => {
    given([])
      .when(createWith({ customerId: '', priority: 'yesterday' as never }))
      .thenRejects('VALIDATION_FAILED', /customerId is required; priority must be one of same_day, next_day, standard/);
  });

  it('promisedDeliveryAt must be a real date-time', () => {
    given([]).when(createWith({ promisedDeliveryAt: '2026-02-30T10:00:00Z' })).thenRejects('VALIDATION_FAILED', /promisedDeliveryAt/);
  });

  it('issuedAt must be a real date-time', () => {
    given([]).when(command('CreateOrder', createPayload(), { issuedAt: '2026-13-01T00:00:00Z' })).thenRejects('VALIDATION_FAILED', /issuedAt/);
  });

  it('modify checks what it changes, and needs something to change', () => {
    given(historyTo('received')).when(command('ModifyOrder', {})).thenRejects('VALIDATION_FAILED', /nothing to modify/);
    given(historyTo('received'))
      .when(command('ModifyOrder', { shippingAddress: { ...createPayload().shippingAddress, city: '' } }))
      .thenRejects('VALIDATION_FAILED', /city is required/);
    given(historyTo('received')).when(command('ModifyOrder', { items: [] })).thenRejects('VALIDATION_FAILED', /at least one item/);
  });

  it('modify carries every modifiable field as it is afterwards', () => {
    const address = { ...createPayload().shippingAddress, street: '1 New Rd' };
    const state = given(historyTo('validated'))
      .when(command('ModifyOrder', { shippingAddress: address, promisedDeliveryAt: '2026-12-01T00:00:00Z' }))
      .thenEvents({ type: 'OrderModified', changedFields: ['shippingAddress', 'promisedDeliveryAt'], shippingAddress: address, priority: 'standard', promisedDeliveryAt: '2026-12-01T00:00:00.000Z' });
    expect(state.order).toMatchObject({ status: 'received', shippingAddress: address, promisedDeliveryAt: '2026-12-01T00:00:00.000Z' });
  });

  it('wave, tracking, carrier, reason and deliveredAt are required', () => {
    given(historyTo('validated')).when(command('AssignWave', { waveId: ' ' })).thenRejects('VALIDATION_FAILED', /waveId is required/);
    given(historyTo('packed')).when(command('MarkShipped', { trackingNumber: '', carrier: '' })).thenRejects('VALIDATION_FAILED', /trackingNumber is required; carrier is required/);
    given(historyTo('received')).when(command('CancelOrder', { reason: '' })).thenRejects('VALIDATION_FAILED', /reason is required/);
    given(historyTo('shipped')).when(command('CompleteOrder', { deliveredAt: 'yesterday' })).thenRejects('VALIDATION_FAILED', /deliveredAt/);
  });
});

describe('ValidateOrder business rules (a failure cancels the order)', () => {
  it('documents its rules', () => {
    expect(VALIDATION_RULES.map((r) => r.id)).toEqual(['PROMISED_DELIVERY_IN_PAST', 'ZERO_TOTAL']);
  });

  it('a total of zero cancels the order', () => {
    const { events } = run([createWith({ items: [item('FREE', 1, '0')] })]);
    given(events).when(command('ValidateOrder')).thenEvents({ type: 'OrderCancelled', failedRule: 'ZERO_TOTAL', previousStatus: 'received' });
  });

  it('a promised delivery after the validation time passes', () => {
    const { events } = run([createWith({ promisedDeliveryAt: '2026-11-26T12:00:00Z' })]);
    given(events).when(command('ValidateOrder')).thenEvents({ type: 'OrderValidated' });
  });
});

describe('nothing changes after shipping', () => {
  it.each(['shipped', 'completed'] as const)('%s: modify and cancel are ORDER_SHIPPED_IMMUTABLE', (status) => {
    given(historyTo(status)).when(command('ModifyOrder')).thenRejects('ORDER_SHIPPED_IMMUTABLE');
    given(historyTo(status)).when(command('CancelOrder')).thenRejects('ORDER_SHIPPED_IMMUTABLE');
  });
});

describe('event envelope', () => {
  it('eventId is derived from commandId, orderId and version, so a replay yields the same ids', () => {
    const create = command('CreateOrder');
    const first = given([]).when(create).decision;
    const second = given([]).when(create).decision;
    expect(first).toEqual(second);
    if (first.kind !== 'accepted') throw new Error('accepted expected');
    expect(first.events[0]?.eventId).toBe(eventIdFor(create.commandId, create.orderId, 1));
    expect(first.events[0]?.occurredAt).toBe('2026-11-25T12:00:00.000Z');
  });

  it('versions are contiguous from 1 and each event has a timeline entry with the status it leads to', () => {
    const events = historyTo('completed');
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const state = replay(events);
    expect(state.version).toBe(7);
    expect(events.map((e) => timelineEntryOf(e).status)).toEqual(['received', 'validated', 'wave_assigned', 'picking', 'packed', 'shipped', 'completed']);
    expect(timelineEntryOf(events[0]!)).toMatchObject({ event: 'OrderReceived', version: 1, commandId: events[0]?.causationId, correlationId: events[0]?.correlationId, at: events[0]?.occurredAt });
    // The status of each entry is the state's after that event.
    events.forEach((e, i) => expect(timelineEntryOf(e).status).toBe(replay(events.slice(0, i + 1)).order?.status));
  });

  it('the state is plain JSON (it is stored as one MongoDB document)', () => {
    const state = replay(historyTo('completed'));
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('the state does not grow with the history: after 210 more modifications only its version number is longer', () => {
    let { state } = run([command('CreateOrder'), command('ModifyOrder', { priority: 'same_day' })]);
    const size = JSON.stringify(state).length;
    for (let i = 0; i < 210; i++) state = run([command('ModifyOrder', { priority: i % 2 ? 'same_day' : 'next_day' })], state).state;
    expect(state.version).toBe(212);
    expect(JSON.stringify(state).length).toBe(size + '212'.length - '2'.length); // only the version's digits
  });

  it('an event that does not follow the state version is refused by evolve', () => {
    const [received] = historyTo('received');
    expect(() => replay([received!, received!])).toThrow(/does not follow/);
  });

  it('a command for another order is refused', () => {
    given(historyTo('received')).when(command('ValidateOrder', {}, { orderId: 'ORD-other' })).thenRejects('VALIDATION_FAILED', /applied to the state of order/);
  });
});
