// One processor replica on preloaded commands next to its ceilings on the same servers,
// shared by `bench:processor` and `bench`:
//   - raw consume: the same topic read by a plain consumer (read_committed), no work;
//   - raw MongoDB: bulk upserts (replace by _id, PROCESSOR_MAX_BATCH per bulk: what one
//     processor group writes at most) of the same final order documents, one write per
//     command, straight into the same MongoDB server.
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { encodeCommandJson, type Command } from '../src/schemas/index.js';
import { loadConfig, type Config } from '../src/shared/config.js';
import { createKafka, createProducer, ensureTopics } from '../src/shared/kafka.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { ordersCollection, type OrderDocument } from '../src/shared/orders-collection.js';
import type { ProcessorMetrics } from '../src/processor/metrics.js';
import { startProcessor } from '../test/support/processor-harness.js';
import { isolatedRunEnv } from './run-env.js';
import { rateAfterFirstProgress, type Progress } from './steady-rate.js';
import type { StackEndpoints } from './stack-endpoints.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Configuration of one processor measurement (its own topics, database and group), with the environment it came from. */
export function processorRunConfig(stack: StackEndpoints, run: string, partitions: number): Config & { env: Record<string, string> } {
  const env = isolatedRunEnv(stack, run, partitions);
  return { ...loadConfig(env), env };
}

/** Writes `commands` (JSON, keyed by orderId, in array order) on a fresh commands topic. */
export async function preloadCommands(config: Config, commands: Command[]): Promise<void> {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.processor.instanceId}-loader` });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic: config.topics.commands, numPartitions: config.commandPartitions }]);
  await admin.disconnect();
  const producer = createProducer(kafka, { lingerMs: 20 });
  await producer.connect();
  for (let i = 0; i < commands.length; i += 1000) {
    await producer.send({ topic: config.topics.commands, messages: commands.slice(i, i + 1000).map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
  }
  await producer.disconnect();
}

/** Records/s of a plain read_committed consumer reading the whole commands topic. */
export async function rawConsume(config: Config, total: number): Promise<number> {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.processor.groupId}-raw` });
  const consumer = kafka.consumer({
    'isolation.level': 'read_committed',
    'js.consumer.max.batch.size': config.processor.maxBatchSize,
    kafkaJS: { groupId: `${config.processor.groupId}-raw`, fromBeginning: true, autoCommit: false },
  } as unknown as KafkaJS.ConsumerConstructorConfig);
  await consumer.connect();
  await consumer.subscribe({ topics: [config.topics.commands] });
  let seen = 0;
  let started = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (started === 0) started = performance.now();
      seen += batch.messages.length;
    },
  });
  while (seen < total) await sleep(20);
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return total / seconds;
}

/**
 * Command records the replica has handled and committed, from its own counter. Not a
 * count of MongoDB documents: FerretDB counts by reading the whole collection (8.6 s at
 * 36,000 outcomes), so polling it took most of a core from the run it measured, more
 * the longer the run (the lifecycle pair at 50,000 commands ran at a third of its rate).
 */
export async function handledCommands(metrics: ProcessorMetrics): Promise<number> {
  return (await metrics.commands.get()).values.reduce((n, v) => n + v.value, 0);
}

/**
 * Commands/s of one in-process processor replica, from its first committed batch until
 * every command has been handled (start-up is logged, not counted: see steady-rate.ts).
 */
export async function processorRun(config: Config & { env: Record<string, string> }, total: number, log: (msg: string) => void): Promise<number> {
  const t0 = performance.now();
  const p = await startProcessor(config.env);
  const samples: Progress[] = [{ ms: t0, done: 0 }];
  let lastLog = 0;
  while (samples.at(-1)!.done < total) {
    // Fine-grained: a 100 ms poll was up to 3 % of a 3 s run.
    await sleep(20);
    const now = performance.now();
    samples.push({ ms: now, done: await handledCommands(p.metrics) });
    if (now - lastLog > 5000) {
      lastLog = now;
      log(`processor: ${samples.at(-1)!.done}/${total} commands (${Math.round(samples.at(-1)!.done / ((now - t0) / 1000))}/s so far)`);
    }
  }
  await p.stop();
  const firstProgress = samples.find((s) => s.done > 0)!;
  log(`processor: start-up to first committed batch ${((firstProgress.ms - t0) / 1000).toFixed(2)} s (not counted)`);
  return rateAfterFirstProgress(samples);
}

/**
 * Documents/s of bulk upserts of the processor's final order documents (read back from
 * its database), `total` writes, into a fresh collection of the same database; then
 * drops that database.
 */
export async function rawMongo(config: Config, total: number): Promise<number> {
  const mongo = createMongoClient(config.mongodbUri);
  await mongo.connect();
  const docs = await ordersCollection(mongo.db(config.mongodbDatabase)).find({}).toArray();
  const target = mongo.db(config.mongodbDatabase).collection<OrderDocument>('raw_upserts');
  const t0 = performance.now();
  const bulk = config.processor.maxBatchSize;
  for (let written = 0; written < total; written += bulk) {
    const n = Math.min(bulk, total - written);
    await target.bulkWrite(
      Array.from({ length: n }, (_, i) => {
        const doc = docs[(written + i) % docs.length]!;
        return { replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } };
      }),
      { ordered: false },
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  await mongo.db(config.mongodbDatabase).dropDatabase();
  await mongo.close();
  return total / seconds;
}

/** "FerretDB …" or "MongoDB …" from buildInfo (the embedded FerretDB reports its version as "unknown"). */
export async function mongoServerName(uri: string): Promise<string> {
  const c = createMongoClient(uri);
  try {
    const info = await c.db('admin').command({ buildInfo: 1 });
    return 'ferretdbVersion' in info ? `FerretDB ${info.ferretdbVersion} (MongoDB wire ${info.version})` : `MongoDB ${info.version}`;
  } finally {
    await c.close();
  }
}
