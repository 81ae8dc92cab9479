// Producer/operator habit: offsets start over (issue 21, item 4). An order remembered the
// offset of the last command applied to it per partition number only, so:
// - after the commands topic was re-created (same name, new topic id, offsets from 0), a
//   new command for an existing order sat "at or below" the stored position and was
//   silently forgotten: no outcome, no event, no dead letter;
// - after the group's offsets were reset to earliest (here: a new group, which starts
//   from the beginning the same way), each order's last pending entry — long committed —
//   was taken for an unconfirmed transaction and its event published a second time.
// Now positions belong to Kafka's topic id, a redelivery must carry the commandId stored
// at its position, and how far outputs are committed is kept in MongoDB (command_progress).
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEvent, encodeCommandJson, type Command } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { uniqueName } from '../support/stack-env.js';

async function send(p: RunningProcessor, commands: Command[]): Promise<void> {
  const producer = createProducer(p.kafka);
  await producer.connect();
  await producer.send({ topic: p.config.topics.commands, messages: commands.map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
  await producer.disconnect();
}

const outcomeOf = (p: RunningProcessor, c: Command) => waitFor(() => findOutcome(p.db, c.commandId), 60_000, `outcome of ${c.type} ${c.orderId}`);

describe('offsets are positions, not identities', () => {
  let p: RunningProcessor | undefined;
  afterEach(async () => {
    await p?.stop().catch(() => undefined);
    p = undefined;
  });

  it('applies a command for an existing order after the commands topic was re-created', async () => {
    const env = isolatedEnv('recreated-topic', 1);
    const [create, validate, wave] = lifecycle(uniqueName('ORD-recreated'));
    p = await startProcessor(env);
    await send(p, [create!, validate!]);
    await outcomeOf(p, validate!);
    await p.stop();
    p = undefined;

    const admin = (await startProcessorAdmin(env)).admin;
    await admin.deleteTopics({ topics: [env.TOPIC_COMMANDS!] });
    await waitFor(async () => !(await admin.listTopics()).includes(env.TOPIC_COMMANDS!), 30_000, 'topic deleted');
    await admin.createTopics({ topics: [{ topic: env.TOPIC_COMMANDS!, numPartitions: 1 }] });
    await admin.disconnect();

    p = await startProcessor(env);
    await send(p, [wave!]); // offset 0 of the new topic: below the order's stored position 1
    expect((await outcomeOf(p, wave!)).status).toBe('applied');
    expect((await ordersCollection(p.db).findOne({ _id: wave!.orderId }))?.order?.status).toBe('wave_assigned');
  }, 120_000);

  it('publishes no event twice when the commands are read again from the beginning (group offsets reset)', async () => {
    const env = isolatedEnv('offsets-reset', 2);
    const orders = Array.from({ length: 5 }, (_, i) => lifecycle(uniqueName(`ORD-reset${i}`)));
    const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
    p = await startProcessor(env);
    await send(p, commands);
    for (const o of orders) await outcomeOf(p, o[4]!);
    await new Promise((r) => setTimeout(r, 1_000)); // the last commit's progress is stored after it
    await p.stop();

    // Same topics and database, a group that has committed nothing: every record again.
    p = await startProcessor({ ...env, PROCESSOR_GROUP_ID: `${env.PROCESSOR_GROUP_ID}-reset`, PROCESSOR_INSTANCE_ID: `${env.PROCESSOR_INSTANCE_ID}-reset` });
    // Each command's outcome is published again (it is the answer to a redelivery): 2 × 25.
    await consumeAll(p.kafka, env.TOPIC_OUTCOMES!, 2 * commands.length, 'read_committed', 2000, 60_000);
    const events = await consumeAll(p.kafka, env.TOPIC_EVENTS!, commands.length, 'read_committed', 2000, 30_000);
    const resolver = schemaResolver(env.SCHEMA_REGISTRY_URL!);
    const ids = await Promise.all(events.map(async (e) => (await decodeEvent(e.value, resolver)).eventId));
    expect(ids.length - new Set(ids).size).toBe(0); // no event published twice
    expect(new Set(ids).size).toBe(commands.length);
    expect(await consumeAll(p.kafka, env.TOPIC_DLQ!, 1, 'read_committed', 1000, 3_000)).toHaveLength(0);
  }, 150_000);
});

async function startProcessorAdmin(env: Record<string, string>) {
  const { createKafka } = await import('../../src/shared/kafka.js');
  const admin = createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: uniqueName('admin') }).admin();
  await admin.connect();
  return { admin };
}
