// The edge applies the domain's own stateless rules (precheck) before producing: a command
// the processor would only reject later is answered 422 at once, with the processor's
// code and a pointer to the field, and nothing reaches Kafka. Blank texts and impossible
// date-times are in the published body schema (as strict as the domain), so they are
// refused earlier, as 400 with the same code and pointer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CREATE_BODY, json, startEdge, type EdgeHarness } from '../support/edge-harness.js';

const item = SEED_CREATE_BODY.items[0]!;
const A = '/api/v1/orders/ORD-precheck-1';

const rows: { name: string; method: string; path: string; body: unknown; code: string; pointer: string; status?: 400 }[] = [
  { name: 'duplicate SKUs', method: 'POST', path: '/api/v1/orders', body: { ...SEED_CREATE_BODY, items: [item, { ...item }] }, code: 'VALIDATION_FAILED', pointer: '/items/1/sku' },
  { name: 'blank customerId', method: 'POST', path: '/api/v1/orders', body: { ...SEED_CREATE_BODY, customerId: '   ' }, code: 'VALIDATION_FAILED', pointer: '/customerId', status: 400 },
  {
    name: 'blank city',
    method: 'POST',
    path: '/api/v1/orders',
    body: { ...SEED_CREATE_BODY, shippingAddress: { ...SEED_CREATE_BODY.shippingAddress, city: ' ' } },
    code: 'VALIDATION_FAILED',
    pointer: '/shippingAddress/city',
    status: 400,
  },
  { name: 'impossible promisedDeliveryAt', method: 'POST', path: '/api/v1/orders', body: { ...SEED_CREATE_BODY, promisedDeliveryAt: '2027-02-30T10:00:00Z' }, code: 'VALIDATION_FAILED', pointer: '/promisedDeliveryAt', status: 400 },
  { name: 'too many decimals', method: 'POST', path: '/api/v1/orders', body: { ...SEED_CREATE_BODY, items: [{ ...item, price: { amount: 1.005, currency: 'USD' } }] }, code: 'TOO_MANY_DECIMALS', pointer: '/items/0/price/amount' },
  { name: 'PATCH with duplicate SKUs', method: 'PATCH', path: A, body: { items: [item, item] }, code: 'VALIDATION_FAILED', pointer: '/items/1/sku' },
  { name: 'PATCH with a blank street', method: 'PATCH', path: A, body: { shippingAddress: { ...SEED_CREATE_BODY.shippingAddress, street: '  ' } }, code: 'VALIDATION_FAILED', pointer: '/shippingAddress/street', status: 400 },
  { name: 'cancel with a blank reason', method: 'PUT', path: `${A}/cancel`, body: { reason: '   ' }, code: 'VALIDATION_FAILED', pointer: '/reason', status: 400 },
  { name: 'assign-wave with a blank waveId', method: 'PUT', path: `${A}/assign-wave`, body: { waveId: ' ' }, code: 'VALIDATION_FAILED', pointer: '/waveId', status: 400 },
  { name: 'ship with a blank carrier', method: 'PUT', path: `${A}/ship`, body: { trackingNumber: '1Z', carrier: '  ' }, code: 'VALIDATION_FAILED', pointer: '/carrier', status: 400 },
  { name: 'complete on February 30th', method: 'PUT', path: `${A}/complete`, body: { deliveredAt: '2026-02-30T09:30:00Z' }, code: 'VALIDATION_FAILED', pointer: '/deliveredAt', status: 400 },
];

describe('payload rules answered at the edge (domain precheck)', () => {
  let h: EdgeHarness;
  beforeAll(async () => {
    h = await startEdge();
  });
  afterAll(async () => h?.close());

  it.each(rows)('$name → $code at $pointer', async (row) => {
    const res = await fetch(`${h.base}${row.path}`, json(row.method, row.body));
    const problem = (await res.json()) as { status: number; code: string; errors?: { in: string; pointer: string; detail: string }[] };
    const status = row.status ?? 422;
    expect(res.status, JSON.stringify(problem)).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(problem).toMatchObject({ status, code: row.code });
    expect(problem.errors).toContainEqual({ in: 'body', pointer: row.pointer, detail: expect.any(String) });
  });

  it('nothing was produced for them', async () => {
    const { metrics } = await (await fetch(`${h.base}/metrics`)).text().then((metrics) => ({ metrics }));
    expect(metrics).not.toMatch(/^edge_commands_produced_total\{[^}]*\} [1-9]/m);
  });
});
