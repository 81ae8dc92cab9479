// The JSON Schemas the edge validates HTTP bodies with.
import { describe, expect, it } from 'vitest';
import { HTTP_BODY_JSON_SCHEMAS, HttpBodySchemas, orderIdFromUuid, ORDER_ID_PATTERN, toCommandPayload, validateHttpBody } from '../../../src/schemas/index.js';
import { seedCreateBody } from '../support/order-fixtures.js';

const seed = () => JSON.parse(JSON.stringify(seedCreateBody)) as Record<string, unknown> & { items: Record<string, unknown>[] };
const paths = (r: ReturnType<typeof validateHttpBody>) => (r.ok ? [] : r.issues.map((i) => i.path));

describe('HTTP body schemas', () => {
  it('the seed create body is valid verbatim', () => {
    expect(validateHttpBody('CreateOrder', seed())).toMatchObject({ ok: true });
  });

  it('are plain JSON Schema objects with additionalProperties: false and no Avro annotations', () => {
    const json = HTTP_BODY_JSON_SCHEMAS.CreateOrder;
    expect(json).toMatchObject({ type: 'object', additionalProperties: false, required: ['customerId', 'priority', 'items', 'shippingAddress'] });
    expect(JSON.stringify(HTTP_BODY_JSON_SCHEMAS)).not.toContain('avroName');
    expect(JSON.stringify(HttpBodySchemas.CreateOrder)).toContain('avroName');
  });

  it('reports one issue per invalid field', () => {
    const body = seed();
    body.priority = 'urgent';
    body.extra = 1;
    (body.items[0] as Record<string, unknown>).quantity = 0;
    (body.items[0] as Record<string, unknown>).price = { amount: '1e3', currency: 'usd' };
    expect(paths(validateHttpBody('CreateOrder', body))).toEqual(
      expect.arrayContaining(['/priority', '/extra', '/items/0/quantity', '/items/0/price/amount', '/items/0/price/currency']),
    );
  });

  it('enforces limits: 1–100 items, quantity ≤ 10000, string lengths', () => {
    expect(paths(validateHttpBody('CreateOrder', { ...seed(), items: [] }))).toContain('/items');
    expect(paths(validateHttpBody('CreateOrder', { ...seed(), items: Array.from({ length: 101 }, (_, i) => ({ ...seed().items[0], sku: `S${i}` })) }))).toContain('/items');
    expect(paths(validateHttpBody('CreateOrder', { ...seed(), customerId: 'x'.repeat(65) }))).toContain('/customerId');
    expect(paths(validateHttpBody('CreateOrder', { ...seed(), customerId: 'a\nb' }))).toContain('/customerId');
    expect(paths(validateHttpBody('CreateOrder', { ...seed(), items: [{ ...seed().items[0], quantity: 10_001 }] }))).toContain('/items/0/quantity');
  });

  it('bodies of the other routes', () => {
    expect(validateHttpBody('CancelOrder', { reason: 'Customer request' }).ok).toBe(true);
    expect(paths(validateHttpBody('CancelOrder', {}))).toContain('/reason');
    expect(validateHttpBody('AssignWave', { waveId: 'W-1' }).ok).toBe(true);
    expect(validateHttpBody('MarkShipped', { trackingNumber: 'T', carrier: 'UPS' }).ok).toBe(true);
    expect(paths(validateHttpBody('MarkShipped', { trackingNumber: 'T' }))).toContain('/carrier');
    expect(validateHttpBody('CompleteOrder', { deliveredAt: '2026-11-27T09:30:00Z' }).ok).toBe(true);
    expect(paths(validateHttpBody('CompleteOrder', { deliveredAt: 'tomorrow' }))).toContain('/deliveredAt');
    expect(validateHttpBody('ValidateOrder', undefined).ok).toBe(true);
    expect(validateHttpBody('StartPicking', {}).ok).toBe(true);
    expect(validateHttpBody('MarkPacked', { x: 1 }).ok).toBe(false);
    expect(validateHttpBody('ModifyOrder', { priority: 'next_day' }).ok).toBe(true);
    expect(validateHttpBody('ModifyOrder', {}).ok).toBe(false);
  });

  it('turns a body into a command payload with exact decimal amounts', () => {
    const r = validateHttpBody('ModifyOrder', { items: [{ sku: 'A', productName: 'P', quantity: 1, price: { amount: 0.1, currency: 'EUR' } }] });
    if (!r.ok) throw new Error('invalid');
    expect(toCommandPayload('ModifyOrder', r.value)).toEqual({ items: [{ sku: 'A', productName: 'P', quantity: 1, price: { amount: '0.1', currency: 'EUR' } }] });
    expect(toCommandPayload('ValidateOrder', undefined)).toEqual({});
  });

  it('edge order ids follow the orderId rule', () => {
    const id = orderIdFromUuid('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    expect(id).toBe('ORD-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    expect(new RegExp(ORDER_ID_PATTERN).test(id)).toBe(true);
    expect(new RegExp(ORDER_ID_PATTERN).test('x'.repeat(65))).toBe(false);
  });
});
