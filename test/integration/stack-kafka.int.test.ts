// Stack contract: the real broker with our librdkafka client — keyed produce/consume
// and transactions (commit is visible, abort is not, to a read_committed consumer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createProducer, ensureTopics, type Admin } from '../../src/shared/kafka.js';
import { consumeAll, values } from '../support/kafka-read.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

describe('Kafka broker (stack contract)', () => {
  const env = stackEnv();
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'stack-contract' });
  let admin: Admin;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  it('creates a 3-partition topic and round-trips keyed records', async () => {
    const topic = uniqueName('contract-keyed');
    await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta[0]!.partitions).toHaveLength(3);

    const producer = createProducer(kafka);
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `order-${i % 10}`, value: `v${i}` }));
    // send() turns the messages' strings into Buffers in place: give it copies.
    await producer.send({ topic, messages: sent.map((m) => ({ ...m })) });
    await producer.disconnect();

    const seen = await consumeAll(kafka, topic, sent.length, 'read_uncommitted', 1000);
    expect(values(seen)).toEqual(sent.map((s) => s.value).sort());
    // Same key → same partition, and per key the order of sending is kept.
    for (let k = 0; k < 10; k++) {
      const forKey = seen.filter((s) => s.key === `order-${k}`);
      expect(new Set(forKey.map((s) => s.partition)).size).toBe(1);
      expect(forKey.map((s) => s.value.toString())).toEqual(sent.filter((s) => s.key === `order-${k}`).map((s) => s.value));
    }
  });

  it('commits one transaction and aborts another; read_committed sees only the committed one', async () => {
    const topic = uniqueName('contract-tx');
    await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
    const producer = createProducer(kafka, { transactionalId: uniqueName('tx') });
    await producer.connect();

    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'a', value: 'committed-1' }, { key: 'b', value: 'committed-2' }] });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'a', value: 'aborted-1' }, { key: 'c', value: 'aborted-2' }] });
    await aborted.abort();
    await producer.disconnect();

    const readCommitted = await consumeAll(kafka, topic, 2, 'read_committed');
    expect(values(readCommitted)).toEqual(['committed-1', 'committed-2']);
    // The aborted records did reach the log: a read_uncommitted consumer sees them.
    const readUncommitted = await consumeAll(kafka, topic, 4, 'read_uncommitted');
    expect(values(readUncommitted)).toEqual(['aborted-1', 'aborted-2', 'committed-1', 'committed-2']);
  });
});
