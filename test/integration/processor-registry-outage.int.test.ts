// G4: the schema registry becomes unavailable for about 10 s while Avro commands with a
// schema id the processor has not seen yet arrive → it pauses (retrying the batch with
// backoff, /ready false), never dead-letters them, and resumes by itself. The registry
// is frozen (SIGSTOP/SIGCONT) rather than restarted: its storage is in memory, and a
// restart would lose the schemas, which is another failure than "unavailable".
// Uses an Apicurio instance of its own so the shared one stays up.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { apicurioApp } from '../../stack/provision.mjs';
import { findJava } from '../../stack/system.mjs';
import { AvroEncoder, encodeCommandAvro, encodeCommandJson } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { createRegistry, schemaRegistrar, schemaResolver } from '../../src/shared/registry.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { freePort } from '../support/ports.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('G4: schema registry outage', () => {
  let registry: ChildProcess | undefined;
  let p: RunningProcessor | undefined;

  afterAll(async () => {
    await p?.stop().catch(() => undefined);
    registry?.kill('SIGCONT');
    registry?.kill('SIGKILL');
  });

  it('pauses while the registry does not answer and resumes without loss, duplicates or dead letters', async () => {
    const [http, management] = [await freePort(), await freePort()];
    const app = apicurioApp();
    registry = spawn(findJava(21, 'APICURIO_JAVA_HOME', 'Apicurio Registry'), [
      '-Xmx384m', `-Dquarkus.http.host=127.0.0.1`, `-Dquarkus.http.port=${http}`,
      `-Dquarkus.management.host=127.0.0.1`, `-Dquarkus.management.port=${management}`, '-jar', `${app}/quarkus-run.jar`,
    ], { cwd: app, stdio: 'ignore' });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${management}/health/ready`).catch(() => undefined))?.ok, 90_000, 'registry ready');

    const env: Record<string, string> = { ...isolatedEnv('proc-registry', 3), SCHEMA_REGISTRY_URL: `http://127.0.0.1:${http}/apis/ccompat/v7` };
    p = await startProcessor(env);
    const producer = createProducer(p.kafka);
    await producer.connect();
    const topic = p.config.topics.commands;
    const outcomes = () => countOutcomes(p!.db);
    const interleave = (orders: ReturnType<typeof lifecycle>[]) => [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));

    // Warm-up with JSON commands: event and outcome subjects get registered.
    const json = interleave(Array.from({ length: 20 }, (_, i) => lifecycle(`ORD-reg-a${i}`)));
    await producer.send({ topic, messages: json.map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
    await waitFor(async () => (await outcomes()) === 100, 60_000, 'first 100 outcomes');

    // Avro commands whose schema ids the processor has never looked up.
    const encoder = new AvroEncoder(schemaRegistrar(createRegistry(env.SCHEMA_REGISTRY_URL!)));
    const avro = interleave(Array.from({ length: 20 }, (_, i) => lifecycle(`ORD-reg-b${i}`)));
    const values = await Promise.all(avro.map((c) => encodeCommandAvro(encoder, topic, c)));

    registry.kill('SIGSTOP');
    await producer.send({ topic, messages: avro.map((c, i) => ({ key: c.orderId, value: values[i]! })) });
    await waitFor(async () => !p!.processor.ready().ready, 30_000, 'processor not ready while the registry is frozen');
    expect(p.processor.ready().reasons.join()).toMatch(/retrying a batch/);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await outcomes()).toBe(100); // paused: nothing skipped, nothing dead-lettered
    registry.kill('SIGCONT');

    await waitFor(async () => (await outcomes()) === 200, 90_000, 'all 200 outcomes after the registry came back');
    await waitFor(async () => p!.processor.ready().ready, 30_000, 'ready again');
    await producer.disconnect();
    await verifyExactlyOnce(p.kafka, p.db, p.config, schemaResolver(env.SCHEMA_REGISTRY_URL!), 200);
  }, 300_000);
});
