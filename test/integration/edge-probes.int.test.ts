// Honest probes and deliberate socket limits on a real edge: /ready stays 200 ("degraded")
// while only the Prefer: wait consumer is missing; the registry check costs the same
// however many subjects exist; a client trickling its headers is cut off while others are
// served; header size, requests per socket and keep-alive are the configured ones.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type EdgeHarness } from '../support/edge-harness.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { createKafka, ensureTopics } from '../../src/shared/kafka.js';

/** Forwards every request to the real registry and remembers the paths asked for. */
async function recordingRegistryProxy(target: string): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const base = new URL(target);
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/^\/proxy/, '');
    paths.push(path);
    const upstream = httpRequest({ host: base.hostname, port: base.port, method: req.method, path: `${base.pathname.replace(/\/$/, '')}${path}`, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/proxy`, paths, close: () => new Promise((r) => server.close(() => r())) };
}

describe('/ready', () => {
  let h: EdgeHarness;
  let proxy: Awaited<ReturnType<typeof recordingRegistryProxy>>;
  beforeAll(async () => {
    proxy = await recordingRegistryProxy(stackEnv().schemaRegistryUrl);
    // Only the commands topic exists: the outcome consumer can never be assigned.
    const topic = `${uniqueName('probes')}-commands`;
    const admin = createKafka({ brokers: stackEnv().kafkaBrokers, clientId: 'probes-test' }).admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
    h = await startEdge({ createTopics: false, env: { TOPIC_COMMANDS: topic, SCHEMA_REGISTRY_URL: proxy.url } });
  });
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
  });

  it('is 200 "degraded" while only the Prefer: wait consumer is unassigned', async () => {
    let body: { status: string; checks: Record<string, { ok: boolean; essential?: boolean }> } | undefined;
    const deadline = Date.now() + 20_000;
    let status = 0;
    do {
      const res = await fetch(`${h.base}/ready`);
      status = res.status;
      body = (await res.json()) as typeof body;
      if (body?.checks.kafka?.ok) break;
      await new Promise((r) => setTimeout(r, 250));
    } while (Date.now() < deadline);
    expect(body?.checks).toMatchObject({ kafka: { ok: true }, mongodb: { ok: true }, registry: { ok: true }, outcomes: { ok: false, essential: false } });
    expect(status).toBe(200);
    expect(body?.status).toBe('degraded');
  });

  it('asks the registry a constant-cost question, never for the list of every subject', async () => {
    proxy.paths.length = 0;
    expect((await fetch(`${h.base}/ready`)).status).toBe(200);
    expect(proxy.paths.length).toBeGreaterThan(0);
    expect(proxy.paths.filter((p) => p.startsWith('/subjects'))).toEqual([]);
  });
});

/** Raw HTTP over one socket: what the server writes, and when it closes the socket. */
function rawClient(port: number): { socket: Socket; received: () => string; closed: Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  const opened = Date.now();
  socket.on('data', (d) => (data += d.toString('latin1')));
  socket.on('error', () => undefined);
  return { socket, received: () => data, closed: new Promise((r) => socket.on('close', () => r(Date.now() - opened))) };
}

describe('socket limits', () => {
  let h: EdgeHarness;
  let port: number;
  beforeAll(async () => {
    h = await startEdge({ env: { EDGE_HEADERS_TIMEOUT_MS: '2000', EDGE_MAX_HEADER_BYTES: '4096', EDGE_MAX_REQUESTS_PER_SOCKET: '3', EDGE_KEEP_ALIVE_TIMEOUT_MS: '61000' } });
    port = Number(new URL(h.base).port);
  });
  afterAll(async () => h?.close());

  it('cuts off a client sending its headers one byte a second, and keeps serving others meanwhile', async () => {
    const slow = rawClient(port);
    slow.socket.write('GET /health HTTP/1.1\r\nHost: edge\r\n');
    const trickle = setInterval(() => slow.socket.writable && slow.socket.write('x'), 1000);
    const others: number[] = [];
    const served = (async () => {
      for (let i = 0; i < 12; i++) {
        const t = Date.now();
        const res = await fetch(`${h.base}/health`);
        expect(res.status).toBe(200);
        others.push(Date.now() - t);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const closedAfter = await Promise.race([slow.closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
    clearInterval(trickle);
    slow.socket.destroy();
    await served;
    expect(closedAfter, 'the trickling client was not cut off within 10 s').toBeGreaterThan(0);
    expect(closedAfter).toBeLessThan(5000);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(Math.max(...others)).toBeLessThan(1000);
  }, 30_000);

  it('answers 431 to request headers beyond EDGE_MAX_HEADER_BYTES', async () => {
    const res = await fetch(`${h.base}/health`, { headers: { 'x-big': 'a'.repeat(8000) } });
    expect(res.status).toBe(431);
    expect((await fetch(`${h.base}/health`, { headers: { 'x-small': 'a'.repeat(1000) } })).status).toBe(200);
  });

  it('closes a connection after EDGE_MAX_REQUESTS_PER_SOCKET requests and announces its keep-alive timeout', async () => {
    const c = rawClient(port);
    c.socket.write('GET /health HTTP/1.1\r\nHost: edge\r\n\r\n'.repeat(3));
    for (const deadline = Date.now() + 5000; Date.now() < deadline && (c.received().match(/HTTP\/1\.1 /g) ?? []).length < 3; ) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    const responses = c.received().split(/(?=HTTP\/1\.1 )/);
    c.socket.destroy();
    expect(responses.map((r) => r.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(responses[0]).toMatch(/keep-alive: timeout=61/i);
    expect(responses[2]).toMatch(/connection: close/i);
  });
});
