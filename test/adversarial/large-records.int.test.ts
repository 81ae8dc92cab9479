// Producer habit: records near Kafka's size limit (issue 21 item 1). Many producers raise
// `message.max.bytes`; a command whose value and headers come to about 1,000,000 bytes
// is a valid Kafka record (the topic allows 1,048,588), but the processor's own writes
// must fit librdkafka's 1,000,000 counted with headers and overhead. Before: the size
// check counted value + key only, the dead letter of such a record was refused inside
// the transaction and retried forever — every later command of the replica waited, /ready
// said "Message size too large", and the next replica stalled the same way.
// Now one place measures every record before anything is written: a dead letter that
// would not fit keeps key, headers and position and leaves the value out (with a header
// saying so); an event that would not fit makes its command a RECORD_TOO_LARGE rejection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '../../src/processor/messages.js';
import { encodeCommandJson, type Command } from '../../src/schemas/index.js';
import { createProducer, type Producer } from '../../src/shared/kafka.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { command, createOrder, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { uniqueName } from '../support/stack-env.js';

/** A real processor for the enclosing describe, and a producer as other teams configure theirs: records up to 2 MB. */
function useProcessor(env: Record<string, string>): { p: RunningProcessor; producer: Producer } {
  const h = {} as { p: RunningProcessor; producer: Producer };
  beforeAll(async () => {
    h.p = await startProcessor(env);
    h.producer = createProducer(h.p.kafka, { librdkafka: { 'message.max.bytes': 2_000_000 } });
    await h.producer.connect();
  });
  afterAll(async () => {
    await h.producer?.disconnect();
    await h.p?.stop();
  });
  return h;
}

describe('a command record of about 1,000,000 bytes, value and headers', () => {
  const env = isolatedEnv('big-record', 1);
  const h = useProcessor(env);

  it('is dead-lettered without its value (key, headers, position kept) and the partition moves on', async () => {
    const bigKey = uniqueName('ORD-big');
    const value = Buffer.from(JSON.stringify({ type: 'CreateOrder', orderId: bigKey, junk: 'x'.repeat(600_000) }));
    // Value, key and headers 999,900 bytes: the dead letter's own headers take it over 1,000,000.
    const blob = 'h'.repeat(999_900 - value.length - Buffer.byteLength(bigKey) - 'x-blob'.length - 'x-team'.length - 'pricing'.length);
    await h.producer.send({ topic: env.TOPIC_COMMANDS!, messages: [{ key: bigKey, value, headers: { 'x-blob': blob, 'x-team': 'pricing' } }] });
    const after = Array.from({ length: 5 }, () => createOrder(uniqueName('ORD')));
    await h.producer.send({ topic: env.TOPIC_COMMANDS!, messages: after.map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });

    for (const c of after) expect((await waitFor(() => findOutcome(h.p.db, c.commandId), 60_000, `outcome of ${c.orderId}`)).status).toBe('applied');
    const [letter] = await consumeAll(h.p.kafka, env.TOPIC_DLQ!, 1, 'read_committed', 1000);
    expect(letter!.key).toBe(bigKey);
    expect(letter!.value.length).toBe(0);
    expect(letter!.headers).toMatchObject({
      'x-blob': blob,
      'x-team': 'pricing',
      [DLQ_HEADERS.valueOmitted]: String(value.length),
      [DLQ_HEADERS.sourceOffset]: '0',
      [DLQ_HEADERS.sourcePartition]: '0',
    });
    expect(h.p.processor.ready()).toMatchObject({ ready: true, reasons: [] });
  }, 120_000);
});

describe('a command whose event would be larger than PROCESSOR_MAX_RECORD_BYTES', () => {
  const env: Record<string, string> = { ...isolatedEnv('big-event', 1), PROCESSOR_MAX_RECORD_BYTES: '10000' };
  const h = useProcessor(env);

  const send = (c: Command) => h.producer.send({ topic: env.TOPIC_COMMANDS!, messages: [{ key: c.orderId, value: encodeCommandJson(c) }] });

  it('is rejected RECORD_TOO_LARGE (nothing stored), and the next command applies', async () => {
    const orderId = uniqueName('ORD');
    const items = Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, productName: 'P'.repeat(200), quantity: 1, price: { amount: 1, currency: 'USD' } }));
    const big = command('CreateOrder', orderId, { customerId: 'CUST-1', priority: 'standard', items, shippingAddress: { street: 'a', city: 'b', state: 'c', zipCode: '1', country: 'US' } });
    const small = createOrder(uniqueName('ORD'));
    await send(big);
    await send(small);
    const outcome = await waitFor(() => findOutcome(h.p.db, big.commandId), 60_000, 'outcome of the big create');
    expect(outcome).toMatchObject({ status: 'rejected', code: 'RECORD_TOO_LARGE' });
    expect(outcome.reason).toMatch(/more than the 10000 bytes/);
    expect(await ordersCollection(h.p.db).findOne({ _id: orderId })).toBeNull();
    expect((await waitFor(() => findOutcome(h.p.db, small.commandId), 60_000, 'outcome of the small create')).status).toBe('applied');
    expect(await consumeAll(h.p.kafka, env.TOPIC_DLQ!, 0, 'read_committed', 1000)).toEqual([]);
  }, 120_000);
});
