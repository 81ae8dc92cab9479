// Bad requests against the real edge: a table of at least 40 with the expected status and
// JSON pointer of the problem+json answer, and a property-based fuzz of 2,000+ random or
// mutated requests that must never get a 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CREATE_BODY, startEdge, type EdgeHarness } from '../support/edge-harness.js';

type Body = Record<string, unknown>;
const seed = (): Body => structuredClone(SEED_CREATE_BODY) as Body;
const withItem = (patch: Body): Body => ({ ...seed(), items: [{ ...SEED_CREATE_BODY.items[0], ...patch }] });
const withPrice = (patch: Body): Body => withItem({ price: { ...SEED_CREATE_BODY.items[0]!.price, ...patch } });
const withAddress = (patch: Body): Body => ({ ...seed(), shippingAddress: { ...SEED_CREATE_BODY.shippingAddress, ...patch } });
const without = (key: string): Body => {
  const b = seed();
  delete b[key];
  return b;
};
const item = SEED_CREATE_BODY.items[0]!;
/** The seed body with the text `replace` swapped for raw bytes (not necessarily UTF-8). */
const invalidUtf8 = (replace: string, bytes: number[]): Buffer => {
  const [before, after] = JSON.stringify(seed()).split(replace) as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
};

interface Row {
  name: string;
  method?: string;
  path?: string;
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
  status: number;
  pointer?: string;
  in?: 'body' | 'query' | 'path' | 'header';
  code?: string;
}

const ORDERS = '/api/v1/orders';
const A = `${ORDERS}/ORD-1`;

const rows: Row[] = [
  { name: 'customerId missing', body: without('customerId'), status: 400, pointer: '/customerId' },
  { name: 'customerId empty', body: { ...seed(), customerId: '' }, status: 400, pointer: '/customerId' },
  { name: 'customerId too long', body: { ...seed(), customerId: 'C'.repeat(65) }, status: 400, pointer: '/customerId' },
  { name: 'customerId a number', body: { ...seed(), customerId: 1 }, status: 400, pointer: '/customerId' },
  { name: 'priority not in the enum', body: { ...seed(), priority: 'urgent' }, status: 400, pointer: '/priority' },
  { name: 'priority missing', body: without('priority'), status: 400, pointer: '/priority' },
  { name: 'items empty', body: { ...seed(), items: [] }, status: 400, pointer: '/items' },
  { name: 'items over the limit', body: { ...seed(), items: Array.from({ length: 101 }, () => item) }, status: 400, pointer: '/items' },
  { name: 'items not an array', body: { ...seed(), items: item }, status: 400, pointer: '/items' },
  { name: 'quantity 0', body: withItem({ quantity: 0 }), status: 400, pointer: '/items/0/quantity' },
  { name: 'quantity over the limit', body: withItem({ quantity: 10_001 }), status: 400, pointer: '/items/0/quantity' },
  { name: 'quantity fractional', body: withItem({ quantity: 1.5 }), status: 400, pointer: '/items/0/quantity' },
  { name: 'quantity as a string (no coercion)', body: withItem({ quantity: '2' }), status: 400, pointer: '/items/0/quantity' },
  { name: 'sku missing', body: { ...seed(), items: [{ productName: 'x', quantity: 1, price: item.price }] }, status: 400, pointer: '/items/0/sku' },
  { name: 'productName with a control character', body: withItem({ productName: 'Widget\nA' }), status: 400, pointer: '/items/0/productName' },
  { name: 'negative amount', body: withPrice({ amount: -1 }), status: 400, pointer: '/items/0/price/amount' },
  { name: 'amount not a number', body: withPrice({ amount: 'abc' }), status: 400, pointer: '/items/0/price/amount' },
  { name: 'lower-case currency', body: withPrice({ currency: 'usd' }), status: 400, pointer: '/items/0/price/currency' },
  { name: 'unknown price field', body: withPrice({ discount: 1 }), status: 400, pointer: '/items/0/price/discount' },
  { name: 'unknown item field', body: withItem({ color: 'red' }), status: 400, pointer: '/items/0/color' },
  { name: 'shippingAddress missing', body: without('shippingAddress'), status: 400, pointer: '/shippingAddress' },
  { name: 'city missing', body: { ...seed(), shippingAddress: { street: 'a', state: 'b', zipCode: 'c', country: 'US' } }, status: 400, pointer: '/shippingAddress/city' },
  { name: 'country not ISO alpha-2', body: withAddress({ country: 'USA' }), status: 400, pointer: '/shippingAddress/country' },
  { name: 'zipCode too long', body: withAddress({ zipCode: '1'.repeat(21) }), status: 400, pointer: '/shippingAddress/zipCode' },
  { name: 'promisedDeliveryAt not a date-time', body: { ...seed(), promisedDeliveryAt: 'tomorrow' }, status: 400, pointer: '/promisedDeliveryAt' },
  { name: 'unknown top-level field', body: { ...seed(), status: 'shipped' }, status: 400, pointer: '/status' },
  { name: 'body is an array', body: [seed()], status: 400, pointer: '' },
  { name: 'body is a string', body: 'order', status: 400, pointer: '' },
  { name: 'malformed JSON', raw: '{"customerId": ', status: 400, code: 'MALFORMED_BODY' },
  { name: '__proto__ pollution', raw: `{"__proto__":{"admin":true},${JSON.stringify(seed()).slice(1)}`, status: 400, code: 'VALIDATION_FAILED', pointer: '/__proto__' },
  { name: 'constructor.prototype pollution', raw: `{"constructor":{"prototype":{"admin":true}},${JSON.stringify(seed()).slice(1)}`, status: 400, code: 'VALIDATION_FAILED', pointer: '/constructor' },
  // Regression (issue 20): invalid UTF-8 was decoded to U+FFFD, stored and answered 201.
  { name: 'invalid UTF-8 in productName', raw: invalidUtf8('Widget A', [0xff, 0xfe, 0xc3, 0x28]), status: 400, code: 'VALIDATION_FAILED', pointer: '/items/0/productName' },
  { name: 'a truncated UTF-8 sequence in customerId', raw: invalidUtf8('CUST-001', [0x43, 0xe2, 0x82]), status: 400, code: 'VALIDATION_FAILED', pointer: '/customerId' },
  { name: 'invalid UTF-8 outside any string', raw: Buffer.concat([Buffer.from('{'), Buffer.from([0xff]), Buffer.from(JSON.stringify(seed()).slice(1))]), status: 400, code: 'MALFORMED_BODY' },
  { name: 'too many decimals for USD', body: withPrice({ amount: 29.999 }), status: 422, pointer: '/items/0/price/amount', code: 'TOO_MANY_DECIMALS' },
  { name: 'unsupported currency', body: withPrice({ currency: 'XXX' }), status: 422, pointer: '/items/0/price/currency', code: 'UNSUPPORTED_CURRENCY' },
  { name: 'two currencies in one order', body: { ...seed(), items: [item, { ...item, sku: 'SKU-2', price: { amount: 1, currency: 'EUR' } }] }, status: 422, pointer: '/items/1/price/currency', code: 'CURRENCY_MISMATCH' },
  { name: 'text/plain body', raw: 'hello', headers: { 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'form body', raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
  { name: 'body over the size limit', body: { ...seed(), customerId: 'x'.repeat(300 * 1024) }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'Idempotency-Key with a space', body: seed(), headers: { 'idempotency-key': 'a b' }, status: 400, in: 'header', pointer: '/idempotency-key' },
  { name: 'Idempotency-Key too long', body: seed(), headers: { 'idempotency-key': 'k'.repeat(256) }, status: 400, in: 'header', pointer: '/idempotency-key' },
  { name: 'cancel without reason', method: 'PUT', path: `${A}/cancel`, body: {}, status: 400, pointer: '/reason' },
  { name: 'cancel reason too long', method: 'PUT', path: `${A}/cancel`, body: { reason: 'r'.repeat(501) }, status: 400, pointer: '/reason' },
  { name: 'assign-wave waveId a number', method: 'PUT', path: `${A}/assign-wave`, body: { waveId: 7 }, status: 400, pointer: '/waveId' },
  { name: 'ship without carrier', method: 'PUT', path: `${A}/ship`, body: { trackingNumber: '1Z' }, status: 400, pointer: '/carrier' },
  { name: 'complete with a bad deliveredAt', method: 'PUT', path: `${A}/complete`, body: { deliveredAt: '2026-13-45' }, status: 400, pointer: '/deliveredAt' },
  { name: 'validate with an unknown field', method: 'PUT', path: `${A}/validate`, body: { force: true }, status: 400, pointer: '/force' },
  { name: 'orderId with a bad character', method: 'PUT', path: `${ORDERS}/ORD!1/validate`, status: 400, in: 'path', pointer: '/orderId' },
  { name: 'orderId too long', method: 'PUT', path: `${ORDERS}/${'O'.repeat(65)}/validate`, status: 400, in: 'path', pointer: '/orderId' },
  { name: 'PATCH with nothing to change', method: 'PATCH', path: A, body: {}, status: 400, pointer: '' },
  { name: 'PATCH with empty items', method: 'PATCH', path: A, body: { items: [] }, status: 400, pointer: '/items' },
  { name: 'PATCH of a field that cannot change', method: 'PATCH', path: A, body: { customerId: 'C2' }, status: 400, pointer: '/customerId' },
  { name: 'list with an unknown status', method: 'GET', path: `${ORDERS}?status=bogus`, status: 400, in: 'query', pointer: '/status' },
  { name: 'list limit 0', method: 'GET', path: `${ORDERS}?limit=0`, status: 400, in: 'query', pointer: '/limit' },
  { name: 'list limit 101', method: 'GET', path: `${ORDERS}?limit=101`, status: 400, in: 'query', pointer: '/limit' },
  { name: 'list limit not a number', method: 'GET', path: `${ORDERS}?limit=ten`, status: 400, in: 'query', pointer: '/limit' },
  { name: 'operator injection status[$ne]', method: 'GET', path: `${ORDERS}?status[$ne]=x`, status: 400, in: 'query', pointer: '/status[$ne]' },
  { name: 'regex injection customerId[$regex]', method: 'GET', path: `${ORDERS}?customerId[$regex]=.*`, status: 400, in: 'query', pointer: '/customerId[$regex]' },
  { name: 'repeated status', method: 'GET', path: `${ORDERS}?status=received&status=validated`, status: 400, in: 'query', pointer: '/status' },
  { name: 'unknown query parameter', method: 'GET', path: `${ORDERS}?sort=createdAt`, status: 400, in: 'query', pointer: '/sort' },
  { name: 'forged cursor', method: 'GET', path: `${ORDERS}?cursor=${Buffer.from('["x","y"]').toString('base64url')}`, status: 400, in: 'query', pointer: '/cursor', code: 'INVALID_CURSOR' },
  { name: 'cursor with bad characters', method: 'GET', path: `${ORDERS}?cursor=a.b`, status: 400, in: 'query', pointer: '/cursor' },
  { name: 'commandId not a UUID', method: 'GET', path: '/api/v1/commands/not-a-uuid', status: 400, in: 'path', pointer: '/commandId' },
  { name: 'unknown order', method: 'GET', path: `${ORDERS}/ORD-nope`, status: 404, code: 'ORDER_NOT_FOUND' },
  { name: 'unknown route', method: 'GET', path: '/api/v1/widgets', status: 404, code: 'ROUTE_NOT_FOUND' },
  { name: 'a method the path does not support', method: 'DELETE', path: A, status: 405, code: 'METHOD_NOT_ALLOWED' },
  { name: 'bad percent-encoding', method: 'GET', path: `${ORDERS}/%zz`, status: 400 },
  { name: 'unpaired UTF-16 surrogate', raw: JSON.stringify(seed()).replace('CUST-001', '\\ud800'), status: 400, pointer: '/customerId' },
  { name: 'gzip Content-Encoding', body: seed(), headers: { 'content-encoding': 'gzip' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: '50,000 levels of nesting', raw: '['.repeat(50_000) + ']'.repeat(50_000), status: 400, pointer: '' },
  { name: 'null body', method: 'PUT', path: `${A}/validate`, raw: 'null', status: 400, pointer: '' },
];

describe('bad requests get a clear 4xx problem+json', () => {
  let h: EdgeHarness;
  beforeAll(async () => {
    h = await startEdge();
  });
  afterAll(async () => h?.close());

  it('the table has at least 40 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it.each(rows)('$name → $status', async (row) => {
    const headers: Record<string, string> = { ...(row.body !== undefined || row.raw !== undefined ? { 'content-type': 'application/json' } : {}), ...row.headers };
    const res = await fetch(`${h.base}${row.path ?? ORDERS}`, {
      method: row.method ?? 'POST',
      headers,
      ...(row.raw !== undefined ? { body: typeof row.raw === "string" ? row.raw : new Uint8Array(row.raw) } : row.body !== undefined ? { body: JSON.stringify(row.body) } : {}),
    });
    expect(res.status).toBe(row.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; code: string; type: string; errors?: { in: string; pointer: string; detail: string }[] };
    expect(problem.status).toBe(row.status);
    expect(problem.type).toMatch(/^urn:wms:order-service:problem:/);
    if (row.code) expect(problem.code).toBe(row.code);
    if (row.pointer !== undefined) {
      expect(problem.errors?.map((e) => e.pointer)).toContain(row.pointer);
      const entry = problem.errors?.find((e) => e.pointer === row.pointer);
      expect(entry?.in).toBe(row.in ?? 'body');
      expect(entry?.detail.length).toBeGreaterThan(0);
    }
  });
});

// Fuzz: requests built from the seed by random mutation, plus random routes, headers and bodies.
const jsonish = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('same_day', 'USD', 'EUR', 'ORD-1', '29.99', '2026-11-25T12:00:00Z', '__proto__', 'constructor', '$ne', '{"$gt":""}', '\u0000', 'A'.repeat(70)),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
);

const seedPaths = (() => {
  const out: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    out.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(SEED_CREATE_BODY, []);
  return out.filter((p) => p.length > 0);
})();

const mutation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...seedPaths), value: jsonish }),
  fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...seedPaths) }),
  fc.record({ op: fc.constant('add' as const), path: fc.constantFrom([], ...seedPaths), key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', '$where')), value: jsonish }),
);

function mutate(body: unknown, m: { op: string; path: (string | number)[]; value?: unknown; key?: string }): unknown {
  const root = structuredClone(body) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = root;
  for (const step of m.path.slice(0, -1)) {
    const next = parent[step];
    if (!next || typeof next !== 'object') return root;
    parent = next as Record<string | number, unknown>;
  }
  const last = m.path[m.path.length - 1];
  if (m.op === 'set' && last !== undefined) parent[last] = m.value;
  if (m.op === 'delete' && last !== undefined) delete parent[last];
  if (m.op === 'add') {
    const target = (last === undefined ? root : parent[last]) as Record<string, unknown> | undefined;
    if (target && typeof target === 'object') Object.defineProperty(target, m.key ?? 'x', { value: m.value, enumerable: true, configurable: true, writable: true });
  }
  return root;
}

const routes = fc.constantFrom(
  ['POST', ORDERS],
  ['PATCH', A],
  ['PUT', `${A}/validate`],
  ['PUT', `${A}/cancel`],
  ['PUT', `${A}/assign-wave`],
  ['PUT', `${A}/ship`],
  ['PUT', `${A}/complete`],
  ['GET', A],
  ['GET', ORDERS],
  ['GET', '/api/v1/commands/5f0c7a1e-8a0b-4d39-9a43-1f0d3f1e2b7c'],
);

const request = fc.oneof(
  // mutated seed bodies on any route
  fc.record({
    route: routes,
    body: fc.array(mutation, { minLength: 0, maxLength: 4 }).map((ms) => JSON.stringify(ms.reduce(mutate, SEED_CREATE_BODY))),
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/merge-patch+json', 'text/plain', 'application/xml', ''),
    extraHeaders: fc.record({
      prefer: fc.constantFrom(undefined, 'wait=0', 'wait=abc', 'wait=99999999999', 'respond-async'),
      'idempotency-key': fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      'x-correlation-id': fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      'if-none-match': fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    }),
    query: fc.constant(''),
  }),
  // random raw bodies and random query strings / paths
  fc.record({
    route: fc.oneof(routes, fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), fc.string({ maxLength: 40 }).map((s) => `/api/v1/orders/${encodeURIComponent(s)}`))),
    body: fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.constant('')),
    contentType: fc.constantFrom('application/json', 'text/plain', ''),
    extraHeaders: fc.constant({} as Record<string, string | undefined>),
    query: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom('status', 'priority', 'customerId', 'limit', 'cursor', 'status[$ne]', 'a[b][c]'), fc.string({ maxLength: 10 })), fc.string({ maxLength: 20 })), { maxLength: 4 })
      .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
  }),
);

describe('fuzz: no input yields a 5xx', () => {
  let h: EdgeHarness;
  beforeAll(async () => {
    h = await startEdge();
  });
  afterAll(async () => h?.close());

  it('2,000 random or mutated requests all get an answer below 500', async () => {
    let count = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [method, path] = r.route as [string, string];
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        for (const [k, v] of Object.entries(r.extraHeaders)) if (v !== undefined && /^[\x20-\x7e]*$/.test(v)) headers[k] = v;
        const hasBody = method !== 'GET' && method !== 'OPTIONS';
        const res = await h.app.inject({ method: method as 'GET', url: r.query ? `${path}?${r.query}` : path, headers, ...(hasBody ? { payload: r.body } : {}) });
        count++;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) throw new Error(`${method} ${path} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
        if (res.statusCode >= 400) expect(res.headers['content-type']).toMatch(/problem\+json/);
      }),
      { numRuns: 2000 },
    );
    expect(count).toBeGreaterThanOrEqual(2000);
    // Some mutated requests must stay valid, or the fuzz only exercises the validator.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
  });
});
