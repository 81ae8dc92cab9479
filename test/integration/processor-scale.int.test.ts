// Scaling: replicas go 1 → 3 → 1 (same consumer group, own transactional ids) while
// commands flow; partitions move between them with cooperative-sticky rebalances, and
// G1–G3 still hold (checked against a replay of the command log).
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommandJson } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('replicas 1 → 3 → 1 during a stream', () => {
  const env = isolatedEnv('proc-scale', 6);
  const replicas: RunningProcessor[] = [];
  afterAll(async () => {
    for (const r of replicas.splice(0)) await r.stop().catch(() => undefined);
  });

  it('keeps per-order order and exactly-once effects across rebalances', async () => {
    const first = await startProcessor(env);
    replicas.push(first);
    const orders = Array.from({ length: 300 }, (_, i) => lifecycle(`ORD-scale-${i}`));
    const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
    const producer = createProducer(first.kafka);
    await producer.connect();
    const applied = () => countOutcomes(first.db);
    // A steady stream of about 100 commands/s, so every phase below sees records arrive
    // while partitions move (a fast processor would otherwise finish a burst before the
    // new replicas get any partition).
    let sent = 0;
    const feedUntil = async (limit: number, done: () => Promise<boolean> = async () => false) => {
      while (sent < Math.min(limit, commands.length) && !(await done())) {
        const slice = commands.slice(sent, Math.min(sent + 10, limit));
        await producer.send({ topic: first.config.topics.commands, messages: slice.map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
        sent += slice.length;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const handled = async (r: RunningProcessor) => (await r.metrics.commands.get()).values.reduce((n, v) => n + v.value, 0);

    await feedUntil(300);
    await waitFor(async () => (await applied()) > 100, 60_000, 'progress with one replica');
    // Scale out to three while commands keep coming, until both new replicas did work.
    for (const n of [2, 3]) replicas.push(await startProcessor({ ...env, PROCESSOR_INSTANCE_ID: `${env.PROCESSOR_INSTANCE_ID}-r${n}` }));
    const newOnesWorked = async () => (await Promise.all(replicas.slice(1).map(handled))).every((n) => n > 0);
    await feedUntil(1200, newOnesWorked);
    // The new replicas really took partitions over and did work.
    await waitFor(newOnesWorked, 30_000, 'work done by the two new replicas');
    // Back to one: the two newer replicas leave gracefully mid-stream.
    const shrinking = feedUntil(commands.length);
    for (const r of replicas.splice(1)) await r.stop();
    await shrinking;
    await producer.disconnect();

    await waitFor(async () => (await applied()) >= commands.length, 180_000, 'all outcomes with one replica');
    expect(await applied()).toBe(commands.length);
    await verifyExactlyOnce(first.kafka, first.db, first.config, schemaResolver(env.SCHEMA_REGISTRY_URL!), commands.length);
  }, 400_000);
});
