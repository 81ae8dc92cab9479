// Regression: a replica that lost its group membership while holding a batch retried
// that batch forever. Seen when the broker stopped answering for longer than the session
// timeout (processor-kafka-outage, in CI): the group evicted the member, every retry's
// sendOffsets failed with UNKNOWN_MEMBER_ID, and since kafka-javascript only rejoins the
// group from a fetch — which waits for the batch handler to return — it never rejoined.
// Here the replica freezes itself (SIGSTOP) for longer than the session timeout, alone in
// its group, so nobody else takes its partitions: before its MongoDB write (the batch
// still held by the handler: the regression), and before its Kafka commit (the pipelined
// processor, issue 15, has handed that batch back already; a guarantee case — its commit
// goes through after SIGCONT and the lost assignment restarts from committed offsets).
// Pinned: it rejoins, and applies every command exactly once.
import { afterAll, describe, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { ensureCommandsTopic, produceCommands } from '../support/command-feed.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { exited, processState, replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

/** Longer than the processor's consumer session timeout (10 s). */
const FROZEN_MS = 15_000;

describe.each([
  ['before-mongo-write', 'while it holds a batch'],
  ['before-commit', 'while a written batch commits'],
])('a replica evicted from its group (frozen at %s) %s', (failpoint) => {
  const env = isolatedEnv(`lost-membership-${failpoint}`, 2);
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'lost-membership-test' });
  const mongo = createMongoClient(config.mongodbUri);
  let replica: ReplicaProcess | undefined;
  afterAll(async () => {
    replica?.child.kill('SIGCONT');
    replica?.child.kill('SIGKILL');
    await mongo.close();
  });

  it('rejoins and applies every command exactly once', async () => {
    await ensureCommandsTopic(kafka, config);
    const orders = Array.from({ length: 20 }, (_, i) => lifecycle(`ORD-lost-member-${failpoint}-${i}`));
    const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
    const freezeOn = commands[25]!.commandId;
    const db = mongo.db(config.mongodbDatabase);
    const applied = () => countOutcomes(db);

    replica = await spawnReplica({ ...env, ORDER_SERVICE_FAILPOINTS: `${failpoint}=stop@${freezeOn}*1` });
    const r = replica;
    await waitFor(async () => (await replicaReadiness(r))?.status === 200, 60_000, 'replica ready');
    await produceCommands(kafka, config.topics.commands, commands.slice(0, 20));
    await waitFor(async () => (await applied()) === 20, 60_000, 'the first commands');
    await produceCommands(kafka, config.topics.commands, commands.slice(20, 60));
    await waitFor(async () => processState(r.child.pid!) === 'T', 30_000, 'the replica frozen');
    await new Promise((res) => setTimeout(res, FROZEN_MS));
    r.child.kill('SIGCONT');

    await produceCommands(kafka, config.topics.commands, commands.slice(60));
    try {
      await waitFor(async () => (await applied()) === commands.length, 90_000, 'every command applied after the eviction');
    } catch (err) {
      throw new Error(`${(err as Error).message}\nreplica's last log lines:\n${r.logs.slice(-15).join('\n')}`);
    }
    await verifyExactlyOnce(kafka, db, config, schemaResolver(config.schemaRegistryUrl), commands.length);
    r.child.kill('SIGTERM');
    await exited(r.child);
  }, 240_000);
});
