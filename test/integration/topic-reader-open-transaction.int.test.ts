// Under read_committed an open transaction holds back a partition's end (its last stable
// offset): the operator tools' reader (rebuild, verify, dlq) must not take that for the
// end and stop early, nor wait forever — it reads on once the transaction ends.
import { describe, expect, it } from 'vitest';
import { createKafka, createProducer, createTopicReader, ensureTopics } from '../../src/shared/kafka.js';
import { highWatermarksOf, readTopic } from '../../src/tools/topic-reader.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

async function readAcross(end: 'commit' | 'abort'): Promise<{ values: string[]; records: number; heldBack: string[] }> {
  const { kafkaBrokers } = stackEnv();
  const topic = uniqueName('open-txn');
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'open-txn-test' });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
  const plain = createProducer(kafka);
  await plain.connect();
  await plain.send({ topic, messages: [{ key: 'k', value: 'before' }] });
  const txProducer = createProducer(kafka, { transactionalId: `${topic}-tx` });
  await txProducer.connect();
  const tx = await txProducer.transaction();
  await tx.send({ topic, messages: [{ key: 'k', value: 'in the transaction' }] });
  await plain.send({ topic, messages: [{ key: 'k', value: 'after, held back' }] });
  try {
    const values: string[] = [];
    const reading = readTopic(createTopicReader({ brokers: kafkaBrokers, clientId: 'open-txn-reader' }), topic, {
      highWatermarks: highWatermarksOf(admin, topic),
      onBatch: (batch) => void values.push(...batch.map((r) => r.value!.toString())),
    });
    let settled = false;
    void reading.finally(() => (settled = true)).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 3000));
    expect(settled).toBe(false); // at the last stable offset, not at the end
    const heldBack = [...values];
    await (end === 'commit' ? tx.commit() : tx.abort());
    const { records } = await reading;
    return { values, records, heldBack };
  } finally {
    await Promise.all([plain.disconnect(), txProducer.disconnect()]);
    await admin.disconnect();
  }
}

describe('readTopic and open transactions', () => {
  it('reads past a transaction that was open when it reached the end, once it commits', async () => {
    const r = await readAcross('commit');
    expect(r.heldBack).toEqual(['before']);
    expect(r).toMatchObject({ values: ['before', 'in the transaction', 'after, held back'], records: 3 });
  }, 60_000);

  it('and once it aborts, without its records', async () => {
    const r = await readAcross('abort');
    expect(r).toMatchObject({ values: ['before', 'after, held back'], records: 2 });
  }, 60_000);
});
