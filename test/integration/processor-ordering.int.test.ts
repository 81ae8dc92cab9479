// G1: many orders × 5 commands, interleaved over 6 partitions → per order, events carry
// versions 1..n in command order (checked against a replay through the domain).
// G1_ORDERS orders (default 1,000, the size).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { encodeCommandJson } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('G1: per-order order across partitions', () => {
  let p: RunningProcessor;
  const env = isolatedEnv('proc-g1', 6);
  beforeAll(async () => {
    p = await startProcessor(env);
  });
  afterAll(() => p.stop());

  it('keeps every order’s events in command order with contiguous versions', async () => {
    const orders = Array.from({ length: Number(process.env.G1_ORDERS ?? 1000) }, (_, i) => lifecycle(`ORD-g1-${i}`));
    // Interleave: round r sends the r-th command of every order.
    const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
    const producer = createProducer(p.kafka);
    await producer.connect();
    for (let i = 0; i < commands.length; i += 500) {
      await producer.send({ topic: p.config.topics.commands, messages: commands.slice(i, i + 500).map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
    }
    await producer.disconnect();
    await waitFor(async () => (await countOutcomes(p.db)) >= commands.length, 180_000, 'all outcomes');
    await verifyExactlyOnce(p.kafka, p.db, p.config, schemaResolver(env.SCHEMA_REGISTRY_URL!), commands.length);
  }, 400_000);
});
