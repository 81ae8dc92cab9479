// GET /api/v1/orders/{id}/history through the real edge and the real processor: each
// status change names the command that made it and the X-Correlation-ID of the request
// that sent that command and who sent it (the token's subject); like every /api/v1 route it needs the token.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CREATE_BODY, json, startEdgeAndProcessor, type EdgeAndProcessor, type EdgeHarness } from '../support/edge-harness.js';
import { waitFor } from '../support/commands.js';
import { isolatedEnv } from '../support/processor-harness.js';

const TOKEN = `history-test-${randomUUID()}`;

describe('order history through the edge and the processor', () => {
  const env = { ...isolatedEnv('history', 2), API_TOKEN: TOKEN };
  let service: EdgeAndProcessor;
  let edge: EdgeHarness;

  beforeAll(async () => {
    service = await startEdgeAndProcessor(env);
    edge = service.edge;
  });
  afterAll(() => service?.stop());

  /** Sends a command (no wait), then waits until the processor applied it. */
  const send = async (method: string, path: string, correlationId: string, body?: unknown): Promise<string> => {
    const res = await fetch(`${edge.base}${path}`, json(method, body, { authorization: `Bearer ${TOKEN}`, 'x-correlation-id': correlationId }));
    expect(res.status).toBe(202);
    const { commandId } = (await res.json()) as { commandId: string };
    await waitFor(async () => {
      const r = await fetch(`${edge.base}/api/v1/commands/${commandId}`, { headers: auth });
      return r.status === 200 && ((await r.json()) as { status: string }).status === 'applied';
    }, 60_000, `command ${commandId} applied`);
    return commandId;
  };
  const auth = { authorization: `Bearer ${TOKEN}` };
  const history = (orderId: string, headers: Record<string, string> = {}) => fetch(`${edge.base}/api/v1/orders/${orderId}/history`, { headers: { ...auth, ...headers } });

  it('create → validate → cancel: entries in version order with the submitted commandIds and correlation ids', async () => {
    const correlation = { create: `corr-create-${randomUUID()}`, validate: `corr-validate-${randomUUID()}`, cancel: `corr-cancel-${randomUUID()}` };
    const createRes = await fetch(`${edge.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { authorization: `Bearer ${TOKEN}`, 'x-correlation-id': correlation.create }));
    expect(createRes.status).toBe(202);
    const { orderId, commandId: createId } = (await createRes.json()) as { orderId: string; commandId: string };
    await waitFor(async () => (await history(orderId)).status === 200, 60_000, 'order created');
    const validateId = await send('PUT', `/api/v1/orders/${orderId}/validate`, correlation.validate);
    const cancelId = await send('PUT', `/api/v1/orders/${orderId}/cancel`, correlation.cancel, { reason: 'Customer request' });

    expect((await fetch(`${edge.base}/api/v1/orders/${orderId}/history`)).status).toBe(401);
    const res = await history(orderId);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"3"');
    const body = (await res.json()) as { orderId: string; entries: Array<Record<string, unknown>> };
    expect(body.orderId).toBe(orderId);
    expect(body.entries.map(({ status, event, version, commandId, correlationId, issuedBy }) => ({ status, event, version, commandId, correlationId, issuedBy }))).toEqual([
      { status: 'received', event: 'OrderReceived', version: 1, commandId: createId, correlationId: correlation.create, issuedBy: 'api-token' },
      { status: 'validated', event: 'OrderValidated', version: 2, commandId: validateId, correlationId: correlation.validate, issuedBy: 'api-token' },
      { status: 'cancelled', event: 'OrderCancelled', version: 3, commandId: cancelId, correlationId: correlation.cancel, issuedBy: 'api-token' },
    ]);
    for (const e of body.entries) expect(Number.isFinite(Date.parse(e.at as string))).toBe(true);
    expect(Object.keys(body.entries[0]!).sort()).toEqual(['at', 'commandId', 'correlationId', 'event', 'issuedBy', 'status', 'version']);

    // The order's own timeline is the same list.
    const order = (await (await fetch(`${edge.base}/api/v1/orders/${orderId}`, { headers: auth })).json()) as { timeline: unknown[] };
    expect(order.timeline).toEqual(body.entries);
    // Unchanged since: 304.
    expect((await history(orderId, { 'if-none-match': 'W/"3"' })).status).toBe(304);
  });

  it('unknown order → 404 problem+json ORDER_NOT_FOUND; a malformed id → 400', async () => {
    const res = await history('ORD-does-not-exist');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND', detail: 'Order ORD-does-not-exist does not exist' });
    const bad = await history('not%20an%20id');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('is in the OpenAPI document with its response schema', async () => {
    const doc = (await (await fetch(`${edge.base}/docs/json`)).json()) as { paths: Record<string, { get?: { responses: Record<string, unknown> } }> };
    const op = doc.paths['/api/v1/orders/{orderId}/history']?.get;
    expect(op).toBeDefined();
    expect(JSON.stringify(op!.responses['200'])).toContain('correlationId');
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['200', '304', '404']));
  });
});
