// Producer habit: one commandId used for two orders (issue 21, item 7) — a client bug, a
// copy-pasted id, the same command sent to two partitions. A commandId is one command,
// whatever order it names. Before: when both records landed in one group (one batch per
// partition, each planned on its own), both orders were created and the outcomes topic
// had two different outcomes for one commandId. Now the second use, in the same group or
// later, gets the first use's outcome and changes nothing. Which batches share a group
// is the consumer's timing, not something a test can force from outside: the same-group
// case is pinned deterministically by applyGroup's unit test
// (processor-apply-batch.unit.test.ts); this test runs it against a real processor, the
// warm-up's sleep making a shared group likely, and pins the later-group case.
import { afterAll, describe, expect, it } from 'vitest';
import { decodeOutcome, encodeCommandJson, type Command } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { createOrder, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { uniqueName } from '../support/stack-env.js';

describe('one commandId for two orders', () => {
  // The warm-up command's group sleeps before it lets the next group start: meanwhile the
  // records of partitions 1 and 2 arrive and wait, and then go in one group together.
  const warm = createOrder(uniqueName('ORD-reuse-warm'));
  const env: Record<string, string> = { ...isolatedEnv('command-id-reuse', 3), ORDER_SERVICE_FAILPOINTS: `before-cache-update=sleep:3000@${warm.commandId}*1` };
  let p: RunningProcessor | undefined;
  afterAll(async () => {
    await p?.stop();
  });

  it('creates one order per commandId, whether the second use comes in the same group or a later one; every outcome record of it is the first', async () => {
    const pairs = Array.from({ length: 20 }, (_, i) => {
      const a = createOrder(uniqueName(`ORD-reuse${i}-a`));
      return { a, b: { ...createOrder(uniqueName(`ORD-reuse${i}-b`)), commandId: a.commandId } as Command, c: { ...createOrder(uniqueName(`ORD-reuse${i}-c`)), commandId: a.commandId } as Command };
    });
    p = await startProcessor(env);
    const producer = createProducer(p.kafka);
    await producer.connect();
    const send = (records: Array<{ command: Command; partition: number }>) =>
      producer.send({ topic: env.TOPIC_COMMANDS!, messages: records.map(({ command, partition }) => ({ key: command.orderId, partition, value: encodeCommandJson(command) })) });
    await send([{ command: warm, partition: 0 }]);
    await new Promise((r) => setTimeout(r, 1_000)); // the warm-up group is asleep now
    await send(pairs.flatMap(({ a, b }) => [{ command: a, partition: 1 }, { command: b, partition: 2 }]));

    const firsts = [];
    for (const { a } of pairs) firsts.push(await waitFor(() => findOutcome(p!.db, a.commandId), 60_000, 'the outcome of a reused commandId'));
    await send(pairs.map(({ c }) => ({ command: c, partition: 0 }))); // a later group
    await new Promise((r) => setTimeout(r, 4_000));
    await producer.disconnect();

    const orders = ordersCollection(p.db);
    for (const [i, { a, b, c }] of pairs.entries()) {
      const created = [];
      for (const id of [a.orderId, b.orderId, c.orderId]) if ((await orders.countDocuments({ _id: id })) === 1) created.push(id);
      expect(created, `pair ${i}`).toEqual([firsts[i]!.orderId]);
    }
    const resolver = schemaResolver(env.SCHEMA_REGISTRY_URL!);
    const records = await consumeAll(p.kafka, env.TOPIC_OUTCOMES!, 1 + 3 * pairs.length, 'read_committed', 2000, 30_000);
    const outcomes = await Promise.all(records.map((r) => decodeOutcome(r.value, resolver)));
    for (const [i, { a }] of pairs.entries()) {
      const answers = outcomes.filter((o) => o.commandId === a.commandId).map((o) => JSON.stringify({ orderId: o.orderId, status: o.status, eventIds: o.eventIds }));
      expect(answers, `pair ${i}: one answer per record`).toHaveLength(3);
      expect(new Set(answers), `pair ${i}: every answer is the first`).toEqual(new Set([JSON.stringify({ orderId: firsts[i]!.orderId, status: 'applied', eventIds: firsts[i]!.eventIds })]));
    }
  }, 150_000);
});
