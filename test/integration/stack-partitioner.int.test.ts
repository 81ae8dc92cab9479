// Stack contract: our producer (librdkafka + murmur2_random) and Kafka's own Java
// console producer put the same keys on the same partitions, so services that write
// commands straight to Kafka from Java and our edge agree on per-order ordering.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaLibs } from '../../stack/provision.mjs';
import { findJava } from '../../stack/system.mjs';
import { createKafka, createProducer, ensureTopics, type Admin } from '../../src/shared/kafka.js';
import { consumeAll } from '../support/kafka-read.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

function javaConsoleProduce(brokers: string, topic: string, lines: string[]): Promise<void> {
  const java = findJava(17, 'KAFKA_JAVA_HOME', 'Kafka console producer');
  const child = spawn(java, [
    '-cp', `${kafkaLibs()}/*`, 'org.apache.kafka.tools.ConsoleProducer',
    '--bootstrap-server', brokers, '--topic', topic,
    '--property', 'parse.key=true', '--property', 'key.separator=\t',
  ], { stdio: ['pipe', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end(lines.join('\n') + '\n');
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ConsoleProducer exited ${code}: ${stderr}`)))),
  );
}

describe('partitioner compatibility with Java clients (stack contract)', () => {
  const env = stackEnv();
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'stack-contract' });
  let admin: Admin;
  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(() => admin.disconnect());

  it('maps the same keys to the same partitions as the Java console producer', async () => {
    const keys = [
      ...Array.from({ length: 60 }, (_, i) => `ORD-${i}`),
      'ORD-0193a1b2c3d4', 'a', 'order_with-underscore', 'Zürich-Ω-订单', 'x'.repeat(64),
    ];
    const ours = uniqueName('partitioner-ours');
    const java = uniqueName('partitioner-java');
    await ensureTopics(admin, [{ topic: ours, numPartitions: 7 }, { topic: java, numPartitions: 7 }]);

    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic: ours, messages: keys.map((key) => ({ key, value: 'ours' })) });
    await producer.disconnect();
    await javaConsoleProduce(env.kafkaBrokers.join(','), java, keys.map((key) => `${key}\tjava`));

    const partitionsOf = async (topic: string) =>
      new Map((await consumeAll(kafka, topic, keys.length, 'read_uncommitted', 1000)).map((s) => [s.key, s.partition]));
    const byOurs = await partitionsOf(ours);
    const byJava = await partitionsOf(java);
    expect(byOurs.size).toBe(keys.length);
    expect(byJava.size).toBe(keys.length);
    for (const key of keys) expect({ key, partition: byOurs.get(key) }).toEqual({ key, partition: byJava.get(key) });
    // The keys really spread: a constant partitioner would pass the comparison trivially.
    expect(new Set(byOurs.values()).size).toBeGreaterThan(3);
  });
});
