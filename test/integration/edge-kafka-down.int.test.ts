// G5 honest edge: with Kafka unreachable a command gets 503 + Retry-After within the
// configured time (never a hang, never an unbounded queue), and the same edge process
// recovers by itself once Kafka is reachable again. The shared broker is never stopped:
// the edge is pointed at a port where nothing listens, later at a proxy to the broker.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeJsonCommand } from '../../src/schemas/index.js';
import { SEED_CREATE_BODY, json, startEdge, type EdgeHarness } from '../support/edge-harness.js';
import { consumeAll } from '../support/kafka-read.js';
import { freePort } from '../support/ports.js';
import { stackEnv } from '../support/stack-env.js';
import { startProxy } from '../support/tcp-proxy.js';

const TIMEOUT_MS = 1500;

describe('Kafka unreachable', () => {
  const harnesses: EdgeHarness[] = [];
  const servers: net.Server[] = [];
  afterAll(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
    for (const s of servers) s.close();
  });

  it('POST answers 503 + Retry-After within the produce timeout; reads and liveness still work', async () => {
    const h = await startEdge({ edgeBrokers: '127.0.0.1:1', env: { PRODUCE_TIMEOUT_MS: String(TIMEOUT_MS), EDGE_RETRY_AFTER_SECONDS: '3' } });
    harnesses.push(h);
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY))));
    const took = Date.now() - started;
    expect(took).toBeLessThan(TIMEOUT_MS + 1500);
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 503, code: 'KAFKA_UNAVAILABLE' });
    }
    expect((await fetch(`${h.base}/health`)).status).toBe(200);
    expect((await fetch(`${h.base}/api/v1/orders?limit=1`)).status).toBe(200);
    const ready = await fetch(`${h.base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { kafka: { ok: false }, mongodb: { ok: true } } });
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(/edge_produce_errors_total\{reason="unreachable"\} 5/);
  });

  it('a broker that accepts connections but never answers: 503 at the timeout, and beyond the in-flight cap at once', async () => {
    // A black hole: TCP connects, Kafka never answers.
    const sockets = new Set<net.Socket>();
    const hole = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    servers.push(hole);
    const port = (hole.address() as net.AddressInfo).port;
    const h = await startEdge({ edgeBrokers: `127.0.0.1:${port}`, env: { PRODUCE_TIMEOUT_MS: String(TIMEOUT_MS), EDGE_MAX_IN_FLIGHT: '2' } });
    harnesses.push(h);
    const started = Date.now();
    const slow = [fetch(`${h.base}/api/v1/orders/ORD-1/validate`, json('PUT')), fetch(`${h.base}/api/v1/orders/ORD-2/validate`, json('PUT'))];
    await new Promise((r) => setTimeout(r, 200));
    const shedAt = Date.now();
    const shed = await fetch(`${h.base}/api/v1/orders/ORD-3/validate`, json('PUT'));
    expect(Date.now() - shedAt).toBeLessThan(500);
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBeTruthy();
    expect(await shed.json()).toMatchObject({ code: 'PRODUCER_SATURATED' });
    for (const r of await Promise.all(slow)) {
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ code: 'KAFKA_UNAVAILABLE' });
    }
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 300);
    expect(took).toBeLessThan(TIMEOUT_MS + 1500);
    for (const s of sockets) s.destroy();
  });

  it('the same edge process recovers when Kafka becomes reachable, and no 202 is lost', async () => {
    const port = await freePort();
    const h = await startEdge({ edgeBrokers: `127.0.0.1:${port}`, env: { PRODUCE_TIMEOUT_MS: String(TIMEOUT_MS) } });
    harnesses.push(h);
    const down = await fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY));
    expect(down.status).toBe(503);

    servers.push(await startProxy(port, stackEnv().kafkaBrokers[0]!));
    const accepted: string[] = [];
    const deadline = Date.now() + 40_000;
    while (accepted.length < 3 && Date.now() < deadline) {
      const res = await fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY));
      expect([202, 503]).toContain(res.status);
      if (res.status === 202) accepted.push(((await res.json()) as { commandId: string }).commandId);
      else await new Promise((r) => setTimeout(r, 500));
    }
    expect(accepted).toHaveLength(3);
    const onTopic = (await consumeAll(h.kafka, h.config.topics.commands, accepted.length, 'read_uncommitted', 1500)).map((s) => decodeJsonCommand(s.value).commandId);
    for (const id of accepted) expect(onTopic).toContain(id);
  });
});
