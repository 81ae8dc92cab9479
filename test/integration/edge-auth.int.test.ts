// JWT bearer authentication against a real local JWKS endpoint, through a real edge and
// processor: every /api/v1 route needs a token, reads the scope orders:read, commands
// orders:write; bad tokens (expired, wrong audience or issuer, wrong key, alg none) are
// 401, a good token without the scope 403, an unreachable key set 503. The token's
// subject is the command's issuedBy and shows in the order's history; Idempotency-Keys
// are per caller. The OpenAPI document declares the schemes and scopes per route.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_CREATE_BODY, json, startEdge, startEdgeAndProcessor, type EdgeAndProcessor, type EdgeHarness } from '../support/edge-harness.js';
import { startJwksServer, jwtEnv, type JwksServer } from '../support/jwks-server.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { freePort } from '../support/ports.js';

type ProblemBody = { status: number; code: string; type: string; detail: string };

describe('JWT bearer tokens (AUTH_JWKS_URL)', () => {
  let jwks: JwksServer;
  let service: EdgeAndProcessor;
  let edge: EdgeHarness;
  beforeAll(async () => {
    jwks = await startJwksServer();
    service = await startEdgeAndProcessor({ ...isolatedEnv('auth', 2), ...jwtEnv(jwks) });
    edge = service.edge;
  });
  afterAll(async () => {
    await service?.stop();
    await jwks?.close();
  });

  const call = (method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${edge.base}${path}`, json(method, body, { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }));
  const problemOf = async (res: Response): Promise<ProblemBody> => {
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await res.json()) as ProblemBody;
  };

  it('reads need a token too (401 problem+json with WWW-Authenticate); /health, /ready, /metrics, /docs stay open', async () => {
    for (const path of ['/api/v1/orders', '/api/v1/orders/ORD-1', '/api/v1/orders/ORD-1/history', `/api/v1/commands/${randomUUID()}`]) {
      const res = await call('GET', path, undefined);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="order-service"');
      expect(await problemOf(res)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
    expect((await call('POST', '/api/v1/orders', undefined, SEED_CREATE_BODY)).status).toBe(401);
    for (const path of ['/health', '/ready', '/metrics', '/docs/json']) expect((await fetch(`${edge.base}${path}`)).status, path).toBe(200);
  });

  it.each([
    ['expired beyond the clock skew', { expiresIn: -120 }],
    ['for another audience', { audience: 'someone-else' }],
    ['from another issuer', { issuer: 'https://evil.test/' }],
    ['signed by a key not in the JWKS', { wrongKey: true }],
  ] as const)('a token %s → 401 INVALID_TOKEN', async (_what, opts) => {
    const res = await call('GET', '/api/v1/orders', await jwks.token(opts));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="order-service", error="invalid_token"$/);
    expect(await problemOf(res)).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
  });

  it('an unsigned token (alg: none) and garbage → 401 INVALID_TOKEN', async () => {
    for (const token of [jwks.unsigned(), 'not-a-jwt', 'a.b.c']) {
      const res = await call('GET', '/api/v1/orders', token);
      expect(res.status, token).toBe(401);
      expect((await problemOf(res)).code).toBe('INVALID_TOKEN');
    }
  });

  it('a token expired within the clock skew still passes', async () => {
    expect((await call('GET', '/api/v1/orders', await jwks.token({ expiresIn: -10 }))).status).toBe(200);
  });

  it('scopes: orders:read reads but may not send commands (403 INSUFFICIENT_SCOPE); orders:write alone may not read', async () => {
    const reader = await jwks.token({ scope: 'orders:read' });
    expect((await call('GET', '/api/v1/orders', reader)).status).toBe(200);
    const denied = await call('POST', '/api/v1/orders', reader, SEED_CREATE_BODY);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="order-service", error="insufficient_scope", scope="orders:write"');
    expect(await problemOf(denied)).toMatchObject({ status: 403, code: 'INSUFFICIENT_SCOPE' });
    const writer = await jwks.token({ scope: 'orders:write', extra: { scp: undefined } });
    expect((await call('GET', '/api/v1/orders', writer)).status).toBe(403);
    expect((await call('PUT', '/api/v1/orders/ORD-1/validate', writer)).status).toBe(202);
    // `scp` as an array (Azure AD, Okta) counts as well.
    expect((await call('GET', '/api/v1/orders', await jwks.token({ scope: '', extra: { scp: ['orders:read'] } }))).status).toBe(200);
  });

  it("the caller's subject travels in the command record and the order's history", async () => {
    const sub = `svc-${randomUUID()}`;
    const token = await jwks.token({ sub });
    const res = await call('POST', '/api/v1/orders', token, SEED_CREATE_BODY, { prefer: 'wait=20' });
    expect(res.status).toBe(201);
    const order = (await res.json()) as { orderId: string; timeline: { issuedBy?: string }[] };
    expect(order.timeline[0]?.issuedBy).toBe(sub);
    const validated = await call('PUT', `/api/v1/orders/${order.orderId}/validate`, token, undefined, { prefer: 'wait=20' });
    expect(validated.status).toBe(200);

    const history = (await (await call('GET', `/api/v1/orders/${order.orderId}/history`, token)).json()) as { entries: { status: string; issuedBy?: string }[] };
    expect(history.entries.map((e) => [e.status, e.issuedBy])).toEqual([
      ['received', sub],
      ['validated', sub],
    ]);
    const records = await consumeAll(edge.kafka, edge.config.topics.commands, 2, 'read_uncommitted', 1000);
    const mine = records.filter((s) => s.key === order.orderId).map((s) => JSON.parse(s.value.toString()) as { type: string; issuedBy?: string });
    expect(mine.map((c) => [c.type, c.issuedBy])).toEqual([
      ['CreateOrder', sub],
      ['ValidateOrder', sub],
    ]);
  }, 60_000);

  it('Idempotency-Keys are per caller: the same key from two callers makes two orders', async () => {
    const key = randomUUID();
    const alice = await jwks.token({ sub: 'alice' });
    const bob = await jwks.token({ sub: 'bob' });
    const first = (await (await call('POST', '/api/v1/orders', alice, SEED_CREATE_BODY, { 'idempotency-key': key })).json()) as { orderId: string };
    const again = await call('POST', '/api/v1/orders', alice, SEED_CREATE_BODY, { 'idempotency-key': key });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { orderId: string }).orderId).toBe(first.orderId);
    const other = await call('POST', '/api/v1/orders', bob, SEED_CREATE_BODY, { 'idempotency-key': key });
    expect(other.status).toBe(202);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(((await other.json()) as { orderId: string }).orderId).not.toBe(first.orderId);
  });

  it('the OpenAPI document declares the scheme and the scope of every /api/v1 operation', async () => {
    const doc = (await (await fetch(`${edge.base}/docs/json`)).json()) as {
      components: { securitySchemes: Record<string, { type: string; scheme: string; bearerFormat?: string }> };
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
    };
    expect(doc.components.securitySchemes.jwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    const api = operations.filter((o) => o.path.startsWith('/api/v1'));
    expect(api.length).toBeGreaterThanOrEqual(12);
    for (const { path, method, op } of api) expect(op.security, `${method} ${path}`).toEqual([{ jwt: [method === 'get' ? 'orders:read' : 'orders:write'] }]);
    for (const { path, op } of operations.filter((o) => !o.path.startsWith('/api/v1'))) expect(op.security, path).toBeUndefined();
  });
});

describe('an unreachable key set', () => {
  let edge: EdgeHarness;
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await startJwksServer();
    const closedPort = await freePort();
    edge = await startEdge({ env: { ...jwtEnv(jwks), AUTH_JWKS_URL: `http://127.0.0.1:${closedPort}/jwks.json` } });
  });
  afterAll(async () => {
    await edge?.close();
    await jwks?.close();
  });

  it('answers 503 DEPENDENCY_UNAVAILABLE with Retry-After, not 401: the token may be fine', async () => {
    const res = await fetch(`${edge.base}/api/v1/orders`, { headers: { authorization: `Bearer ${await jwks.token()}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
  });
});

// Regression (issue 20): a key set answering 5xx (or a body that is not JSON) turned into
// 401 INVALID_TOKEN, telling a caller with a good token to get another. It is the issuer's
// outage: 503 with Retry-After, and a good token passes again once the key set is back.
describe('a key set that answers wrongly', () => {
  let edge: EdgeHarness;
  let jwks: JwksServer;
  // A fresh edge per case: it has no key set cached yet, so it must fetch one.
  beforeEach(async () => {
    jwks = await startJwksServer();
    edge = await startEdge({ env: jwtEnv(jwks) });
  });
  afterEach(async () => {
    await edge?.close();
    await jwks?.close();
  });

  it.each([[502], [500], ['not-json']] as const)('answering %s → 503 DEPENDENCY_UNAVAILABLE, then 200 once it serves keys', async (answer) => {
    jwks.answerWith(answer);
    const res = await fetch(`${edge.base}/api/v1/orders`, { headers: { authorization: `Bearer ${await jwks.token()}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    jwks.answerWith('keys');
    const back = await fetch(`${edge.base}/api/v1/orders`, { headers: { authorization: `Bearer ${await jwks.token()}` } });
    expect(back.status).toBe(200);
  });
});
