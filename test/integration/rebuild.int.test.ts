// Issue 24: the database lost and rebuilt from the event log. Traffic (lifecycle mix, hot
// orders, a SIGKILL) → copy → drop → `rebuild`, killed once at its failpoint and run again
// → `verify` against the log and against the copy: no difference → more traffic with a
// SIGKILL on the rebuilt database → the exactly-once oracle over the whole command log.
import { RdKafka } from '@confluentinc/kafka-javascript';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from 'mongodb';
import { encodeCommandJson, type Command, type HttpBody } from '../../src/schemas/index.js';
import { loadConfig, type Config } from '../../src/shared/config.js';
import { historyCollection } from '../../src/shared/history-collection.js';
import { createKafka, createProducer, createTopicReader, type Kafka } from '../../src/shared/kafka.js';
import { findCommandDeadLetter } from '../../src/shared/command-dead-letters-collection.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { outcomesCollection } from '../../src/shared/outcomes-collection.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { CHECKPOINT_COLLECTION } from '../../src/tools/rebuild-target.js';
import { readTopic } from '../../src/tools/topic-reader.js';
import { orderServiceBin, runCli } from '../support/cli-process.js';
import { ensureCommandsTopic, hotOrder, produceCommands } from '../support/command-feed.js';
import { command, lifecycle, waitFor } from '../support/commands.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { exited, replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

/** A lifecycle mix: most orders packed, some shipped and completed, some cancelled, a few commands rejected. */
function traffic(prefix: string, orders: number): Command[] {
  const perOrder = Array.from({ length: orders }, (_, i) => {
    const id = `ORD-${prefix}-${i}`;
    const c = lifecycle(id);
    if (i % 4 === 1) c.push(command('MarkShipped', id, { trackingNumber: `TRK-${i}`, carrier: 'DHL' } as HttpBody<'MarkShipped'>), command('CompleteOrder', id, { deliveredAt: '2026-01-02T03:04:05Z' } as HttpBody<'CompleteOrder'>));
    if (i % 4 === 2) c.splice(2, 3, command('CancelOrder', id, { reason: 'customer asked' } as HttpBody<'CancelOrder'>), command('StartPicking', id));
    return c;
  });
  // Round by round, so the orders interleave in the log.
  const rounds = Math.max(...perOrder.map((c) => c.length));
  const commands = Array.from({ length: rounds }, (_, r) => perOrder.flatMap((c) => (c[r] ? [c[r]] : []))).flat();
  const hot = hotOrder(`ORD-${prefix}-hot`, 120);
  commands.unshift(hot[0]!);
  commands.splice(Math.floor(commands.length / 2), 0, ...hot.slice(1));
  return commands;
}

async function startReplica(env: Record<string, string>): Promise<ReplicaProcess> {
  const replica = await spawnReplica(env);
  await waitFor(async () => {
    if (replica.child.exitCode !== null) throw new Error(`replica exited with ${replica.child.exitCode}:\n${replica.logs.slice(-20).join('\n')}`);
    return (await replicaReadiness(replica))?.status === 200;
  }, 60_000, 'replica ready');
  return replica;
}

/** Sends `commands` while a replica runs, SIGKILLs it once some are applied, and lets a new one finish them. */
async function applyWithAKill(env: Record<string, string>, db: Db, commands: Command[], topic: string, total: number): Promise<void> {
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: 'rebuild-test-feed' });
  const applied = () => countOutcomes(db);
  const before = await applied();
  const first = await startReplica(env);
  const feeding = produceCommands(kafka, topic, commands, 200);
  await waitFor(async () => (await applied()) > before + commands.length / 4, 60_000, 'progress before the kill');
  first.child.kill('SIGKILL');
  await exited(first.child);
  await feeding;
  const second = await startReplica(env);
  await waitFor(async () => (await applied()) >= total, 90_000, 'every outcome');
  second.child.kill('SIGTERM');
  await exited(second.child);
}

/** Sets the (empty) processor group's committed offsets back to 0: every command record is delivered again. */
async function resetGroupOffsets(config: Config): Promise<void> {
  const consumer = new RdKafka.KafkaConsumer({ 'bootstrap.servers': config.kafkaBrokers.join(','), 'group.id': config.processor.groupId, 'enable.auto.commit': false }, {});
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  const partitions = Array.from({ length: config.commandPartitions }, (_, partition) => ({ topic: config.topics.commands, partition, offset: 0 }));
  consumer.assign(partitions);
  consumer.commitSync(partitions);
  await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
}

/** Events a read_committed consumer sees (the high watermark also counts aborted attempts and markers). */
async function committedEvents(config: Config): Promise<number> {
  const reader = createTopicReader({ brokers: config.kafkaBrokers, clientId: 'rebuild-test-count' });
  return (await readTopic(reader, config.topics.events, { onBatch: () => undefined })).records;
}

/** Waits until the group has committed every command record. */
async function caughtUp(kafka: Kafka, config: Config): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const end = (await admin.fetchTopicOffsets(config.topics.commands)).reduce((n, p) => n + Number(p.high), 0);
    await waitFor(async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: config.processor.groupId, topics: [config.topics.commands] });
      return offsets!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) >= end;
    }, 60_000, 'the group to commit every command record');
  } finally {
    await admin.disconnect();
  }
}

async function runReplicaUntilCaughtUp(env: Record<string, string>, kafka: Kafka, config: Config): Promise<void> {
  const replica = await startReplica(env);
  await caughtUp(kafka, config);
  replica.child.kill('SIGTERM');
  await exited(replica.child);
}

function tool(env: Record<string, string>, args: string[]) {
  return runCli(process.execPath, [orderServiceBin, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
}

/** Whole documents, sorted: "the same database". */
async function contents(db: Db): Promise<unknown> {
  const sorted = <T extends { _id: string }>(docs: T[]) => docs.sort((a, b) => (a._id < b._id ? -1 : 1));
  return {
    orders: sorted(await ordersCollection(db).find({}).toArray()),
    history: sorted(await historyCollection(db).find({}).toArray()),
    outcomes: sorted(await outcomesCollection(db).find({}).toArray()),
  };
}

async function copyDb(from: Db, to: Db): Promise<void> {
  for (const name of ['orders', 'order_history']) {
    const docs = await from.collection(name).find({}).toArray();
    for (let i = 0; i < docs.length; i += 99) await to.collection(name).insertMany(docs.slice(i, i + 99));
  }
}

describe('issue 24: rebuild the database from the event log, verify it, resume exactly-once', () => {
  const env = isolatedEnv('rebuild', 3);
  const config = loadConfig(env);
  const mongo = createMongoClient(config.mongodbUri);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'rebuild-test' });
  const dbName = config.mongodbDatabase;
  const copyName = `${dbName}_copy`;
  const cleanName = `${dbName}_clean`;

  afterAll(async () => {
    for (const name of [dbName, copyName, cleanName]) await mongo.db(name).dropDatabase().catch(() => undefined);
    await mongo.close();
  });

  it('rebuilds a dropped database that verifies against the log and a copy, and the processor resumes on it exactly once', async () => {
    await ensureCommandsTopic(kafka, config);
    const db = mongo.db(dbName);
    const firstTraffic = traffic('a', 140);
    // One command keyed by another order: dead-lettered KEY_MISMATCH, noted for GET /commands/{id}.
    const poison = command('ValidateOrder', 'ORD-a-1');
    const feed = createProducer(kafka);
    await feed.connect();
    await feed.send({ topic: config.topics.commands, messages: [{ key: 'ORD-not-its-order', value: encodeCommandJson(poison) }] });
    await feed.disconnect();
    await applyWithAKill(env, db, firstTraffic, config.topics.commands, firstTraffic.length);
    expect(await findCommandDeadLetter(db, poison.commandId)).toMatchObject({ code: 'KEY_MISMATCH' });

    await copyDb(db, mongo.db(copyName));
    await db.dropDatabase();

    // A rebuild killed between a chunk's writes and its checkpoint, then run again.
    const killed = tool({ ...env, ORDER_SERVICE_FAILPOINTS: 'rebuild-after-write=exit' }, ['rebuild', '--chunk', '400', '--quiet']);
    expect((await killed.exited).signal, killed.output()).toBe('SIGKILL');
    expect(await ordersCollection(db).countDocuments()).toBeGreaterThan(0);
    const resumed = tool(env, ['rebuild', '--chunk', '400']);
    const resumedExit = await resumed.exited;
    expect(resumedExit.code, resumed.output()).toBe(0);
    expect(resumed.output()).toMatch(/resumed: [\d,]+ events this run/);
    expect(resumed.output()).toMatch(/events\/s, ETA/);
    // Outcomes are back (within their retention): a resent commandId gets its first outcome.
    expect(await countOutcomes(db)).toBe(firstTraffic.length);
    expect(await findCommandDeadLetter(db, poison.commandId)).toMatchObject({ code: 'KEY_MISMATCH', orderId: 'ORD-a-1' });

    // A second run refuses a database that holds orders.
    const again = tool(env, ['rebuild', '--quiet']);
    expect((await again.exited).code).toBe(2);
    expect(again.output()).toMatch(/rebuilt already|not empty/);

    const vsLog = tool(env, ['verify']);
    expect((await vsLog.exited).code, vsLog.output()).toBe(0);
    expect(vsLog.output()).toMatch(/no difference between log .* and database/);
    const vsCopy = tool(env, ['verify', '--against', copyName]);
    expect((await vsCopy.exited).code, vsCopy.output()).toBe(0);

    // The same database as a rebuild that was never interrupted.
    const clean = tool(env, ['rebuild', '--database', cleanName, '--quiet']);
    expect((await clean.exited).code, clean.output()).toBe(0);
    expect(await contents(mongo.db(cleanName))).toEqual(await contents(db));
    expect(await mongo.db(cleanName).collection(CHECKPOINT_COLLECTION).countDocuments({ phase: 'done' })).toBe(1);

    // verify sees a difference planted in one order.
    await ordersCollection(mongo.db(cleanName)).updateOne({ _id: 'ORD-a-7' }, { $set: { 'order.status': 'shipped' } });
    const planted = tool(env, ['verify', '--database', cleanName]);
    expect((await planted.exited).code).toBe(1);
    expect(planted.output()).toMatch(/ORD-a-7: status: log \S+ "packed", database \S+ "shipped"/);
    expect(planted.output()).toMatch(/1 difference\(s\) in 1 order\(s\)/);

    // More traffic on the rebuilt database, a SIGKILL amid it, then the oracle over everything.
    const more = [...traffic('b', 80), ...['ORD-a-0', 'ORD-a-4', 'ORD-a-hot'].map((id) => command('ModifyOrder', id, { priority: 'same_day' } as HttpBody<'ModifyOrder'>))];
    const total = firstTraffic.length + more.length;
    await applyWithAKill(env, db, more, config.topics.commands, total);
    await verifyExactlyOnce(kafka, db, config, schemaResolver(config.schemaRegistryUrl), total + 1, { deadLettered: new Set([poison.commandId]) });

    // A command applied before the rebuild, sent again (a client retry): the outcome the
    // rebuild restored answers it, no event is published.
    const eventsEnd = await committedEvents(config);
    const retried = firstTraffic.find((c) => c.orderId === 'ORD-a-hot' && c.type === 'ModifyOrder')!;
    await produceCommands(kafka, config.topics.commands, [retried]);
    await runReplicaUntilCaughtUp(env, kafka, config);
    expect(await committedEvents(config)).toBe(eventsEnd);

    // Lost again, rebuilt with no rejection's outcome left to restore (all older than the
    // retention), then the group's offsets reset: every command comes again and is
    // recognised by the positions the rebuild derived — an applied one answered from its
    // history entry, a rejected one dead-lettered ALREADY_APPLIED — no event published.
    await db.dropDatabase();
    const short = { ...env, OUTCOME_RETENTION_SECONDS: '1', IDEMPOTENCY_RETENTION_SECONDS: '1' };
    const bare = tool(short, ['rebuild', '--quiet']);
    expect((await bare.exited).code, bare.output()).toBe(0);
    expect(bare.output()).toMatch(/ 0 rejections' outcomes restored .*, [1-9][\d,]* older than OUTCOME_RETENTION_SECONDS/);
    await resetGroupOffsets(config);
    await runReplicaUntilCaughtUp(env, kafka, config);
    expect(await committedEvents(config)).toBe(eventsEnd);
  }, 180_000);
});
