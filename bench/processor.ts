// Benchmark of one processor replica: preloads BENCH_ORDERS × 5 lifecycle commands on a
// fresh commands topic, then measures commands/s until every command has its outcome,
// next to two ceilings measured in the same run on the same servers:
//   - raw consume: the same topic read by a plain consumer (read_committed), no work;
//   - raw MongoDB: bulk upserts (replace by _id, 50 per bulk — FerretDB v1.24 hangs on
//     100 or more) of the same final order documents, one write per command, straight
//     into the same MongoDB server.
// Needs the local stack (`npm run stack:up`) or KAFKA_BROKERS/SCHEMA_REGISTRY_URL/MONGODB_URI.
//
//   npm run bench:processor          # BENCH_ORDERS=2000 (10,000 commands) by default
import { mkdir, writeFile } from 'node:fs/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { pino } from 'pino';
import { CommandProcessor } from '../src/processor/processor.js';
import { createProcessorMetrics } from '../src/processor/metrics.js';
import { encodeCommandJson } from '../src/schemas/index.js';
import { loadConfig } from '../src/shared/config.js';
import { createKafka, createProducer, ensureTopics } from '../src/shared/kafka.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { ordersCollection, type OrderDocument } from '../src/shared/orders-collection.js';
import { outcomesCollection } from '../src/shared/outcomes-collection.js';
import { createRegistry, schemaResolver } from '../src/shared/registry.js';
import { lifecycle } from '../test/support/commands.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 2000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 6);
const run = `bench-proc-${Date.now().toString(36)}`;
const config = loadConfig({
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  MONGODB_URI: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/',
  MONGODB_DATABASE: run.replace(/-/g, '_'),
  TOPIC_COMMANDS: `${run}.commands`,
  TOPIC_EVENTS: `${run}.events`,
  TOPIC_OUTCOMES: `${run}.outcomes`,
  TOPIC_DLQ: `${run}.dlq`,
  COMMAND_PARTITIONS: String(PARTITIONS),
  PROCESSOR_GROUP_ID: `${run}-group`,
  PROCESSOR_INSTANCE_ID: `${run}-p1`,
  LOG_LEVEL: 'warn',
});
const log = (msg: string) => process.stderr.write(`[bench:processor] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function preload(total: number) {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${run}-loader` });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic: config.topics.commands, numPartitions: PARTITIONS }]);
  await admin.disconnect();
  const orders = Array.from({ length: ORDERS }, (_, i) => lifecycle(`ORD-${run}-${i}`));
  const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
  const producer = createProducer(kafka, { lingerMs: 20 });
  await producer.connect();
  for (let i = 0; i < commands.length; i += 1000) {
    await producer.send({ topic: config.topics.commands, messages: commands.slice(i, i + 1000).map((c) => ({ key: c.orderId, value: encodeCommandJson(c) })) });
  }
  await producer.disconnect();
  log(`preloaded ${total} commands on ${PARTITIONS} partitions`);
}

async function rawConsume(total: number): Promise<number> {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${run}-raw` });
  const consumer = kafka.consumer({
    'isolation.level': 'read_committed',
    'js.consumer.max.batch.size': config.processor.maxBatchSize,
    kafkaJS: { groupId: `${run}-raw`, fromBeginning: true, autoCommit: false },
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

async function processorRun(total: number): Promise<number> {
  const mongo = createMongoClient(config.mongodbUri);
  await mongo.connect();
  const db = mongo.db(config.mongodbDatabase);
  const processor = new CommandProcessor({
    config,
    options: config.processor,
    kafka: createKafka({ brokers: config.kafkaBrokers, clientId: `${run}-p1` }),
    db,
    registry: createRegistry(config.schemaRegistryUrl),
    resolver: schemaResolver(config.schemaRegistryUrl),
    logger: pino({ level: 'warn' }),
    metrics: createProcessorMetrics(),
  });
  const t0 = performance.now();
  await processor.start();
  let done = 0;
  let lastLog = 0;
  while (done < total) {
    await sleep(500);
    done = await outcomesCollection(db).estimatedDocumentCount();
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(`processor: ${done}/${total} commands (${Math.round(done / ((performance.now() - t0) / 1000))}/s so far)`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  await processor.stop();
  await mongo.close();
  return total / seconds;
}

async function rawMongo(total: number): Promise<number> {
  const mongo = createMongoClient(config.mongodbUri);
  await mongo.connect();
  const docs = await ordersCollection(mongo.db(config.mongodbDatabase)).find({}).toArray();
  const target = mongo.db(config.mongodbDatabase).collection<OrderDocument>('raw_upserts');
  const t0 = performance.now();
  for (let written = 0; written < total; written += 50) {
    const n = Math.min(50, total - written);
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

const total = ORDERS * 5;
await preload(total);
const consumeCps = await rawConsume(total);
log(`raw consume: ${Math.round(consumeCps)} records/s`);
const processorCps = await processorRun(total);
log(`processor: ${Math.round(processorCps)} commands/s`);
const mongoCps = await rawMongo(total);
log(`raw MongoDB bulk upserts: ${Math.round(mongoCps)} documents/s`);

const result = {
  at: new Date().toISOString(),
  commands: total,
  orders: ORDERS,
  partitions: PARTITIONS,
  mongo: (await (async () => {
    const c = createMongoClient(config.mongodbUri);
    const info = await c.db('admin').command({ buildInfo: 1 });
    await c.close();
    return 'ferretdbVersion' in info ? `FerretDB ${info.ferretdbVersion}` : `MongoDB ${info.version}`;
  })()),
  processorCommandsPerSecond: Math.round(processorCps),
  rawConsumeRecordsPerSecond: Math.round(consumeCps),
  rawMongoUpsertsPerSecond: Math.round(mongoCps),
  processorVsMongo: Number((processorCps / mongoCps).toFixed(3)),
  processorVsConsume: Number((processorCps / consumeCps).toFixed(3)),
};
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/processor-latest.json', `${JSON.stringify(result, null, 2)}\n`);
console.log(`
| path | per second |
|---|---|
| processor (1 replica) | ${result.processorCommandsPerSecond} commands |
| raw consume of the same topic | ${result.rawConsumeRecordsPerSecond} records |
| raw bulk upserts into ${result.mongo} | ${result.rawMongoUpsertsPerSecond} documents |

processor / raw MongoDB = ${result.processorVsMongo}, processor / raw consume = ${result.processorVsConsume}`);
process.exit(0);
