// End to end with the real edge and the real processor: every lifecycle route of the
// API moves the order, visible through GET and as an event on the events topic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent } from '../../src/schemas/index.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { SEED_CREATE_BODY, json, startEdgeAndProcessor, type EdgeAndProcessor, type EdgeHarness } from '../support/edge-harness.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv } from '../support/processor-harness.js';

describe('order lifecycle through the edge and the processor', () => {
  const env = isolatedEnv('e2e', 2);
  let service: EdgeAndProcessor;
  let edge: EdgeHarness;

  beforeAll(async () => {
    service = await startEdgeAndProcessor(env);
    edge = service.edge;
  });
  afterAll(() => service?.stop());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${edge.base}${path}`, json(method, body, { prefer: 'wait=15' }));
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const statusOf = async (orderId: string) => ((await (await fetch(`${edge.base}/api/v1/orders/${orderId}`)).json()) as { status: string }).status;
  const eventTypes = async (orderId: string, count: number) => {
    const resolver = schemaResolver(env.SCHEMA_REGISTRY_URL!);
    const records = (await consumeAll(edge.kafka, env.TOPIC_EVENTS!, count, 'read_committed', 1000)).filter((r) => r.key === orderId);
    return Promise.all(records.map(async (r) => (await decodeEvent(r.value, resolver)).type));
  };

  it('create → validate → assign-wave → start-picking → mark-packed → ship → complete', async () => {
    const created = await call('POST', '/api/v1/orders', SEED_CREATE_BODY);
    expect(created.status).toBe(201);
    const orderId = created.body.orderId as string;
    expect(created.body).toMatchObject({ status: 'received', customerId: 'CUST-001' });

    const steps: Array<[string, unknown, string]> = [
      ['validate', undefined, 'validated'],
      ['assign-wave', { waveId: 'WAVE-42' }, 'wave_assigned'],
      ['start-picking', undefined, 'picking'],
      ['mark-packed', undefined, 'packed'],
      ['ship', { trackingNumber: '1Z999AA10123456784', carrier: 'UPS' }, 'shipped'],
      ['complete', { deliveredAt: '2026-11-27T10:00:00Z' }, 'completed'],
    ];
    for (const [action, body, status] of steps) {
      const r = await call('PUT', `/api/v1/orders/${orderId}/${action}`, body);
      expect({ action, status: r.status, order: r.body.status }).toEqual({ action, status: 200, order: status });
      expect(await statusOf(orderId)).toBe(status);
    }
    expect(await eventTypes(orderId, 7)).toEqual([
      'OrderReceived', 'OrderValidated', 'OrderWaveAssigned', 'OrderPickingStarted', 'OrderPacked', 'OrderShipped', 'OrderCompleted',
    ]);
    // Nothing changes after shipping.
    expect((await call('PUT', `/api/v1/orders/${orderId}/cancel`, { reason: 'too late' })).status).toBe(409);
  });

  it('create → cancel', async () => {
    const orderId = (await call('POST', '/api/v1/orders', SEED_CREATE_BODY)).body.orderId as string;
    const r = await call('PUT', `/api/v1/orders/${orderId}/cancel`, { reason: 'Customer request' });
    expect([r.status, r.body.status]).toEqual([200, 'cancelled']);
    expect(await statusOf(orderId)).toBe('cancelled');
    expect(await eventTypes(orderId, 2)).toEqual(['OrderReceived', 'OrderCancelled']);
  });

  it('create → validate → modify (back to received) → validate again', async () => {
    const orderId = (await call('POST', '/api/v1/orders', SEED_CREATE_BODY)).body.orderId as string;
    expect((await call('PUT', `/api/v1/orders/${orderId}/validate`)).body.status).toBe('validated');
    const modified = await call('PATCH', `/api/v1/orders/${orderId}`, { priority: 'same_day' });
    expect([modified.status, modified.body.status, modified.body.priority]).toEqual([200, 'received', 'same_day']);
    expect((await call('PUT', `/api/v1/orders/${orderId}/validate`)).body.status).toBe('validated');
    expect(await eventTypes(orderId, 4)).toEqual(['OrderReceived', 'OrderValidated', 'OrderModified', 'OrderValidated']);
  });
});
