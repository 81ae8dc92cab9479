// Regression: a conflict that cannot heal by reading again spun the processor. Here an
// operator's script rewrote an order without its `revision` field: the processor takes
// the order for new (revision 0), its insert hits the existing _id, it reads again and
// plans the same — every conflict was retried at once (about 50 reads and writes a
// second here), forever. Pinned: after a few immediate retries it backs off
// like an outage (a handful of attempts in 3 s; 49 before the fix), /ready names
// the problem, nothing is skipped, and once the document is repaired the command is
// applied.
import { afterAll, describe, expect, it } from 'vitest';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { command, createOrder, waitFor } from '../support/commands.js';
import { produceCommands } from '../support/command-feed.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';

describe('an order document rewritten without its revision', () => {
  const env = isolatedEnv('persistent-conflict', 1);
  let p: RunningProcessor | undefined;
  afterAll(() => p?.stop());

  it('is retried with backoff, reported in /ready, and applied once repaired', async () => {
    p = await startProcessor(env);
    const orderId = 'ORD-persistent-conflict';
    const outcomes = () => countOutcomes(p!.db);
    await produceCommands(p.kafka, p.config.topics.commands, [createOrder(orderId)]);
    await waitFor(async () => (await outcomes()) === 1, 60_000, 'the create applied');
    const revision = (await ordersCollection(p.db).findOne({ _id: orderId }))!.revision;
    await ordersCollection(p.db).updateOne({ _id: orderId }, { $unset: { revision: '' } });

    await p.stop(); // its cache holds the document as it was: start afresh
    p = await startProcessor(env);
    const orders = ordersCollection(p.db);
    const conflicts = async () => (await p!.metrics.batchRetries.get()).values.find((v) => v.labels.kind === 'conflict')?.value ?? 0;
    await produceCommands(p.kafka, p.config.topics.commands, [command('ValidateOrder', orderId)]);
    await waitFor(async () => (await conflicts()) > 0, 60_000, 'the first conflict');
    await new Promise((r) => setTimeout(r, 3000));
    // Immediate retries: about 50 in 3 s here; with backoff (100, 200, 400… ms) about 8.
    expect(await conflicts()).toBeLessThan(20);
    expect(p.processor.ready().reasons.join('; ')).toMatch(/retrying a batch: orders changed concurrently/);
    expect(await outcomes()).toBe(1);

    await orders.updateOne({ _id: orderId }, { $set: { revision } });
    await waitFor(async () => (await outcomes()) === 2, 30_000, 'the validation applied after the repair');
    expect((await orders.findOne({ _id: orderId }))?.order?.status).toBe('validated');
  }, 180_000);
});
