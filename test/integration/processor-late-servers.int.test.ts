// A replica started before Kafka is reachable (docker-compose start order, a cluster
// restart) waits for it with backoff, says why on /ready, and starts consuming once the
// broker answers; it used to exit at start. The shared broker is never stopped: the
// replica's bootstrap address is a port where nothing listens, later a proxy to Kafka.
import type net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommandJson } from '../../src/schemas/index.js';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka, createProducer } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { createOrder, waitFor } from '../support/commands.js';
import { freePort } from '../support/ports.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { exited, replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';
import { stackEnv } from '../support/stack-env.js';
import { startProxy } from '../support/tcp-proxy.js';

describe('processor started before Kafka is reachable', () => {
  const env = isolatedEnv('proc-late', 3);
  const config = loadConfig(env);
  const mongo = createMongoClient(config.mongodbUri);
  let replica: ReplicaProcess | undefined;
  let proxy: net.Server | undefined;

  afterAll(async () => {
    replica?.child.kill('SIGKILL');
    proxy?.close();
    await mongo.close();
  });

  it('waits, reports not ready with the reason, then consumes once the broker answers', async () => {
    const brokerPort = await freePort();
    replica = await spawnReplica({ ...env, KAFKA_BROKERS: `127.0.0.1:${brokerPort}` });
    const r = replica;

    const waiting = await waitFor(async () => {
      if (r.child.exitCode !== null) throw new Error(`replica exited with ${r.child.exitCode} instead of waiting for Kafka`);
      const ready = await replicaReadiness(r);
      return ready?.body.reasons?.some((reason) => reason.startsWith('waiting for the servers')) ? ready : undefined;
    }, 60_000, 'not-ready answer naming the wait');
    expect(waiting.status).toBe(503);
    // Still alive a few retries later.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(r.child.exitCode).toBeNull();

    proxy = await startProxy(brokerPort, stackEnv().kafkaBrokers[0]!);
    await waitFor(async () => (await replicaReadiness(r))?.status === 200, 90_000, 'ready after Kafka became reachable');

    const kafka = createKafka({ brokers: stackEnv().kafkaBrokers, clientId: 'late-servers-test' });
    const producer = createProducer(kafka);
    await producer.connect();
    const create = createOrder('ORD-late-1');
    await producer.send({ topic: config.topics.commands, messages: [{ key: create.orderId, value: encodeCommandJson(create) }] });
    await producer.disconnect();
    const outcome = await waitFor(
      () => findOutcome(mongo.db(config.mongodbDatabase), create.commandId),
      60_000,
      'outcome of the command sent after the late start',
    );
    expect(outcome).toMatchObject({ status: 'applied' });

    r.child.kill('SIGTERM');
    await exited(r.child);
    expect(r.child.exitCode).toBe(0);
  }, 240_000);
});
