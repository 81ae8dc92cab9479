// Writes command records straight to a commands topic, as another service would (JSON).
import { encodeCommandJson, type Command, type HttpBody } from '../../src/schemas/index.js';
import type { Config } from '../../src/shared/config.js';
import { createProducer, ensureTopics, type Kafka, type Producer } from '../../src/shared/kafka.js';
import { command, createOrder } from './commands.js';

/** Creates the commands topic (so records can be written before any processor starts). */
export async function ensureCommandsTopic(kafka: Kafka, config: Config): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic: config.topics.commands, numPartitions: config.commandPartitions }]);
  await admin.disconnect();
}

export async function produceCommands(kafka: Kafka, topic: string, commands: Command[], chunk = 500): Promise<void> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    await sendCommands(producer, topic, commands, chunk);
  } finally {
    await producer.disconnect();
  }
}

/** Writes commands (JSON, keyed by orderId) through a producer the caller connected. */
export async function sendCommands(producer: Producer, topic: string, commands: Command[], chunk = 500): Promise<void> {
  for (let i = 0; i < commands.length; i += chunk) {
    await producer.send({ topic, messages: commands.slice(i, i + chunk).map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
  }
}

/** A hot order: its create, then `modifications` ModifyOrders back to back. */
export function hotOrder(orderId: string, modifications: number): Command[] {
  return [
    createOrder(orderId),
    ...Array.from({ length: modifications }, (_, i) => command('ModifyOrder', orderId, { priority: i % 2 === 0 ? 'same_day' : 'standard' } as HttpBody<'ModifyOrder'>)),
  ];
}

/** One transaction of commands, and whether it commits or aborts. */
export interface CommandTransaction {
  commands: Command[];
  commit: boolean;
}

/**
 * Writes commands in Kafka transactions, as an exactly-once upstream (Kafka Streams, a
 * Java service) would: each commit or abort leaves a control record in every partition
 * it wrote, an offset no consumer receives; aborted records are never delivered.
 */
export async function produceTransactions(kafka: Kafka, topic: string, transactionalId: string, transactions: CommandTransaction[]): Promise<void> {
  const producer = createProducer(kafka, { transactionalId });
  await producer.connect();
  try {
    for (const { commands, commit } of transactions) {
      const tx = await producer.transaction();
      await tx.send({ topic, messages: commands.map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
      await (commit ? tx.commit() : tx.abort());
    }
  } finally {
    await producer.disconnect();
  }
}
