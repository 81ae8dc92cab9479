// The processor does not read an order whose first command in a batch is its CreateOrder
// (on FerretDB every read by _id scans the collection). These pin that the assumption is
// always checked: a replica with an empty cache still rejects creates of an existing
// order, treats a re-sent create as the duplicate it is, and publishes no extra event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, encodeCommandJson, type Command } from '../../src/schemas/index.js';
import { createProducer, type Producer } from '../../src/shared/kafka.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { command, createOrder, seedCreateBody, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { uniqueName } from '../support/stack-env.js';

describe('processor: creates assumed new are checked', () => {
  const env = isolatedEnv('proc-new', 1);
  const orderId = uniqueName('ORD');
  const original = createOrder(orderId);
  let p: RunningProcessor;
  let producer: Producer;

  const send = (...cs: Command[]) => producer.send({ topic: p.config.topics.commands, messages: cs.map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
  const outcomeOf = (commandId: string) => waitFor(() => findOutcome(p.db, commandId), 60_000, `outcome of ${commandId}`);

  beforeAll(async () => {
    // The order exists before the replica under test starts: its cache does not hold it.
    const first = await startProcessor(env);
    producer = createProducer(first.kafka);
    await producer.connect();
    p = first;
    await send(original);
    expect((await outcomeOf(original.commandId)).status).toBe('applied');
    await first.stop();
    p = await startProcessor(env);
  });
  afterAll(async () => {
    await producer.disconnect();
    await p.stop();
  });

  it('a create that is rejected anyway (invalid) is still judged against the stored order', async () => {
    // Valid on the wire, refused by the domain (two currencies), so it writes nothing.
    const body = seedCreateBody();
    const invalid = command('CreateOrder', orderId, { ...body, items: [...body.items, { ...body.items[0]!, sku: 'SKU-002', price: { amount: 5, currency: 'EUR' } }] } as never);
    await send(invalid);
    expect(await outcomeOf(invalid.commandId)).toMatchObject({ status: 'rejected', code: 'ORDER_ALREADY_EXISTS' });
  });

  it('a second create and a re-sent create of an existing order: rejected and duplicate, one OrderReceived, state intact', async () => {
    const second = createOrder(orderId);
    const validate = command('ValidateOrder', orderId);
    await send(second, original, validate); // one batch: the assumed-new insert meets the stored order
    expect(await outcomeOf(second.commandId)).toMatchObject({ status: 'rejected', code: 'ORDER_ALREADY_EXISTS' });
    expect((await outcomeOf(validate.commandId)).status).toBe('applied');

    const doc = await ordersCollection(p.db).findOne({ _id: orderId });
    expect(doc?.version).toBe(2);
    expect(doc?.order?.status).toBe('validated');
    const resolver = schemaResolver(env.SCHEMA_REGISTRY_URL!);
    const events = await Promise.all((await consumeAll(p.kafka, p.config.topics.events, 2, 'read_committed', 1500)).map((e) => decodeEvent(e.value, resolver)));
    expect(events.map((e) => [e.type, e.causationId])).toEqual([
      ['OrderReceived', original.commandId],
      ['OrderValidated', validate.commandId],
    ]);
  });
});
