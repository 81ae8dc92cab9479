// The pipelined processor (issue 15): while group N's Kafka transaction commits, group
// N+1 — here the next record of the same order — is planned and written to MongoDB. A
// crash with both in flight (N written, not committed; N+1 written) must lose nothing and
// publish nothing twice: both records are delivered again, recognised by position, and
// their pending events published once. Pinned: N+1's write must keep N's pending events
// (a later batch may only drop pending entries below the offset the group is known to
// have committed, not below its own start — with that old rule, N's events were lost).
// The failpoints put the crash there: N's commit waits (before-commit=sleep), N+1's
// write is followed by a SIGKILL (after-mongo-write=exit).
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { ensureCommandsTopic, produceCommands } from '../support/command-feed.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { exited, replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('a crash with two groups of one order in flight (pipelined)', () => {
  const env = isolatedEnv('pipelined-crash', 2);
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'pipelined-crash-test' });
  const mongo = createMongoClient(config.mongodbUri);
  const db = mongo.db(config.mongodbDatabase);
  let replica: ReplicaProcess | undefined;

  afterAll(async () => {
    replica?.child.kill('SIGKILL');
    await mongo.close();
  });

  it('publishes the events of both groups once after the restart', async () => {
    await ensureCommandsTopic(kafka, config);
    const [create, validate, ...rest] = lifecycle('ORD-pipelined-crash');
    const others = Array.from({ length: 10 }, (_, i) => lifecycle(`ORD-pipelined-other-${i}`)).flat();
    replica = await spawnReplica({ ...env, ORDER_SERVICE_FAILPOINTS: `before-commit=sleep:8000@${create!.commandId}*1,after-mongo-write=exit@${validate!.commandId}` });
    const r = replica;
    await waitFor(async () => (await replicaReadiness(r))?.status === 200, 60_000, 'replica ready');

    // Group N: the create, written, then held before its commit.
    await produceCommands(kafka, config.topics.commands, [create!]);
    await waitFor(() => ordersCollection(db).findOne({ _id: 'ORD-pipelined-crash' }), 30_000, 'the create written');
    // Group N+1: the validate, planned and written while N has not committed; then the crash.
    await produceCommands(kafka, config.topics.commands, [validate!]);
    await exited(r.child);
    expect(r.child.signalCode).toBe('SIGKILL');
    // Both were in flight: N+1 written on top of N, and nothing committed yet.
    const written = await ordersCollection(db).findOne({ _id: 'ORD-pipelined-crash' });
    expect(written?.version).toBe(2);
    expect(written?.pending.map((p) => p.commandId)).toEqual([create!.commandId, validate!.commandId]);
    expect(await consumeAll(kafka, config.topics.events, 1, 'read_committed', 2000)).toHaveLength(0);

    replica = await spawnReplica(env);
    await waitFor(async () => (await replicaReadiness(replica!))?.status === 200, 60_000, 'replica ready');
    await produceCommands(kafka, config.topics.commands, [...rest, ...others]);
    await verifyExactlyOnce(kafka, db, config, schemaResolver(config.schemaRegistryUrl), 2 + rest.length + others.length);
    replica.child.kill('SIGTERM');
    await exited(replica.child);
  }, 180_000);
});
