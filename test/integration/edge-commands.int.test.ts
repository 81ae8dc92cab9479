// The edge's command path against the real stack: 202 only after Kafka has the record,
// the record as the processor will read it, Idempotency-Key, Prefer: wait, auth.
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCommand, type Command } from '../../src/schemas/index.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { outcomesCollection } from '../../src/shared/outcomes-collection.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { SEED_CREATE_BODY, json, insertSeededOrders, seededOrder, produceOutcome, startEdge, untilReady, type EdgeHarness } from '../support/edge-harness.js';
import { consumeAll } from '../support/kafka-read.js';

describe('edge command path (real Kafka, MongoDB, registry)', () => {
  let h: EdgeHarness;
  const ids: string[] = [];
  const nextId = () => ids.shift() ?? uuidv7();

  beforeAll(async () => {
    h = await startEdge({ deps: { newId: nextId } });
    await untilReady(h.base);
  });
  afterAll(async () => h?.close());

  const commandsOnTopic = async (count: number): Promise<{ key: string; command: Command; headers: Record<string, string> }[]> => {
    const seen = await consumeAll(h.kafka, h.config.topics.commands, count, 'read_uncommitted', 1500);
    const resolver = schemaResolver(h.config.schemaRegistryUrl);
    return Promise.all(seen.map(async (s) => ({ key: s.key, command: await decodeCommand(s.value, resolver), headers: s.headers })));
  };

  const created: { orderId: string; commandId: string }[] = [];

  it('seed create → 202 + Location, and the command is on the commands topic', async () => {
    const res = await fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { 'x-correlation-id': 'corr-seed-1' }));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { orderId: string; commandId: string; status: string };
    expect(body.orderId).toMatch(/^ORD-[0-9a-f-]{36}$/);
    expect(body.commandId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/); // UUID v7
    expect(body.status).toBe('pending');
    expect(res.headers.get('location')).toBe(`/api/v1/orders/${body.orderId}`);
    expect(res.headers.get('x-correlation-id')).toBe('corr-seed-1');
    created.push(body);

    const [record] = await commandsOnTopic(1);
    expect(record?.key).toBe(body.orderId);
    expect(record?.headers['content-type']).toBe('application/json');
    expect(record?.command).toMatchObject({
      commandId: body.commandId,
      type: 'CreateOrder',
      orderId: body.orderId,
      correlationId: 'corr-seed-1',
      payload: { customerId: 'CUST-001', priority: 'standard', items: [{ sku: 'SKU-001', quantity: 2, price: { amount: '29.99', currency: 'USD' } }] },
    });
  });

  it('every lifecycle route produces its command type with its payload, keyed by orderId', async () => {
    const orderId = created[0]!.orderId;
    const calls: [string, string, unknown][] = [
      ['PUT', 'validate', undefined],
      ['PUT', 'assign-wave', { waveId: 'WAVE-7' }],
      ['PUT', 'start-picking', {}],
      ['PUT', 'mark-packed', undefined],
      ['PUT', 'ship', { trackingNumber: '1Z999', carrier: 'UPS' }],
      ['PUT', 'complete', { deliveredAt: '2026-11-26T10:00:00Z' }],
      ['PUT', 'cancel', { reason: 'Customer request' }],
      ['PATCH', '', { priority: 'same_day' }],
    ];
    for (const [method, action, body] of calls) {
      const res = await fetch(`${h.base}/api/v1/orders/${orderId}${action ? `/${action}` : ''}`, json(method, body, { 'x-wms-correlation-id': `wms-${action || 'modify'}` }));
      expect(res.status, `${method} ${action}`).toBe(202);
      expect(res.headers.get('x-correlation-id')).toBe(`wms-${action || 'modify'}`);
    }
    const records = await commandsOnTopic(1 + calls.length);
    const mine = records.filter((r) => r.command.type !== 'CreateOrder').map((r) => [r.key, r.command.type, r.command.payload, r.command.correlationId]);
    expect(mine).toEqual([
      [orderId, 'ValidateOrder', {}, 'wms-validate'],
      [orderId, 'AssignWave', { waveId: 'WAVE-7' }, 'wms-assign-wave'],
      [orderId, 'StartPicking', {}, 'wms-start-picking'],
      [orderId, 'MarkPacked', {}, 'wms-mark-packed'],
      [orderId, 'MarkShipped', { trackingNumber: '1Z999', carrier: 'UPS' }, 'wms-ship'],
      [orderId, 'CompleteOrder', { deliveredAt: '2026-11-26T10:00:00Z' }, 'wms-complete'],
      [orderId, 'CancelOrder', { reason: 'Customer request' }, 'wms-cancel'],
      [orderId, 'ModifyOrder', { priority: 'same_day' }, 'wms-modify'],
    ]);
  });

  it('Idempotency-Key: same body → same answer and commandId; other body → 422; scoped per route', async () => {
    const key = `key-${randomUUID()}`;
    const first = await fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { 'idempotency-key': key }));
    expect(first.status).toBe(202);
    const a = await first.json();
    // Same JSON with another key order is the same request.
    const reordered = { shippingAddress: SEED_CREATE_BODY.shippingAddress, items: SEED_CREATE_BODY.items, priority: 'standard', customerId: 'CUST-001' };
    const again = await fetch(`${h.base}/api/v1/orders`, json('POST', reordered, { 'idempotency-key': key }));
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await again.json()).toEqual(a);

    const other = await fetch(`${h.base}/api/v1/orders`, json('POST', { ...SEED_CREATE_BODY, priority: 'same_day' }, { 'idempotency-key': key }));
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await other.json()).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });

    // The same key on another route (another order) is another key.
    const cancel = await fetch(`${h.base}/api/v1/orders/ORD-other/cancel`, json('PUT', { reason: 'x' }, { 'idempotency-key': key }));
    expect(cancel.status).toBe(202);

    // Kafka got the create once for this key.
    const records = await commandsOnTopic(1 + 8 + 2);
    expect(records.filter((r) => r.command.commandId === (a as { commandId: string }).commandId)).toHaveLength(1);
  });

  it('Prefer: wait → 201 with the order once the outcome arrives on Kafka', async () => {
    const orderUuid = randomUUID();
    const commandId = randomUUID();
    ids.push(orderUuid, commandId);
    const orderId = `ORD-${orderUuid}`;
    const started = Date.now();
    const pending = fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { prefer: 'wait=20' }));
    await new Promise((r) => setTimeout(r, 700));
    // What the processor would do: store the order, then publish the outcome.
    await insertSeededOrders(h.db, [seededOrder(orderId)]);
    await produceOutcome(h, { commandId, orderId, commandType: 'CreateOrder', correlationId: 'c', status: 'applied', version: 1, eventIds: [randomUUID()] });
    const res = await pending;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(res.status).toBe(201);
    expect(res.headers.get('preference-applied')).toBe('wait=20');
    expect(res.headers.get('location')).toBe(`/api/v1/orders/${orderId}`);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(await res.json()).toMatchObject({ orderId, status: 'received', version: 1, items: [{ sku: 'SKU-001', price: { amount: 29.99, currency: 'USD' } }], totalAmount: { amount: 59.98, currency: 'USD' } });
  });

  it('Prefer: wait → 409 problem when the outcome is a state-conflict rejection', async () => {
    const commandId = randomUUID();
    ids.push(commandId);
    const pending = fetch(`${h.base}/api/v1/orders/ORD-wait-rejected/validate`, json('PUT', undefined, { prefer: 'wait=20' }));
    await new Promise((r) => setTimeout(r, 700));
    await produceOutcome(h, {
      commandId,
      orderId: 'ORD-wait-rejected',
      commandType: 'ValidateOrder',
      correlationId: 'c',
      status: 'rejected',
      code: 'INVALID_TRANSITION',
      reason: 'ValidateOrder is not allowed in status shipped',
      version: 6,
      eventIds: [],
    });
    const res = await pending;
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 409, code: 'INVALID_TRANSITION', detail: 'ValidateOrder is not allowed in status shipped', commandId, orderId: 'ORD-wait-rejected' });
  });

  it('Prefer: wait finds an outcome recorded before the wait began (no race), and 404s ORDER_NOT_FOUND', async () => {
    const commandId = randomUUID();
    ids.push(commandId);
    await outcomesCollection(h.db).insertOne({
      _id: commandId,
      orderId: 'ORD-missing',
      commandType: 'MarkPacked',
      correlationId: 'c',
      status: 'rejected',
      code: 'ORDER_NOT_FOUND',
      reason: 'order ORD-missing does not exist',
      version: 0,
      eventIds: [],
      recordedAt: new Date(),
    });
    const started = Date.now();
    const res = await fetch(`${h.base}/api/v1/orders/ORD-missing/mark-packed`, json('PUT', undefined, { prefer: 'wait=20' }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'ORDER_NOT_FOUND' });
  });

  it('Prefer: wait → 202 with Preference-Applied when no outcome comes in time; waits are capped', async () => {
    const started = Date.now();
    const res = await fetch(`${h.base}/api/v1/orders/ORD-slow/start-picking`, json('PUT', undefined, { prefer: 'wait=1' }));
    const took = Date.now() - started;
    expect(res.status).toBe(202);
    expect(res.headers.get('preference-applied')).toBe('wait=1');
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(5000);
  });
});

describe('edge bearer auth (API_TOKEN set)', () => {
  let h: EdgeHarness;
  const token = 'test-token-0123456789abcdef';
  beforeAll(async () => {
    h = await startEdge({ env: { API_TOKEN: token } });
  });
  afterAll(async () => h?.close());

  it('every /api/v1 route needs the token, reads included; operations routes stay open', async () => {
    const denied = await fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { authorization: 'Bearer wrong-token-0123456789abcdef' }));
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await denied.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    const missing = await fetch(`${h.base}/api/v1/orders/ORD-1/validate`, json('PUT'));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    const ok = await fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { authorization: `Bearer ${token}` }));
    expect(ok.status).toBe(202);
    expect((await fetch(`${h.base}/api/v1/orders?limit=1`)).status).toBe(401);
    expect((await fetch(`${h.base}/api/v1/orders?limit=1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    for (const path of ['/health', '/metrics', '/docs/json']) expect((await fetch(`${h.base}${path}`)).status, path).toBe(200);
    const doc = (await (await fetch(`${h.base}/docs/json`)).json()) as { components: { securitySchemes: Record<string, unknown> }; paths: Record<string, Record<string, { security?: unknown }>> };
    expect(doc.components.securitySchemes).toEqual({ apiToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(doc.paths['/api/v1/orders']?.get?.security).toEqual([{ apiToken: [] }]);
    expect(doc.paths['/api/v1/orders']?.post?.security).toEqual([{ apiToken: [] }]);
  });
});
