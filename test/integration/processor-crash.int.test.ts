// G2/G3: SIGKILL the processor at random moments while commands flow, restart it each
// time (same instance id, so the new one fences the dead one's open transaction), then
// check exactly-once against a replay of the command log: one outcome per command,
// each event once and in order for read_committed readers, MongoDB equal to the replay.
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommandJson } from '../../src/schemas/index.js';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka, createProducer, ensureTopics } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { hotOrder } from '../support/command-feed.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { exited, replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

// CRASH_ORDERS orders × 5 commands: 4,000 × 5 = 20,000 commands by default, plus three
// hot orders of 300 modifications each, every one sent back to back amid the others
// (more than an order's last 100 commands in one uncommitted batch: issue 11 hole 1).
const ORDERS = Number(process.env.CRASH_ORDERS ?? 4000);
const HOT_ORDERS = 3;
const HOT_MODIFICATIONS = 300;
const KILLS = 5;

/** Starts a replica and waits until it consumes (its /ready answers 200). */
async function startReplica(env: Record<string, string>): Promise<ReplicaProcess> {
  const replica = await spawnReplica(env);
  await waitFor(async () => {
    if (replica.child.exitCode !== null) throw new Error(`replica exited by itself with ${replica.child.exitCode}`);
    return (await replicaReadiness(replica))?.status === 200;
  }, 60_000, 'replica ready');
  return replica;
}

/** waitFor, and on failure what the replica logged last (it is the suspect). */
async function waitForReplica(replica: ReplicaProcess, probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  try {
    await waitFor(probe, timeoutMs, what);
  } catch (err) {
    const ready = await replicaReadiness(replica);
    throw new Error(`${(err as Error).message}\nreplica /ready: ${JSON.stringify(ready)}\nits last log lines:\n${replica.logs.slice(-40).join('\n')}`);
  }
}

describe('G2/G3: exactly-once effects across SIGKILL', () => {
  const env = isolatedEnv('proc-crash', 6);
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'crash-test' });
  const mongo = createMongoClient(config.mongodbUri);
  let replica: ReplicaProcess | undefined;

  afterAll(async () => {
    replica?.child.kill('SIGKILL');
    await mongo.close();
  });

  it(`applies ${ORDERS * 5} commands exactly once while the processor is killed ${KILLS} times`, async () => {
    const replicaEnv = env;
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: config.topics.commands, numPartitions: config.commandPartitions }]);
    await admin.disconnect();

    const orders = Array.from({ length: ORDERS }, (_, i) => lifecycle(`ORD-crash-${i}`));
    const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
    const hot = Array.from({ length: HOT_ORDERS }, (_, h) => hotOrder(`ORD-crash-hot-${h}`, HOT_MODIFICATIONS));
    commands.unshift(...hot.map((c) => c[0]!));
    hot.forEach((c, h) => commands.splice(Math.floor((commands.length * (h + 1)) / (HOT_ORDERS + 1)), 0, ...c.slice(1)));
    const producer = createProducer(kafka);
    await producer.connect();
    // Commands keep flowing in the background while replicas die.
    const feeding = (async () => {
      for (let i = 0; i < commands.length; i += 200) {
        await producer.send({ topic: config.topics.commands, messages: commands.slice(i, i + 200).map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const db = mongo.db(config.mongodbDatabase);
    const applied = () => countOutcomes(db);
    for (let k = 0; k < KILLS; k++) {
      const current = (replica = await startReplica(replicaEnv));
      // Kill at a random moment once the replica has done some work.
      const before = await applied().catch(() => 0);
      await waitForReplica(current, async () => {
        if (current.child.exitCode !== null) throw new Error(`replica exited by itself with ${current.child.exitCode}`);
        return (await applied()) > before;
      }, 60_000, 'progress before a kill');
      await new Promise((r) => setTimeout(r, Math.random() * 1500));
      current.child.kill('SIGKILL');
      await exited(current.child);
    }
    await feeding;
    await producer.disconnect();

    const last = (replica = await startReplica(replicaEnv));
    await waitForReplica(last, async () => (await applied()) >= commands.length, 300_000, 'all outcomes after the last restart');
    expect(await applied()).toBe(commands.length);
    await verifyExactlyOnce(kafka, db, config, schemaResolver(config.schemaRegistryUrl), commands.length);
    last.child.kill('SIGTERM');
    await exited(last.child);
  }, 600_000);
});
