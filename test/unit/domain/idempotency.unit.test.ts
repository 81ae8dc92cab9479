// Re-delivery of an already-applied commandId is a no-op that returns the earlier outcome.
import { describe, expect, it } from 'vitest';
import { handle, initialState, toOutcome } from '../../../src/domain/index.js';
import { command, run } from '../support/order-fixtures.js';

describe('handle(): idempotency by commandId', () => {
  it('given an applied CreateOrder, when it is delivered again, then no new event and the same outcome', () => {
    const create = command('CreateOrder');
    const first = handle(initialState, create);
    expect(first.duplicate).toBe(false);
    expect(first.events).toHaveLength(1);

    const again = handle(first.state, create);
    expect(again).toMatchObject({ duplicate: true, events: [] });
    expect(again.state).toBe(first.state);
    expect(again.result).toEqual(first.result);
    expect(again.result).toEqual({ status: 'applied', version: 1, eventIds: [first.events[0]?.eventId] });
  });

  it('a re-delivered command returns its earlier outcome even after later commands', () => {
    const validate = command('ValidateOrder');
    const { state } = run([command('CreateOrder'), validate, command('AssignWave')]);
    const again = handle(state, validate);
    expect(again.duplicate).toBe(true);
    expect(again.result).toMatchObject({ status: 'applied', version: 2 });
  });

  it('a rejected command is remembered as rejected: re-delivery gives the same rejection', () => {
    const { state } = run([command('CreateOrder')]);
    const pack = command('MarkPacked');
    const first = handle(state, pack);
    expect(first.result).toMatchObject({ status: 'rejected', code: 'INVALID_TRANSITION', version: 1 });
    expect(first.state.version).toBe(1);
    const again = handle(first.state, pack);
    expect(again).toMatchObject({ duplicate: true, earlierOutcome: first.result });
  });

  it('commandIds compare case-insensitively', () => {
    const create = command('CreateOrder', undefined, { commandId: 'ABCDEF00-0000-4000-8000-000000000001' });
    const first = handle(initialState, create);
    expect(handle(first.state, { ...create, commandId: create.commandId.toLowerCase() }).duplicate).toBe(true);
  });

  it('remembers a bounded number of commands, oldest dropped first', () => {
    let { state } = run([command('CreateOrder')]);
    const modifies = Array.from({ length: 5 }, () => command('ModifyOrder'));
    for (const m of modifies) state = handle(state, m, { appliedCommandsLimit: 3 }).state;
    expect(state.appliedCommands.map((c) => c.commandId)).toEqual(modifies.slice(-3).map((m) => m.commandId));
    expect(handle(state, modifies[0]!).duplicate).toBe(false);
  });

  it('toOutcome builds the outcome record for both results', () => {
    const create = command('CreateOrder');
    const applied = handle(initialState, create);
    expect(toOutcome(create, applied.result)).toEqual({
      commandId: create.commandId,
      orderId: create.orderId,
      commandType: 'CreateOrder',
      correlationId: create.correlationId,
      status: 'applied',
      version: 1,
      eventIds: [applied.events[0]?.eventId],
    });
    const rejected = handle(applied.state, command('CreateOrder'));
    expect(toOutcome(create, rejected.result)).toMatchObject({ status: 'rejected', code: 'ORDER_ALREADY_EXISTS', version: 1, eventIds: [] });
  });
});

describe('toOutcome', () => {
  it('keeps a rejection reason within the outcome contract (one line, ≤ 1000 chars)', () => {
    const c = command('CancelOrder');
    const outcome = toOutcome(c, { status: 'rejected', code: 'VALIDATION_FAILED', reason: `bad\nline ${'x'.repeat(2000)}`, version: 0 });
    expect(outcome.reason).toMatch(/^bad line x+$/);
    expect(outcome.reason).toHaveLength(1000);
  });
});
