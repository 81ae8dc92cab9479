// G4: MongoDB stops for 10 s mid-stream → the processor pauses (retrying the same batch
// with backoff, /ready false), then resumes by itself; nothing lost, nothing twice.
// Uses a FerretDB of its own (same binary as the stack) so the shared one stays up.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ferretdbBinary } from '../../stack/provision.mjs';
import { encodeCommandJson } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { freePort } from '../support/ports.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('G4: MongoDB outage', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferretdb-outage-'));
  let mongod: ChildProcess | undefined;
  let p: RunningProcessor | undefined;

  const startMongo = async (port: number) => {
    mongod = spawn(ferretdbBinary(), ['-listen', `127.0.0.1:${port}`, '-data', dataDir], { stdio: 'ignore', env: { ...process.env, DO_NOT_TRACK: '1' } });
    await waitFor(
      () => new Promise<boolean>((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(true)); // port taken = server listening
        s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
      }),
      20_000,
      'FerretDB listening',
    );
  };
  const stopMongo = async () => {
    const child = mongod!;
    child.kill('SIGTERM');
    await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
  };

  afterAll(async () => {
    await p?.stop().catch(() => undefined);
    mongod?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('pauses while MongoDB is down, reports not ready, and resumes without loss or duplicates', async () => {
    const port = await freePort();
    await startMongo(port);
    // Liveness far shorter than the outage: an outage must not make the replica look hung.
    const env: Record<string, string> = { ...isolatedEnv('proc-outage', 3), MONGODB_URI: `mongodb://127.0.0.1:${port}/`, PROCESSOR_LIVENESS_TIMEOUT_MS: '1000', PROCESSOR_STALL_TIMEOUT_MS: '1000' };
    p = await startProcessor(env);
    const producer = createProducer(p.kafka);
    await producer.connect();
    const send = (orders: ReturnType<typeof lifecycle>[]) =>
      producer.send({ topic: p!.config.topics.commands, messages: [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!)).map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
    const outcomes = () => countOutcomes(p!.db);

    const before = Array.from({ length: 40 }, (_, i) => lifecycle(`ORD-outage-a${i}`));
    await send(before);
    await waitFor(async () => (await outcomes()) === 200, 60_000, 'first 200 outcomes');

    await stopMongo();
    const during = Array.from({ length: 40 }, (_, i) => lifecycle(`ORD-outage-b${i}`));
    await send(during);
    await waitFor(async () => !p!.processor.ready().ready, 30_000, 'processor not ready while MongoDB is down');
    expect(p.processor.ready().reasons.join()).toMatch(/retrying a batch/);
    // Lag waits well past both timeouts ("stalled"), yet the replica stays live.
    await waitFor(async () => p!.processor.ready().reasons.some((r) => r.startsWith('stalled')), 30_000, 'stalled during the outage');
    await new Promise((r) => setTimeout(r, 2000));
    expect(p.processor.live()).toEqual({ live: true, reasons: [] });
    await new Promise((r) => setTimeout(r, 10_000));

    await startMongo(port);
    await waitFor(async () => (await outcomes()) === 400, 90_000, 'all 400 outcomes after MongoDB returned');
    await waitFor(async () => p!.processor.ready().ready, 30_000, 'ready again');
    await producer.disconnect();

    await verifyExactlyOnce(p.kafka, p.db, p.config, schemaResolver(env.SCHEMA_REGISTRY_URL!), 400);
  }, 300_000);
});
