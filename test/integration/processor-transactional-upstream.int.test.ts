// Pins issue 21 item 2: commands written by a transactional producer (Kafka Streams, an
// exactly-once Java service). Every commit or abort leaves a control record that takes
// an offset no consumer receives, and aborted records are never delivered either. Lag
// counted as end offset − committed offset never reached 0 after them: /ready said
// "stalled" for good and /health failed once PROCESSOR_LIVENESS_TIMEOUT_MS had passed,
// so every replica was unready and restarted in a loop. Nothing left to read is no lag.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { ensureCommandsTopic, produceTransactions, type CommandTransaction } from '../support/command-feed.js';
import { command, createOrder, waitFor } from '../support/commands.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';

const STALL_MS = 1000;
const LIVENESS_MS = 3000;

const probe = async (r: ReplicaProcess, path: '/ready' | '/health') => {
  const res = await fetch(`${r.opsUrl}${path}`);
  return { status: res.status, reasons: ((await res.json()) as { reasons?: string[] }).reasons ?? [] };
};

describe('commands from a transactional producer', () => {
  const env = { ...isolatedEnv('tx-upstream', 3), PROCESSOR_STALL_TIMEOUT_MS: String(STALL_MS), PROCESSOR_LIVENESS_TIMEOUT_MS: String(LIVENESS_MS) };
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'tx-upstream-test' });
  const mongo = createMongoClient(config.mongodbUri);
  let replica: ReplicaProcess | undefined;

  afterAll(async () => {
    replica?.child.kill('SIGKILL');
    await mongo.close();
  });

  it('applies the committed ones, never the aborted ones, and stays ready and live once only markers remain', async () => {
    const orderIds = Array.from({ length: 4 }, (_, i) => `ORD-tx-upstream-${i}`);
    // Committed: each order created and validated (8 commands). Aborted: a cancel of
    // every order, and the create of an order that must never exist (5 commands). The
    // last transaction aborts, so records of an aborted transaction and its marker end
    // some partitions.
    const committed = orderIds.flatMap((id) => [createOrder(id), command('ValidateOrder', id)]);
    const aborted = [...orderIds.map((id) => command('CancelOrder', id, { reason: 'aborted upstream' })), createOrder('ORD-tx-upstream-aborted')];
    const transactions: CommandTransaction[] = [
      { commands: committed.slice(0, 4), commit: true },
      { commands: aborted.slice(0, 2), commit: false },
      { commands: committed.slice(4), commit: true },
      { commands: aborted.slice(2), commit: false },
    ];
    await ensureCommandsTopic(kafka, config);
    replica = await spawnReplica(env);
    await waitFor(async () => (await replicaReadiness(replica!))?.status === 200, 60_000, 'replica ready');
    await produceTransactions(kafka, config.topics.commands, `${config.processor.groupId}-upstream`, transactions);

    const db = mongo.db(config.mongodbDatabase);
    await waitFor(async () => (await Promise.all(committed.map((c) => findOutcome(db, c.commandId)))).every((o) => o !== undefined), 60_000, 'every committed command applied');

    // Past both windows (and a few lag checks), with nothing left to read.
    await new Promise((r) => setTimeout(r, LIVENESS_MS + 6000));
    const ready = await probe(replica, '/ready');
    const health = await probe(replica, '/health');
    expect({ ready, health }).toEqual({ ready: { status: 200, reasons: [] }, health: { status: 200, reasons: [] } });

    for (const c of aborted) expect(await findOutcome(db, c.commandId), `aborted ${c.type} ${c.orderId} applied`).toBeUndefined();
    const orders = await ordersCollection(db).find({}).toArray();
    expect(orders.map((o) => [o._id, o.order?.status]).sort()).toEqual(orderIds.map((id) => [id, 'validated']));
  }, 120_000);
});
