// Regression (issue 21, item 5): the schema resolver took every 404 for "unknown schema
// id" and dead-lettered the record as UNKNOWN_SCHEMA_ID. A 404 from a proxy's error page
// (a wrong path, an ingress in front of the registry) or from a registry that restarted
// with empty in-memory storage is a misconfiguration or an outage: the processor must
// pause with a /ready reason and apply the commands once the registry answers properly.
// Only the registry's own "schema not found" (error_code 40403) from a registry that
// knows its subjects is an unknown id.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AvroEncoder, encodeCommandAvro } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { createRegistry, schemaRegistrar } from '../../src/shared/registry.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';

type Mode = 'forward' | 'html-404' | 'empty-registry';

/** An HTTP proxy in front of the real registry that can answer schema-id lookups wrongly. */
async function registryProxy(target: string): Promise<{ url: string; setMode(m: Mode): void; close(): Promise<void> }> {
  let mode: Mode = 'forward';
  const base = new URL(target);
  const server: Server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    const idLookup = /\/schemas\/ids\/\d+/.test(path);
    if (mode === 'html-404' && idLookup) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>404 Not Found</h1>nginx</body></html>');
      return;
    }
    if (mode === 'empty-registry' && idLookup) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 40403, message: 'Schema not found' }));
      return;
    }
    if (mode === 'empty-registry' && /\/subjects\/?(\?.*)?$/.test(path)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = await fetch(`${base.origin}${path}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json', accept: req.headers.accept ?? '*/*' },
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base.pathname}`,
    setMode: (m) => (mode = m),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('a registry 404 that is not "schema not found"', () => {
  let p: RunningProcessor | undefined;
  let proxy: Awaited<ReturnType<typeof registryProxy>> | undefined;
  afterAll(async () => {
    await p?.stop().catch(() => undefined);
    await proxy?.close();
  });

  for (const mode of ['html-404', 'empty-registry'] as const) {
    it(`${mode}: pauses with a /ready reason, dead-letters nothing, applies the commands once the registry answers`, async () => {
      const env = isolatedEnv(`reg404-${mode}`, 1);
      proxy = await registryProxy(env.SCHEMA_REGISTRY_URL!);
      p = await startProcessor({ ...env, SCHEMA_REGISTRY_URL: proxy.url });
      const topic = p.config.topics.commands;
      // Encoded through the real registry: ids the fresh processor has never resolved.
      const encoder = new AvroEncoder(schemaRegistrar(createRegistry(env.SCHEMA_REGISTRY_URL!)));
      const commands = [lifecycle(`ORD-reg404-${mode}-1`)[0]!, lifecycle(`ORD-reg404-${mode}-2`)[0]!];
      const values = await Promise.all(commands.map((c) => encodeCommandAvro(encoder, topic, c)));

      proxy.setMode(mode);
      const producer = createProducer(p.kafka);
      await producer.connect();
      await producer.send({ topic, messages: commands.map((c, i) => ({ key: c.orderId, value: values[i]! })) });
      await waitFor(async () => !p!.processor.ready().ready, 30_000, 'not ready while the registry answers wrongly');
      expect(p.processor.ready().reasons.join()).toMatch(/registry/i);
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await consumeAll(p.kafka, p.config.topics.deadLetters, 1, 'read_committed', 1000, 3_000)).toHaveLength(0);
      expect(await countOutcomes(p.db)).toBe(0);

      proxy.setMode('forward');
      await waitFor(async () => (await countOutcomes(p!.db)) === 2, 60_000, 'both commands applied');
      await waitFor(async () => p!.processor.ready().ready, 30_000, 'ready again');
      expect(await consumeAll(p.kafka, p.config.topics.deadLetters, 1, 'read_committed', 1000, 3_000)).toHaveLength(0);
      await producer.disconnect();
      await p.stop();
      p = undefined;
      await proxy.close();
      proxy = undefined;
    }, 150_000);
  }
});
