// The outcome record built from a command's result (what a redelivery or a resubmission
// gets again is decided by the processor: test/unit/processor-apply-batch.unit.test.ts).
import { describe, expect, it } from 'vitest';
import { handle, initialState, toOutcome } from '../../../src/domain/index.js';
import { command } from '../support/order-fixtures.js';

describe('toOutcome', () => {
  it('builds the outcome record for both results', () => {
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

  it('keeps a rejection reason within the outcome contract (one line, ≤ 1000 chars)', () => {
    const c = command('CancelOrder');
    const outcome = toOutcome(c, { status: 'rejected', code: 'VALIDATION_FAILED', reason: `bad\nline ${'x'.repeat(2000)}`, version: 0 });
    expect(outcome.reason).toMatch(/^bad line x+$/);
    expect(outcome.reason).toHaveLength(1000);
  });
});
