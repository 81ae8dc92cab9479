// Regression (issue 20): errors raised below the routes reached clients as plain Node or
// Fastify JSON, or an empty body: bad chunked framing, a request not sent in time (408),
// HTTP/1.1 without Host, oversized headers (431). And a method a path does not support
// answered 404 ROUTE_NOT_FOUND, saying the resource does not exist, where HTTP says 405
// with Allow. Every one is now application/problem+json with a stable code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CREATE_BODY, startEdge, type EdgeHarness } from '../support/edge-harness.js';
import { rawRequest, type RawResponse } from '../support/raw-http.js';

const problemOf = (res: RawResponse) => {
  expect(res.headers['content-type'], JSON.stringify(res)).toMatch(/^application\/problem\+json/);
  return JSON.parse(res.body) as { status: number; code: string; detail: string };
};

describe('errors below the routes are problem+json', () => {
  let edge: EdgeHarness;
  beforeAll(async () => {
    edge = await startEdge({ env: { EDGE_REQUEST_TIMEOUT_MS: '1000', EDGE_HEADERS_TIMEOUT_MS: '1000', EDGE_MAX_HEADER_BYTES: '4096' } });
  });
  afterAll(async () => {
    await edge?.close();
  });

  it('bad chunk framing → 400 MALFORMED_REQUEST', async () => {
    const res = await rawRequest(edge.base, {
      method: 'POST',
      target: '/api/v1/orders',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      rawTail: 'zz\r\n{"a":1}\r\n0\r\n\r\n',
    });
    expect(res.status).toBe(400);
    expect(problemOf(res)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('a request line that is not HTTP → 400 MALFORMED_REQUEST', async () => {
    const res = await rawRequest(edge.base, { method: 'GET', target: '/health HTTP/1.1 extra', noHost: true });
    expect(res.status).toBe(400);
    expect(problemOf(res).code).toBe('MALFORMED_REQUEST');
  });

  it('a body not sent within EDGE_REQUEST_TIMEOUT_MS → 408 REQUEST_TIMEOUT', async () => {
    const body = JSON.stringify(SEED_CREATE_BODY);
    const res = await rawRequest(edge.base, {
      method: 'POST',
      target: '/api/v1/orders',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      rawTail: body.slice(0, 10),
      timeoutMs: 8000,
    });
    expect(res.status).toBe(408);
    expect(problemOf(res)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
  });

  it('headers over EDGE_MAX_HEADER_BYTES → 431 HEADERS_TOO_LARGE', async () => {
    const res = await rawRequest(edge.base, { method: 'GET', target: '/health', headers: { 'x-big': 'b'.repeat(8000) } });
    expect(res.status).toBe(431);
    expect(problemOf(res).code).toBe('HEADERS_TOO_LARGE');
  });

  it('HTTP/1.1 without Host → 400 BAD_REQUEST', async () => {
    for (const target of ['/health', '/api/v1/orders', 'http://x/api/v1/orders']) {
      const res = await rawRequest(edge.base, { method: 'GET', target, noHost: true });
      expect(res.status, target).toBe(400);
      expect(problemOf(res)).toMatchObject({ code: 'BAD_REQUEST', detail: 'An HTTP/1.1 request needs a Host header' });
    }
  });

  it.each([
    ['DELETE', '/api/v1/orders/ORD-1', 'GET, HEAD, PATCH'],
    ['PUT', '/api/v1/orders', 'GET, HEAD, POST'],
    ['POST', '/api/v1/orders/ORD-1/validate', 'PUT'],
    ['TRACE', '/health', 'GET, HEAD'],
    ['DELETE', '/ready', 'GET, HEAD'],
    ['OPTIONS', '/api/v1/commands/0190a5a0-0000-7000-8000-000000000001', 'GET, HEAD'],
  ])('%s %s → 405 METHOD_NOT_ALLOWED with Allow: %s', async (method, target, allow) => {
    const res = await rawRequest(edge.base, { method, target });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(problemOf(res)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
  });

  it('a path no route has is still 404 ROUTE_NOT_FOUND', async () => {
    const res = await rawRequest(edge.base, { method: 'DELETE', target: '/api/v1/widgets' });
    expect(res.status).toBe(404);
    expect(problemOf(res).code).toBe('ROUTE_NOT_FOUND');
  });
});
