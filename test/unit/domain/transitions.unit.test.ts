// Every row of the docs/design.md §2 transition table, and every (status × command) pair outside it;
// which command each event answers.
import { describe, expect, it } from 'vitest';
import { TRANSITIONS, SHIPPED_STATUSES, commandTypeOf, handle, initialState } from '../../../src/domain/index.js';
import { COMMAND_TYPES, ORDER_STATUSES } from '../../../src/schemas/index.js';
import { given } from '../support/given-when-then.js';
import { command, createPayload, historyTo, run, stateAt } from '../support/order-fixtures.js';

describe('transition table rows', () => {
  it('CreateOrder: — → received (OrderReceived with the full order)', () => {
    const state = given([])
      .when(command('CreateOrder'))
      .thenEvents({
        type: 'OrderReceived',
        version: 1,
        customerId: 'CUST-001',
        priority: 'standard',
        items: [{ sku: 'SKU-001', productName: 'Widget A', quantity: 2, unitPrice: { amountMinor: 2999, currency: 'USD' }, lineTotal: { amountMinor: 5998, currency: 'USD' } }],
        shippingAddress: { street: '123 Main St', city: 'New York', state: 'NY', zipCode: '10001', country: 'US' },
        totalAmount: { amountMinor: 5998, currency: 'USD' },
      });
    expect(state.order?.status).toBe('received');
    expect(state.order?.createdAt).toBe('2026-11-25T12:00:00.000Z');
  });

  it.each(['received', 'validated'] as const)('ModifyOrder: %s → received (OrderModified)', (from) => {
    const state = given(historyTo(from))
      .when(command('ModifyOrder', { priority: 'next_day' }))
      .thenEvents({ type: 'OrderModified', changedFields: ['priority'], priority: 'next_day', totalAmount: { amountMinor: 5998, currency: 'USD' } });
    expect(state.order?.status).toBe('received');
    expect(state.order?.priority).toBe('next_day');
  });

  it('ValidateOrder: received → validated (OrderValidated)', () => {
    const state = given(historyTo('received')).when(command('ValidateOrder')).thenEvents({ type: 'OrderValidated', version: 2 });
    expect(state.order?.status).toBe('validated');
  });

  it('ValidateOrder: received → cancelled when a business rule fails (OrderCancelled)', () => {
    const create = command('CreateOrder', { ...createPayload(), promisedDeliveryAt: '2026-11-25T11:00:00Z' });
    const { events } = run([create]);
    const state = given(events)
      .when(command('ValidateOrder'))
      .thenEvents({ type: 'OrderCancelled', previousStatus: 'received', failedRule: 'PROMISED_DELIVERY_IN_PAST' });
    expect(state.order?.status).toBe('cancelled');
    expect(state.order?.cancellationReason).toMatch(/validation failed/);
  });

  it('AssignWave: validated → wave_assigned', () => {
    const state = given(historyTo('validated')).when(command('AssignWave', { waveId: 'W-7' })).thenEvents({ type: 'OrderWaveAssigned', waveId: 'W-7' });
    expect(state.order).toMatchObject({ status: 'wave_assigned', waveId: 'W-7' });
  });

  it('StartPicking: wave_assigned → picking', () => {
    const state = given(historyTo('wave_assigned')).when(command('StartPicking')).thenEvents({ type: 'OrderPickingStarted' });
    expect(state.order?.status).toBe('picking');
  });

  it('MarkPacked: picking → packed', () => {
    const state = given(historyTo('picking')).when(command('MarkPacked')).thenEvents({ type: 'OrderPacked' });
    expect(state.order?.status).toBe('packed');
  });

  it('MarkShipped: packed → shipped', () => {
    const state = given(historyTo('packed'))
      .when(command('MarkShipped', { trackingNumber: 'TRK-1', carrier: 'DHL' }))
      .thenEvents({ type: 'OrderShipped', trackingNumber: 'TRK-1', carrier: 'DHL' });
    expect(state.order).toMatchObject({ status: 'shipped', trackingNumber: 'TRK-1', carrier: 'DHL' });
  });

  it('CompleteOrder: shipped → completed', () => {
    const state = given(historyTo('shipped'))
      .when(command('CompleteOrder', { deliveredAt: '2026-11-27T10:00:00+01:00' }))
      .thenEvents({ type: 'OrderCompleted', deliveredAt: '2026-11-27T09:00:00.000Z' });
    expect(state.order).toMatchObject({ status: 'completed', deliveredAt: '2026-11-27T09:00:00.000Z' });
  });

  it.each(['received', 'validated', 'wave_assigned', 'picking', 'packed'] as const)('CancelOrder: %s → cancelled', (from) => {
    const state = given(historyTo(from))
      .when(command('CancelOrder', { reason: 'Customer request' }))
      .thenEvents({ type: 'OrderCancelled', reason: 'Customer request', previousStatus: from });
    expect(state.order).toMatchObject({ status: 'cancelled', cancellationReason: 'Customer request' });
  });
});

describe('every command outside the table is rejected', () => {
  const matrix = ORDER_STATUSES.flatMap((status) =>
    COMMAND_TYPES.filter((type) => type !== 'CreateOrder' && !(TRANSITIONS[type].from ?? []).includes(status)).map((type) => [status, type] as const),
  );

  it('covers the full matrix minus the table rows', () => {
    const allowedPairs = COMMAND_TYPES.reduce((n, t) => n + (TRANSITIONS[t].from?.length ?? 0), 0);
    expect(matrix.length).toBe(ORDER_STATUSES.length * (COMMAND_TYPES.length - 1) - allowedPairs);
  });

  it.each(matrix)('%s: %s is rejected and changes nothing', (status, type) => {
    const expected = (type === 'ModifyOrder' || type === 'CancelOrder') && SHIPPED_STATUSES.includes(status) ? 'ORDER_SHIPPED_IMMUTABLE' : 'INVALID_TRANSITION';
    given(historyTo(status)).when(command(type)).thenRejects(expected, new RegExp(expected === 'INVALID_TRANSITION' ? `not allowed when the order is ${status}` : 'after shipping'));
  });

  it.each(ORDER_STATUSES)('%s: CreateOrder for an existing order is ORDER_ALREADY_EXISTS', (status) => {
    given(historyTo(status)).when(command('CreateOrder')).thenRejects('ORDER_ALREADY_EXISTS');
  });

  it.each(COMMAND_TYPES.filter((t) => t !== 'CreateOrder'))('no order: %s is ORDER_NOT_FOUND', (type) => {
    given([]).when(command(type)).thenRejects('ORDER_NOT_FOUND', /does not exist/);
  });
});

// Issue 25: an applied command's outcome is its one history entry, so the entry must say
// which command made it, also for the two commands that both make OrderCancelled.
describe('commandTypeOf: the command an event answers', () => {
  const rows = COMMAND_TYPES.flatMap((type) => (TRANSITIONS[type].from ?? [null]).map((from) => [type, from] as const));

  it.each(rows)('%s from %s makes one event, whose command is %s', (type, from) => {
    const r = handle(from === null ? initialState : stateAt(from), command(type));
    expect(r.result.status).toBe('applied');
    expect(r.events).toHaveLength(1);
    expect(commandTypeOf(r.events[0]!)).toBe(type);
  });

  it('a ValidateOrder that fails a business rule cancels the order, and the cancellation is ValidateOrder\'s', () => {
    const created = run([command('CreateOrder', { ...createPayload(), promisedDeliveryAt: '2026-11-25T11:00:00Z' })]).state;
    const r = handle(created, command('ValidateOrder'));
    expect(r.events.map((e) => e.type)).toEqual(['OrderCancelled']);
    expect(commandTypeOf(r.events[0]!)).toBe('ValidateOrder');
  });
});
