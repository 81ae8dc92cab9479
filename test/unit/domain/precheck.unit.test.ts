// precheck(): the stateless rules the edge can apply before producing a command.
import { describe, expect, it } from 'vitest';
import { precheck } from '../../../src/domain/index.js';
import { command, createPayload } from '../support/order-fixtures.js';

describe('precheck', () => {
  it('passes valid commands of every type', () => {
    for (const type of ['CreateOrder', 'ModifyOrder', 'ValidateOrder', 'AssignWave', 'StartPicking', 'MarkPacked', 'MarkShipped', 'CompleteOrder', 'CancelOrder'] as const) {
      expect(precheck(command(type))).toBeUndefined();
    }
  });

  it('catches money and payload rules without any order state', () => {
    const item = createPayload().items[0]!;
    expect(precheck(command('CreateOrder', { ...createPayload(), items: [{ ...item, price: { amount: '1.999', currency: 'USD' } }] }))).toMatchObject({ code: 'TOO_MANY_DECIMALS' });
    expect(precheck(command('ModifyOrder', { items: [item, { ...item, sku: 'B', price: { amount: '1', currency: 'EUR' } }] }))).toMatchObject({ code: 'CURRENCY_MISMATCH' });
    expect(precheck(command('ModifyOrder', {}))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(precheck(command('CancelOrder', { reason: '   ' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(precheck(command('CompleteOrder', { deliveredAt: '2026-02-30T00:00:00Z' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(precheck(command('StartPicking', {}, { issuedAt: 'now' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  // Regression (issue 20): a direct producer's `9999-12-31T23:30:00-01:00` became
  // `+010000-01-01T00:30:00.000Z`, which sorts before every real date and broke the edge's
  // list cursor. Dates whose UTC form leaves the years 0000–9999 are refused.
  it('refuses instants whose UTC form leaves the years 0000–9999, keeps the edges of that range', () => {
    for (const issuedAt of ['9999-12-31T23:30:00-01:00', '0000-01-01T00:30:00+01:00']) {
      expect(precheck(command('StartPicking', {}, { issuedAt })), issuedAt).toMatchObject({ code: 'VALIDATION_FAILED', reason: expect.stringContaining('0000–9999') });
    }
    expect(precheck(command('CompleteOrder', { deliveredAt: '9999-12-31T23:59:59+00:00' }, { issuedAt: '9999-12-31T23:59:59Z' }))).toBeUndefined();
    expect(precheck(command('CompleteOrder', { deliveredAt: '9999-12-31T23:59:59-00:01' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(precheck(command('StartPicking', {}, { issuedAt: '0000-01-01T00:00:00Z' }))).toBeUndefined();
  });
});
