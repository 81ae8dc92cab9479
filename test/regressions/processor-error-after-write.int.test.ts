// Regression (issue 21 item 3): an error after a group's MongoDB write landed was taken
// for a processing error (the classifier's default), so the runner isolated the record and
// dead-lettered it as PROCESSING_FAILED — while its state change stayed in MongoDB and its
// pending event was dropped by the next batch. Seen with after-mongo-write=throw on a
// ModifyOrder, then a ValidateOrder: the order's events were versions 1 and 3, version 2
// never published. The invariant now: from the first write on, a group only commits or
// is retried with backoff (and a /ready reason); isolation happens only before any write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, encodeCommandJson, type Command } from '../../src/schemas/index.js';
import { createProducer, type Producer } from '../../src/shared/kafka.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { command, createOrder, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { uniqueName } from '../support/stack-env.js';

describe('an error after the MongoDB write of a group', () => {
  const orderId = uniqueName('ORD');
  const create = createOrder(orderId);
  const modify = command('ModifyOrder', orderId, { priority: 'same_day' });
  const validate = command('ValidateOrder', orderId);
  const env: Record<string, string> = { ...isolatedEnv('after-write', 1), ORDER_SERVICE_FAILPOINTS: `after-mongo-write=throw@${modify.commandId}*6` };
  let p: RunningProcessor;
  let producer: Producer;
  beforeAll(async () => {
    p = await startProcessor(env);
    producer = createProducer(p.kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await p?.stop();
  });

  const send = (c: Command) => producer.send({ topic: p.config.topics.commands, messages: [{ key: c.orderId, value: encodeCommandJson(c) }] });
  const outcomeOf = (c: Command) => waitFor(() => findOutcome(p.db, c.commandId), 90_000, `outcome of ${c.type}`);

  it('is retried, never dead-lettered: every event once, versions contiguous', async () => {
    await send(create);
    expect((await outcomeOf(create)).status).toBe('applied');
    await send(modify);
    await send(validate);
    expect((await outcomeOf(validate)).status).toBe('applied');
    expect((await outcomeOf(modify)).status).toBe('applied');

    const resolver = schemaResolver(env.SCHEMA_REGISTRY_URL!);
    const events = (await consumeAll(p.kafka, env.TOPIC_EVENTS!, 3, 'read_committed', 2000)).filter((r) => r.key === orderId);
    const decoded = await Promise.all(events.map((e) => decodeEvent(e.value, resolver)));
    expect(decoded.map((e) => [e.version, e.type])).toEqual([
      [1, 'OrderReceived'],
      [2, 'OrderModified'],
      [3, 'OrderValidated'],
    ]);
    expect(await consumeAll(p.kafka, env.TOPIC_DLQ!, 0, 'read_committed', 2000)).toEqual([]);
  }, 180_000);
});
