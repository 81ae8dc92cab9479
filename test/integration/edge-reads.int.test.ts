// Reads from MongoDB through the real edge: ETag / If-None-Match, keyset pagination with
// filters, command status; plus the operations endpoints and the OpenAPI document.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersCollection, type OrderDocument } from '../../src/shared/orders-collection.js';
import { outcomesCollection } from '../../src/shared/outcomes-collection.js';
import { recordHistory } from '../../src/shared/history-collection.js';
import { SEED_CREATE_BODY, insertSeededOrders, json, seededOrder, startEdge, type EdgeHarness } from '../support/edge-harness.js';

interface ListPage {
  items: { orderId: string; status: string; createdAt: string; customerId: string; priority: string }[];
  limit: number;
  nextCursor: string | null;
}

describe('edge reads (real MongoDB)', () => {
  let h: EdgeHarness;
  const seeded: ReturnType<typeof seededOrder>[] = [];
  const docs: OrderDocument[] = [];

  beforeAll(async () => {
    h = await startEdge();
    // 25 orders over 20 distinct instants (ties exercise the _id tie-break), mixed filters.
    for (let i = 0; i < 25; i++) {
      const createdAt = new Date(Date.UTC(2026, 10, 1, 8, Math.min(i, 19))).toISOString();
      seeded.push(
        seededOrder(`ORD-read-${String(i).padStart(2, '0')}`, {
          createdAt,
          customerId: i % 3 === 0 ? 'CUST-A' : 'CUST-B',
          priority: i % 2 === 0 ? 'same_day' : 'standard',
          cancel: i % 5 === 0,
        }),
      );
    }
    docs.push(...seeded.map((o) => o.doc));
    await insertSeededOrders(h.db, seeded);
  });
  afterAll(async () => h?.close());

  const newestFirst = (a: OrderDocument, b: OrderDocument) =>
    a.order!.createdAt === b.order!.createdAt ? (a._id < b._id ? 1 : -1) : a.order!.createdAt < b.order!.createdAt ? 1 : -1;

  it('GET an order → 200 with ETag; If-None-Match → 304; another version → 200', async () => {
    const doc = docs[5]!; // cancelled: version 2
    const res = await fetch(`${h.base}/api/v1/orders/${doc._id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    const body = await res.json();
    expect(body).toMatchObject({
      orderId: doc._id,
      status: 'cancelled',
      cancellationReason: 'Customer request',
      version: 2,
      items: [{ sku: 'SKU-001', quantity: 2, price: { amount: 29.99, currency: 'USD' }, lineTotal: { amount: 59.98, currency: 'USD' } }],
      totalAmount: { amount: 59.98, currency: 'USD' },
      shippingAddress: SEED_CREATE_BODY.shippingAddress,
    });
    const cached = await fetch(`${h.base}/api/v1/orders/${doc._id}`, { headers: { 'if-none-match': 'W/"2"' } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe('W/"2"');
    expect(await cached.text()).toBe('');
    const stale = await fetch(`${h.base}/api/v1/orders/${doc._id}`, { headers: { 'if-none-match': 'W/"1"' } });
    expect(stale.status).toBe(200);
  });

  it('an order whose history lags its document (written just after it) is served without an ETag until complete', async () => {
    const lagging = seededOrder('ORD-read-lagging', { cancel: true });
    await insertSeededOrders(h.db, [{ ...lagging, events: lagging.events.slice(0, 1) }]);
    const partial = await fetch(`${h.base}/api/v1/orders/ORD-read-lagging`);
    expect(partial.status).toBe(200);
    expect(partial.headers.get('etag')).toBeNull();
    expect(((await partial.json()) as { timeline: { version: number }[] }).timeline.map((t) => t.version)).toEqual([1]);

    await recordHistory(h.db, lagging.events);
    const complete = await fetch(`${h.base}/api/v1/orders/ORD-read-lagging/history`);
    expect(complete.headers.get('etag')).toBe('W/"2"');
    expect(((await complete.json()) as { entries: { status: string }[] }).entries.map((t) => t.status)).toEqual(['received', 'cancelled']);
    await ordersCollection(h.db).deleteOne({ _id: 'ORD-read-lagging' }); // the list tests count the seeded orders
  });

  it('seed list ?status=received&limit=10 → received orders only, newest first, with a cursor', async () => {
    const res = await fetch(`${h.base}/api/v1/orders?status=received&limit=10`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as ListPage;
    const expected = docs.filter((d) => d.order!.status === 'received').sort(newestFirst).slice(0, 10).map((d) => d._id);
    expect(page.items.map((o) => o.orderId)).toEqual(expected);
    expect(page.limit).toBe(10);
    expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('keyset pages visit every order exactly once, in order, for each filter', async () => {
    const filters: [string, (d: OrderDocument) => boolean][] = [
      ['', () => true],
      ['customerId=CUST-A', (d) => d.order!.customerId === 'CUST-A'],
      ['priority=same_day&status=received', (d) => d.order!.priority === 'same_day' && d.order!.status === 'received'],
      ['status=cancelled', (d) => d.order!.status === 'cancelled'],
    ];
    for (const [query, keep] of filters) {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 30; pages++) {
        const url = `${h.base}/api/v1/orders?limit=4${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await (await fetch(url)).json()) as ListPage;
        seen.push(...page.items.map((o) => o.orderId));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      expect(seen, query).toEqual(docs.filter(keep).sort(newestFirst).map((d) => d._id));
    }
  });

  it('GET /commands/{id}: applied, rejected (code + reason), pending', async () => {
    const applied = randomUUID();
    const rejected = randomUUID();
    const base = { orderId: 'ORD-read-00', correlationId: 'c', recordedAt: new Date(), eventIds: [] as string[] };
    await outcomesCollection(h.db).insertMany([
      { _id: applied, ...base, commandType: 'ValidateOrder', status: 'applied', version: 2 },
      { _id: rejected, ...base, commandType: 'MarkShipped', status: 'rejected', code: 'INVALID_TRANSITION', reason: 'MarkShipped is not allowed in status received', version: 1 },
    ]);
    expect(await (await fetch(`${h.base}/api/v1/commands/${applied}`)).json()).toEqual({ commandId: applied, orderId: 'ORD-read-00', commandType: 'ValidateOrder', status: 'applied', version: 2 });
    expect(await (await fetch(`${h.base}/api/v1/commands/${rejected}`)).json()).toMatchObject({ status: 'rejected', code: 'INVALID_TRANSITION', reason: 'MarkShipped is not allowed in status received' });
    const unknown = randomUUID();
    expect(await (await fetch(`${h.base}/api/v1/commands/${unknown}`)).json()).toEqual({ commandId: unknown, status: 'pending' });
  });

  it('/health, /ready and /metrics (HTTP histogram by route and status, commands by type)', async () => {
    expect(await (await fetch(`${h.base}/health`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY))).status).toBe(202);
    const ready = await fetch(`${h.base}/ready`);
    const readyBody = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(readyBody.checks.kafka?.ok).toBe(true);
    expect(readyBody.checks.mongodb?.ok).toBe(true);
    expect(readyBody.checks.registry?.ok).toBe(true);
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/orders",status_code="202"\} 1/);
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/orders\/:orderId",status_code="\d+"\}/);
    expect(metrics).toMatch(/edge_commands_produced_total\{type="CreateOrder"\} 1/);
    expect(metrics).toMatch(/edge_producer_in_flight 0/);
  });

  it('serves an OpenAPI 3.1 document built from the validation schemas, and the UI at /docs', async () => {
    const doc = (await (await fetch(`${h.base}/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[]; additionalProperties?: boolean } }> } }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/api/v1/orders']?.post?.requestBody?.content['application/json']?.schema;
    expect(create?.required).toEqual(expect.arrayContaining(['customerId', 'priority', 'items', 'shippingAddress']));
    expect(create?.additionalProperties).toBe(false);
    for (const action of ['validate', 'cancel', 'assign-wave', 'start-picking', 'mark-packed', 'ship', 'complete']) {
      expect(doc.paths[`/api/v1/orders/{orderId}/${action}`]?.put, action).toBeDefined();
    }
    const ui = await fetch(`${h.base}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger-ui/i);
    const bundle = await fetch(`${h.base}/docs/static/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000); // served locally, no CDN
  });
});
