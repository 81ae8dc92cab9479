// A guarantee of the pipelined processor (issue 15): a revoke while groups are still
// committing, one of which outlives the transaction timeout. A's commit of X is held for
// 25 s (before-commit=sleep; the transaction times out at 15 s and A's producer is
// fenced), Y is written behind it, Z is sent behind Y, and replica B joins: the group
// moves partition 0 (every record's) to B. Pinned: X is retried, nothing is lost or
// published twice, and each command's offset is committed by one owner only. (Until
// 2026-12-04 it asserted that B, not A, applied Z, after Z's MongoDB write rather than its
// commit: CI failed on it, and either may commit Z, see below. Written for a window
// suspected from reading kafka-javascript — a batch waiting in the processor when the revoke callback
// returns, committing after the client completed the revoke. It passes without a
// processor-side guard, so none was kept; the test stays as a guarantee.)
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommandJson, type Command, type HttpBody } from '../../src/schemas/index.js';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka, createProducer } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { ensureCommandsTopic } from '../support/command-feed.js';
import { command, createOrder, waitFor } from '../support/commands.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { exited, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';
import { consumeAll } from '../support/kafka-read.js';
import { commandsHandled, scraped } from '../support/replica-metrics.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

const revokes = async (p: RunningProcessor) => (await p.metrics.rebalances.get()).values.find((v) => v.labels.kind === 'revoke')?.value ?? 0;

describe('a revoke while a batch waits behind groups that are still committing', () => {
  const env = isolatedEnv('revoked-waiting', 2);
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'revoked-waiting-test' });
  const mongo = createMongoClient(config.mongodbUri);
  const db = mongo.db(config.mongodbDatabase);
  let a: RunningProcessor | undefined;
  let b: ReplicaProcess | undefined;

  afterAll(async () => {
    b?.child.kill('SIGKILL');
    await a?.stop();
    await mongo.close();
  });

  it('is left to the next owner', async () => {
    await ensureCommandsTopic(kafka, config);
    const producer = createProducer(kafka);
    await producer.connect();
    const send = (commands: Command[]) => producer.send({ topic: config.topics.commands, messages: commands.map((c) => ({ key: c.orderId, value: encodeCommandJson(c), partition: 0 })) });
    const ids = ['ORD-rw-x', 'ORD-rw-y', 'ORD-rw-z'];
    const modify = (id: string) => command('ModifyOrder', id, { priority: 'same_day' } as HttpBody<'ModifyOrder'>);
    const [x, y, z] = ids.map(modify) as [Command, Command, Command];

    await send(ids.map((id) => createOrder(id)));
    a = await startProcessor({ ...env, PROCESSOR_INSTANCE_ID: `${env.PROCESSOR_INSTANCE_ID}-a`, ORDER_SERVICE_FAILPOINTS: `before-commit=sleep:25000@${x.commandId}*1` });
    await waitFor(async () => (await commandsHandled(a!, { type: 'CreateOrder', outcome: 'applied' })) === 3, 60_000, 'A applied the creates');

    await send([x]);
    await waitFor(async () => (await findOutcome(db, x.commandId)) !== undefined, 30_000, 'X written (its commit held)');
    await send([y]);
    await waitFor(async () => (await findOutcome(db, y.commandId)) !== undefined, 30_000, 'Y written behind X');
    await send([z]);
    await new Promise((r) => setTimeout(r, 1000)); // Z handed over, waiting behind Y
    expect(await findOutcome(db, z.commandId)).toBeUndefined();

    b = await spawnReplica({ ...env, PROCESSOR_INSTANCE_ID: `${env.PROCESSOR_INSTANCE_ID}-b` });
    // Committed, not only written: Z's MongoDB write alone may be A's, left uncommitted
    // when it lost the partition (CI 2026-12-04 asserted there and failed). All six events
    // visible to a read_committed consumer means Z's transaction committed.
    await consumeAll(kafka, config.topics.events, 6, 'read_committed', 2000, 90_000, config.schemaRegistryUrl);
    await producer.disconnect();
    // Precondition: A's partitions were revoked while Z waited (the sleep is 25 s).
    expect(await revokes(a)).toBeGreaterThanOrEqual(1);
    // Each of X, Y, Z committed by exactly one owner: a batch committed by A after the
    // revoke, and again by B, would make 4. Who commits Y and Z depends on when the revoke
    // lands: usually A, after the fence, retries X, Y and Z as one group before it lets go.
    // ModifyOrder records each replica handled and committed (applied, or a duplicate of its
    // own uncommitted write).
    const modifiesByA = await commandsHandled(a, { type: 'ModifyOrder' });
    expect(modifiesByA + (await scraped(b, 'order_processor_commands_total', { type: 'ModifyOrder' }))).toBe(3);

    b.child.kill('SIGTERM');
    await exited(b.child);
    await verifyExactlyOnce(kafka, db, config, schemaResolver(config.schemaRegistryUrl), 6);
  }, 180_000);
});
