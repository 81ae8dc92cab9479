// Issue 12: a zombie replica on the local stack. Replica A freezes (SIGSTOP, failpoint
// before-mongo-write=stop) holding a planned batch; the group evicts it and replica B
// takes its partition, applies that batch itself and newer commands on top. Then A
// resumes. Its write is conditional on the revision it read, so it is refused
// (conflict), and its transaction carries the consumer-group generation it lost, so
// nothing it planned is published. Before our FerretDB build made conditional writes
// atomic, the store wrote unconditionally there and A overwrote B's newer state.
import { afterAll, describe, expect, it } from 'vitest';
import type { HttpBody } from '../../src/schemas/index.js';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { ensureCommandsTopic, produceCommands } from '../support/command-feed.js';
import { command, createOrder, waitFor } from '../support/commands.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { exited, processState, replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';
import { scraped } from '../support/replica-metrics.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('a frozen replica that resumes after losing its partition', () => {
  const env = { ...isolatedEnv('zombie', 1) };
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'zombie-test' });
  const mongo = createMongoClient(config.mongodbUri);
  const db = mongo.db(config.mongodbDatabase);
  const outcomes = () => countOutcomes(db);
  const replicas: ReplicaProcess[] = [];

  afterAll(async () => {
    for (const r of replicas) {
      r.child.kill('SIGCONT');
      r.child.kill('SIGKILL');
    }
    await mongo.close();
  });

  it('cannot overwrite newer state or publish what it planned', async () => {
    await ensureCommandsTopic(kafka, config);
    const ids = Array.from({ length: 10 }, (_, i) => `ORD-zombie-${i}`);
    const creates = ids.map((id) => createOrder(id));
    const validates = ids.map((id) => command('ValidateOrder', id));
    const waves = ids.map((id) => command('AssignWave', id, { waveId: 'WAVE-Z' } as HttpBody<'AssignWave'>));

    const a = await spawnReplica({ ...env, PROCESSOR_INSTANCE_ID: `${env.PROCESSOR_INSTANCE_ID}-a`, ORDER_SERVICE_FAILPOINTS: `before-mongo-write=stop@${validates[0]!.commandId}*1` });
    replicas.push(a);
    await waitFor(async () => (await replicaReadiness(a))?.status === 200, 60_000, 'replica A ready');
    await produceCommands(kafka, config.topics.commands, creates);
    await waitFor(async () => (await outcomes()) === 10, 60_000, 'A applied the creates');

    // A plans the validations, then freezes before writing them.
    await produceCommands(kafka, config.topics.commands, validates);
    await waitFor(async () => processState(a.child.pid!) === 'T', 30_000, 'A frozen');

    // B takes the partition once A misses its session timeout, applies the same
    // validations and the wave assignments after them.
    const b = await spawnReplica({ ...env, PROCESSOR_INSTANCE_ID: `${env.PROCESSOR_INSTANCE_ID}-b` });
    replicas.push(b);
    await waitFor(async () => (await outcomes()) === 20, 90_000, 'B applied the validations');
    await produceCommands(kafka, config.topics.commands, waves);
    await waitFor(async () => (await outcomes()) === 30, 60_000, 'B applied the wave assignments');

    // A wakes up with its stale plan. Its first attempt after waking must fail: normally
    // its conditional write matches no document (a conflict); if its MongoDB client first
    // notices the frozen minutes (a pool reset: an outage), it writes nothing and its
    // retry finds the records committed by B. Either way B's newer state must survive.
    const sinceWake = a.logs.length;
    a.child.kill('SIGCONT');
    const failures = () => a.logs.slice(sinceWake).filter((l) => l.includes('"msg":"batch failed"')).map((l) => JSON.parse(l) as { kind: string; err: string });
    await waitFor(async () => failures().length > 0, 60_000, 'A acting on its stale plan');
    await new Promise((r) => setTimeout(r, 5000)); // whatever A does next, let it try
    const refusedWrites = await scraped(a, 'order_processor_batch_retries_total', { kind: 'conflict' });
    a.child.kill('SIGKILL');
    await exited(a.child);

    const docs = await db.collection('orders').find({}).toArray();
    expect(docs.map((d) => (d.order as { status: string }).status)).toEqual(ids.map(() => 'wave_assigned'));
    await verifyExactlyOnce(kafka, db, config, schemaResolver(config.schemaRegistryUrl), 30);
    const first = failures()[0]!;
    expect(['conflict', 'outage'], `A's first failure after waking; its log since:\n${a.logs.slice(sinceWake).join('\n')}`).toContain(first.kind);
    if (first.kind === 'conflict') {
      expect(first.err).toMatch(/conditional writes matched no document/);
      expect(refusedWrites).toBeGreaterThan(0);
    }
    b.child.kill('SIGTERM');
    await exited(b.child);
  }, 240_000);
});
