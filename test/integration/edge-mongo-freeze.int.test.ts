// Regression (issue 20): the edge gave MongoDB calls no deadline, so with a MongoDB that
// stopped answering (frozen process, network partition) GETs, the Idempotency-Key claim
// and the Prefer: wait look-up hung until the driver gave up. Here MongoDB sits behind a
// TCP proxy that freezes (connections stay open, nothing is forwarded): every route must
// answer within EDGE_MONGO_TIMEOUT_MS plus a margin — 503 DEPENDENCY_UNAVAILABLE with
// Retry-After, or 202 for Prefer: wait whose outcome look-up cannot finish — and answer
// normally again once MongoDB is back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CREATE_BODY, insertSeededOrders, json, seededOrder, startEdge, type EdgeHarness } from '../support/edge-harness.js';
import { stackEnv } from '../support/stack-env.js';
import { startFreezableProxy, type FreezableProxy } from '../support/tcp-proxy.js';

const DEADLINE_MS = 1000;
/** Beyond the deadline: scheduling, the produce of a command, the answer itself. */
const MARGIN_MS = 2000;
const ORDER = 'ORD-frozen-1';

interface Call {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The answer while MongoDB is frozen, and once it is back. */
  frozen: number;
  back: number;
}

const calls: Call[] = [
  { name: 'list', method: 'GET', path: '/api/v1/orders', frozen: 503, back: 200 },
  { name: 'read one', method: 'GET', path: `/api/v1/orders/${ORDER}`, frozen: 503, back: 200 },
  { name: 'history', method: 'GET', path: `/api/v1/orders/${ORDER}/history`, frozen: 503, back: 200 },
  { name: 'command status', method: 'GET', path: `/api/v1/commands/${randomUUID()}`, frozen: 503, back: 200 },
  { name: 'create with Idempotency-Key', method: 'POST', path: '/api/v1/orders', body: SEED_CREATE_BODY, headers: { 'idempotency-key': 'k-create' }, frozen: 503, back: 202 },
  { name: 'validate with Idempotency-Key', method: 'PUT', path: `/api/v1/orders/${ORDER}/validate`, headers: { 'idempotency-key': 'k-validate' }, frozen: 503, back: 202 },
  // No processor runs: the waiter's deadline passes, its MongoDB look-up cannot finish, 202.
  { name: 'create with Prefer: wait=1', method: 'POST', path: '/api/v1/orders', body: SEED_CREATE_BODY, headers: { prefer: 'wait=1' }, frozen: 202, back: 202 },
];

describe('a frozen MongoDB behind the edge (EDGE_MONGO_TIMEOUT_MS=1000)', () => {
  let proxy: FreezableProxy;
  let edge: EdgeHarness;
  beforeAll(async () => {
    const mongo = new URL(stackEnv().mongodbUri);
    proxy = await startFreezableProxy(mongo.host);
    mongo.host = `127.0.0.1:${proxy.port}`;
    edge = await startEdge({ env: { MONGODB_URI: mongo.toString(), EDGE_MONGO_TIMEOUT_MS: String(DEADLINE_MS) } });
    await insertSeededOrders(edge.db, [seededOrder(ORDER)]);
  });
  afterAll(async () => {
    proxy?.thaw();
    await edge?.close();
    await proxy?.close();
  });

  const send = async (c: Call, attempt = ''): Promise<{ res: Response; ms: number }> => {
    const started = performance.now();
    const headers = { ...c.headers, ...(c.headers?.['idempotency-key'] ? { 'idempotency-key': `${c.headers['idempotency-key']}${attempt}` } : {}) };
    const res = await fetch(`${edge.base}${c.path}`, { ...json(c.method, c.body, headers), signal: AbortSignal.timeout(20_000) });
    await res.arrayBuffer();
    return { res, ms: performance.now() - started };
  };

  it('before the freeze every call answers as usual', async () => {
    for (const c of calls) expect((await send(c, '-before')).res.status, c.name).toBe(c.back);
  });

  it('while frozen every call answers within the deadline: 503 + Retry-After (problem+json), or 202 for a wait', async () => {
    proxy.freeze();
    const answers = [];
    for (const c of calls) {
      const { res, ms } = await send(c, '-frozen');
      answers.push({ name: c.name, status: res.status, ms: Math.round(ms), retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type') });
    }
    for (const [i, c] of calls.entries()) {
      const a = answers[i]!;
      expect(a.status, JSON.stringify(a)).toBe(c.frozen);
      expect(a.ms, JSON.stringify(a)).toBeLessThan(DEADLINE_MS + MARGIN_MS + (c.headers?.prefer ? 1000 : 0));
      if (c.frozen === 503) {
        expect(a.retryAfter, c.name).toBe('5');
        expect(a.type, c.name).toMatch(/^application\/problem\+json/);
      }
    }
  }, 60_000);

  it('once MongoDB answers again, every call does too', async () => {
    proxy.thaw();
    for (const c of calls) {
      let status = 0;
      const until = Date.now() + 30_000;
      for (let n = 0; status !== c.back && Date.now() < until; n++) {
        status = (await send(c, `-back-${n}`)).res.status;
        if (status !== c.back) await new Promise((r) => setTimeout(r, 500));
      }
      expect(status, c.name).toBe(c.back);
    }
  }, 60_000);
});
