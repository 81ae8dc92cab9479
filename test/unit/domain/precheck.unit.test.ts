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
});
