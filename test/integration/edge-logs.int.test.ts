// What a real edge logs at the most verbose level for real requests with bearer tokens
// and a shipping address: never a token, never the address; the caller's subject and the
// correlation id are on the request's lines, and a refused token says why.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { SEED_CREATE_BODY, json, startEdge, type EdgeHarness } from '../support/edge-harness.js';
import { jwtEnv, startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ADDRESS = { street: '742 Evergreen Terrace', city: 'Springfield', state: 'OR', zipCode: '97403-1234', country: 'US' };

describe('edge logs', () => {
  let jwks: JwksServer;
  let h: EdgeHarness;
  const lines: string[] = [];
  beforeAll(async () => {
    jwks = await startJwksServer();
    const logger = createLogger('edge-log-test', 'trace', { write: (line: string) => void lines.push(line) });
    h = await startEdge({ env: jwtEnv(jwks), deps: { logger } });
  });
  afterAll(async () => {
    await h?.close();
    await jwks?.close();
  });

  it('carry no bearer token and no shipping address, and name the caller', async () => {
    const sub = `svc-${randomUUID()}`;
    const token = await jwks.token({ sub });
    const expired = await jwks.token({ sub, expiresIn: -3600 });
    const garbage = `opaque-${randomUUID()}`;
    const correlationId = `logs-${randomUUID()}`;
    const body = { ...SEED_CREATE_BODY, shippingAddress: ADDRESS };

    const created = await fetch(`${h.base}/api/v1/orders`, json('POST', body, { authorization: `Bearer ${token}`, 'x-correlation-id': correlationId, prefer: 'wait=1' }));
    expect(created.status).toBe(202);
    const { orderId } = (await created.json()) as { orderId: string };
    expect((await fetch(`${h.base}/api/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    expect((await fetch(`${h.base}/api/v1/orders?limit=5`, { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
    expect((await fetch(`${h.base}/api/v1/orders`, json('POST', body, { authorization: `Bearer ${garbage}` }))).status).toBe(401);
    // A bad body still carrying the address.
    expect((await fetch(`${h.base}/api/v1/orders`, json('POST', { ...body, priority: 'yesterday' }, { authorization: `Bearer ${token}` }))).status).toBe(400);
    // Anything that logs an object holding these keys gets them censored.
    h.app.log.info({ upstream: { headers: { authorization: `Bearer ${token}` } }, command: { payload: { shippingAddress: ADDRESS } } }, 'an object with secrets');

    await new Promise((r) => setTimeout(r, 200));
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of [token, token.split('.')[2]!, expired.split('.')[2]!, garbage, ADDRESS.street, ADDRESS.zipCode, 'Evergreen']) {
      expect(text, `a log line contains ${secret.slice(0, 20)}…`).not.toContain(secret);
    }
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const ack = parsed.find((l) => l.msg === 'command acknowledged by Kafka' && l.orderId === orderId);
    expect(ack).toMatchObject({ caller: sub, correlationId });
    expect(parsed.find((l) => l.msg === 'request completed' && l.correlationId === correlationId)).toMatchObject({ caller: sub });
    expect(parsed.filter((l) => l.msg === 'request not authenticated').map((l) => l.code)).toEqual(['INVALID_TOKEN', 'INVALID_TOKEN']);
    expect(parsed.find((l) => l.msg === 'an object with secrets')).toMatchObject({ upstream: { headers: { authorization: '[redacted]' } }, command: { payload: { shippingAddress: '[redacted]' } } });
  });
});
