// Pins issue 11 hole 1: redelivery was recognised through the last 100 commandIds of an
// order. An order that received 300 commands in one uncommitted batch, and a crash between
// the MongoDB write and the Kafka commit (failpoint after-mongo-write=exit): on
// redelivery its create was rejected as ORDER_ALREADY_EXISTS, its OrderReceived never
// published and its modifications applied twice.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { ensureCommandsTopic, hotOrder, produceCommands } from '../support/command-feed.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { exited, replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('a crash after the MongoDB write of a batch holding 300 commands of one order', () => {
  const env = { ...isolatedEnv('fp-hot', 3), PROCESSOR_MAX_BATCH: '2000' };
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'fp-hot-test' });
  const mongo = createMongoClient(config.mongodbUri);
  const db = mongo.db(config.mongodbDatabase);
  let replica: ReplicaProcess | undefined;

  afterAll(async () => {
    replica?.child.kill('SIGKILL');
    await mongo.close();
  });

  it('publishes every event once and applies every command once after the restart', async () => {
    await ensureCommandsTopic(kafka, config);
    const hot = hotOrder('ORD-fp-hot', 300);
    const ordinary = Array.from({ length: 20 }, (_, i) => lifecycle(`ORD-fp-plain-${i}`)).flat();
    // All written before the replica starts: its first batch holds the hot order whole.
    await produceCommands(kafka, config.topics.commands, [...hot, ...ordinary]);

    // Killed after writing the batch that holds the last modification.
    replica = await spawnReplica({ ...env, ORDER_SERVICE_FAILPOINTS: `after-mongo-write=exit@${hot.at(-1)!.commandId}` });
    await exited(replica.child);
    expect(replica.child.signalCode).toBe('SIGKILL');
    // The window was hit: more than 100 commands of the hot order written, not committed.
    const written = await ordersCollection(db).findOne({ _id: 'ORD-fp-hot' });
    expect(written?.version).toBe(301);
    expect(written?.pending.length).toBeGreaterThan(100);

    replica = await spawnReplica(env);
    await waitFor(async () => (await replicaReadiness(replica!))?.status === 200, 60_000, 'replica ready');
    await verifyExactlyOnce(kafka, db, config, schemaResolver(config.schemaRegistryUrl), hot.length + ordinary.length);
    expect((await ordersCollection(db).findOne({ _id: 'ORD-fp-hot' }))?.version).toBe(301);
  }, 240_000);
});
