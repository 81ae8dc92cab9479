// Regression (issue 20, authentication bypass): the edge decided whether a request needed
// a token from the raw URL text (`startsWith('/api/v1/')`) while the router percent-decodes
// the path and accepts absolute-form targets, so `/%61pi/v1/orders`, `/api/%761/orders`
// and `GET http://x/api/v1/orders` reached the routes without a token (200, and 202 for a
// POST: an order with no caller). Now the matched route decides, default-deny. This table
// sends every spelling a hostile client might try, for every protected route and method
// and for the operations routes (AUTH_PROTECT_OPS=true), without a token: none may answer
// 2xx or 3xx. A control row shows the router does match such spellings (with a token they
// answer 200), so the table would see a bypass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CREATE_BODY, startEdge, type EdgeHarness } from '../support/edge-harness.js';
import { rawRequest } from '../support/raw-http.js';

const TOKEN = 'spelling-table-token';
const ORDER = 'ORD-1';
const COMMAND = '0190a5a0-0000-7000-8000-000000000001';

interface Route {
  method: string;
  path: string;
  body?: unknown;
}

const routes: Route[] = [
  { method: 'GET', path: '/api/v1/orders' },
  { method: 'HEAD', path: '/api/v1/orders' },
  { method: 'GET', path: `/api/v1/orders/${ORDER}` },
  { method: 'HEAD', path: `/api/v1/orders/${ORDER}` },
  { method: 'GET', path: `/api/v1/orders/${ORDER}/history` },
  { method: 'GET', path: `/api/v1/commands/${COMMAND}` },
  { method: 'POST', path: '/api/v1/orders', body: SEED_CREATE_BODY },
  { method: 'PATCH', path: `/api/v1/orders/${ORDER}`, body: { priority: 'same_day' } },
  { method: 'PUT', path: `/api/v1/orders/${ORDER}/validate` },
  { method: 'PUT', path: `/api/v1/orders/${ORDER}/cancel`, body: { reason: 'Customer request' } },
  { method: 'PUT', path: `/api/v1/orders/${ORDER}/assign-wave`, body: { waveId: 'W-1' } },
  { method: 'PUT', path: `/api/v1/orders/${ORDER}/start-picking` },
  { method: 'PUT', path: `/api/v1/orders/${ORDER}/mark-packed` },
  { method: 'PUT', path: `/api/v1/orders/${ORDER}/ship`, body: { trackingNumber: '1Z999', carrier: 'UPS' } },
  { method: 'PUT', path: `/api/v1/orders/${ORDER}/complete`, body: { deliveredAt: '2026-12-01T10:00:00Z' } },
  // Operations routes, protected here because AUTH_PROTECT_OPS=true.
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/docs' },
  { method: 'GET', path: '/docs/json' },
  { method: 'GET', path: '/docs/yaml' },
];

const enc = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** Other ways of writing `path` as a request target. */
export function spellings(path: string, port: number): [string, string][] {
  const segments = path.split('/').slice(1);
  const join = (s: string[]) => `/${s.join('/')}`;
  const out: [string, string][] = [];
  segments.forEach((seg, i) => {
    const first = seg[0] as string;
    const s = [...segments];
    s[i] = enc(first) + seg.slice(1);
    out.push([`first letter of segment ${i + 1} percent-encoded`, join(s)]);
    s[i] = enc(first).toUpperCase() + seg.slice(1);
    out.push([`segment ${i + 1} with upper-case hex`, join(s)]);
    s[i] = [...seg].map(enc).join('');
    out.push([`segment ${i + 1} fully percent-encoded`, join(s)]);
    s[i] = `%25${enc(first).slice(1)}${seg.slice(1)}`;
    out.push([`segment ${i + 1} double-encoded`, join(s)]);
    s[i] = seg.toUpperCase();
    out.push([`segment ${i + 1} upper-case`, join(s)]);
    s[i] = `${seg};x=1`;
    out.push([`segment ${i + 1} with a ; parameter`, join(s)]);
  });
  out.push(
    ['slashes percent-encoded', `/${segments.join('%2F')}`],
    ['slashes percent-encoded, lower case', `/${segments.join('%2f')}`],
    ['absolute-form target', `http://x${path}`],
    ['absolute-form target naming this edge', `http://127.0.0.1:${port}${path}`],
    ['absolute-form https target', `https://x${path}`],
    ['leading //', `/${path}`],
    ['// in the middle', path.replace('/', '//').replace(/^\/\/([^/]+)\//, '/$1//')],
    ['trailing /', `${path}/`],
    ['trailing ?', `${path}?`],
    ['trailing ?&', `${path}?&`],
    ['trailing #', `${path}#x`],
    ['./ segment', `/.${path}`],
    ['x/../ segment', `/x/..${path}`],
    ['percent-encoded dot segment', `/%2e${path}`],
    ['percent-encoded dot-dot segment', `/x/%2e%2e${path}`],
    ['backslashes', path.replace(/\//g, '\\')],
    ['trailing ;', `${path};`],
    ['encoded NUL appended', `${path}%00`],
  );
  return out;
}

const bodyOf = (r: Route): string | undefined => (r.body === undefined ? undefined : JSON.stringify(r.body));

describe('authentication by route, not by URL text (API_TOKEN, AUTH_PROTECT_OPS=true)', () => {
  let edge: EdgeHarness;
  let port: number;
  beforeAll(async () => {
    edge = await startEdge({ env: { API_TOKEN: TOKEN, AUTH_PROTECT_OPS: 'true' } });
    port = Number(new URL(edge.base).port);
  });
  afterAll(async () => {
    await edge?.close();
  });

  const send = (r: Route, target: string, token?: string) => {
    const body = bodyOf(r);
    return rawRequest(edge.base, {
      method: r.method,
      target,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body } : {}),
    });
  };

  it('control: the router matches other spellings (with the token they answer 200)', async () => {
    for (const target of ['/%61pi/v1/orders', '/api/%761/orders', 'http://x/api/v1/orders', '/%6Detrics']) {
      expect((await send({ method: 'GET', path: target }, target, TOKEN)).status, target).toBe(200);
    }
  });

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: no spelling answers without a token', async (_name, route) => {
    const rows: { spelling: string; target: string; status: number }[] = [];
    for (const [spelling, target] of [['as documented', route.path] as [string, string], ...spellings(route.path, port)]) {
      const res = await send(route, target);
      rows.push({ spelling, target, status: res.status });
    }
    const through = rows.filter((r) => ![400, 401, 403, 404].includes(r.status));
    expect(through, `answered without a token: ${JSON.stringify(through)}`).toEqual([]);
    expect(rows[0]!.status).toBe(401);
  });
});
