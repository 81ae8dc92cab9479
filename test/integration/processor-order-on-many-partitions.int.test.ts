// One order's commands on several partitions (a producer that ignores the murmur2
// contract, or partitions added to the topic) must not stall the processor. When two
// partitions' batches of one order land in one group, both are planned from the same
// stored document: only one of their two conditional writes can match. The conflict is
// retried, and the retry reads the document the winner wrote, so the winner's records
// are redeliveries (their pending events, same versions) and the loser's are planned on
// top. Pinned: that conflict happens, every command gets one outcome, the order's events
// carry versions 1..n once each, and its document ends at version n.
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEvent, decodeOutcome, encodeCommandJson, type Command, type HttpBody } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { command, createOrder, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';

const modify = (orderId: string, i: number): Command => command('ModifyOrder', orderId, { priority: i % 2 === 0 ? 'same_day' : 'standard' } as HttpBody<'ModifyOrder'>);

describe('an order whose commands arrive on several partitions', () => {
  const env = isolatedEnv('two-partitions', 3);
  let p: RunningProcessor | undefined;
  afterAll(() => p?.stop());

  it('is processed to the end: one outcome per command, versions 1..n once each', async () => {
    const orderId = 'ORD-two-partitions';
    p = await startProcessor(env);
    const resolver = schemaResolver(env.SCHEMA_REGISTRY_URL!);
    const producer = createProducer(p.kafka);
    await producer.connect();
    const send = (commands: Array<[Command, number]>) =>
      producer.send({ topic: p!.config.topics.commands, messages: commands.map(([c, partition]) => ({ key: c.orderId, value: encodeCommandJson(c), partition })) });
    await send([[createOrder(orderId), 0]]);
    await waitFor(async () => (await countOutcomes(p!.db)) === 1, 60_000, 'the create applied');

    // A backlog on every partition while no processor runs. The next processor's first
    // group holds partition 0's batch and pauses before planning (failpoint), so the
    // other two partitions' batches wait for it and form one group.
    await p.stop();
    const modifications: Array<[Command, number]> = Array.from({ length: 30 }, (_, i) => [modify(orderId, i), i % 3]);
    await send(modifications);
    await producer.disconnect();
    p = await startProcessor({ ...env, ORDER_SERVICE_FAILPOINTS: `plan=sleep:2000@${modifications[0]![0].commandId}*1` });
    const total = 1 + modifications.length;
    await waitFor(async () => (await countOutcomes(p!.db)) === total, 60_000, 'every command has an outcome');

    const outcomes = await consumeAll(p.kafka, p.config.topics.outcomes, total, 'read_committed', 2000);
    const outcomeIds = await Promise.all(outcomes.map(async (o) => (await decodeOutcome(o.value, resolver)).commandId));
    expect(new Set(outcomeIds).size).toBe(total);
    expect(outcomeIds).toHaveLength(total);
    const events = await Promise.all((await consumeAll(p.kafka, p.config.topics.events, total, 'read_committed', 2000)).map((e) => decodeEvent(e.value, resolver)));
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const doc = await ordersCollection(p.db).findOne({ _id: orderId });
    expect(doc?.version).toBe(total);
    const conflicts = (await p.metrics.batchRetries.get()).values.find((v) => v.labels.kind === 'conflict')?.value ?? 0;
    expect(conflicts, 'the two partitions were planned in one group').toBeGreaterThan(0);
  }, 180_000);
});
