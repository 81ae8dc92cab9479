// `npm run bench:rebuild`: how fast `order-service rebuild` restores the database from the
// events topic, next to what bounds it, in the same run on the same servers:
//   raw consume   the same topic read to its end by the same reader, nothing done per record
//   bulk write    history-sized documents inserted in the rebuild's chunks (WRITE_CHUNK)
//   rebuild       the real thing (orders, history, checkpoints, outcomes phase, indexes)
// The log is made by the real domain (lifecycle orders plus a few hot orders) and encoded
// through the real registry. REBUILD_BENCH_EVENTS (default 20,000) sets its size; the
// time for a million events is extrapolated from the rebuild rate (linear: every event
// costs the same — one fold, its share of a chunk write).
import { mkdirSync, writeFileSync } from 'node:fs';
import { handle, initialState, timelineEntryOf, type OrderState } from '../src/domain/index.js';
import { AvroEncoder, type Command, type OrderEvent } from '../src/schemas/index.js';
import { eventMessage } from '../src/processor/messages.js';
import { loadConfig } from '../src/shared/config.js';
import { createKafka, createProducer, createTopicReader, ensureTopics } from '../src/shared/kafka.js';
import type { HistoryDocument } from '../src/shared/history-collection.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { createRegistry, schemaRegistrar } from '../src/shared/registry.js';
import { rebuild } from '../src/tools/rebuild.js';
import { WRITE_CHUNK } from '../src/tools/rebuild-target.js';
import { highWatermarksOf, readTopic } from '../src/tools/topic-reader.js';
import { hotOrder } from '../test/support/command-feed.js';
import { command, lifecycle } from '../test/support/commands.js';
import { uniqueName } from '../test/support/stack-env.js';
import { stackEndpoints } from './stack-endpoints.js';

const EVENTS = Number(process.env.REBUILD_BENCH_EVENTS ?? 20_000);
const PARTITIONS = 6;

/** Orders of about seven events (lifecycle to completed) and two hot orders, until `events` events. */
function makeLog(events: number): OrderEvent[] {
  const log: OrderEvent[] = [];
  const apply = (commands: Command[]) => {
    let state: OrderState = initialState;
    for (const c of commands) {
      const r = handle(state, c);
      state = r.state;
      log.push(...r.events);
    }
  };
  for (let h = 0; h < 2; h++) apply(hotOrder(`ORD-bench-hot-${h}`, Math.floor(events / 20)));
  for (let i = 0; log.length < events; i++) {
    const id = `ORD-bench-${i}`;
    apply([...lifecycle(id), command('MarkShipped', id, { trackingNumber: `T${i}`, carrier: 'UPS' } as never), command('CompleteOrder', id, { deliveredAt: '2026-01-01T00:00:00Z' } as never)]);
  }
  return log.slice(0, events);
}

async function main(): Promise<void> {
  const endpoints = await stackEndpoints();
  const id = uniqueName('bench-rebuild');
  const env = { ...endpoints, TOPIC_EVENTS: `${id}.events`, TOPIC_OUTCOMES: `${id}.outcomes`, TOPIC_COMMANDS: `${id}.commands`, MONGODB_DATABASE: id.replace(/[^A-Za-z0-9_]/g, '_'), PROCESSOR_GROUP_ID: `${id}-group` };
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'bench-rebuild' });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [config.topics.commands, config.topics.events, config.topics.outcomes].map((topic) => ({ topic, numPartitions: PARTITIONS })));
  await admin.disconnect();

  const log = makeLog(EVENTS);
  const encoder = new AvroEncoder(schemaRegistrar(createRegistry(config.schemaRegistryUrl)));
  const producer = createProducer(kafka, { lingerMs: 20 });
  await producer.connect();
  for (let i = 0; i < log.length; i += 2000) {
    const messages = await Promise.all(log.slice(i, i + 2000).map((e) => eventMessage(encoder, config.topics.events, '/bench', e)));
    await producer.send({ topic: config.topics.events, messages });
  }
  await producer.disconnect();
  const orders = new Set(log.map((e) => e.orderId)).size;
  console.log(`log: ${log.length} events of ${orders} orders on ${PARTITIONS} partitions`);

  const reader = () => createTopicReader({ brokers: config.kafkaBrokers, clientId: 'bench-rebuild-raw', security: config.kafkaSecurity });
  const watermarks = kafka.admin();
  await watermarks.connect();
  let t = performance.now();
  const raw = await readTopic(reader(), config.topics.events, { highWatermarks: highWatermarksOf(watermarks, config.topics.events), onBatch: () => undefined });
  const rawSeconds = (performance.now() - t) / 1000;
  await watermarks.disconnect();

  const mongo = createMongoClient(config.mongodbUri);
  await mongo.connect();
  const scratch = mongo.db(`${env.MONGODB_DATABASE}_bulk`).collection<HistoryDocument>('history_like');
  const docs = log.map((e) => ({ _id: `${e.orderId}/${e.version}`, orderId: e.orderId, ...timelineEntryOf(e) }));
  t = performance.now();
  for (let i = 0; i < docs.length; i += WRITE_CHUNK) await scratch.insertMany(docs.slice(i, i + WRITE_CHUNK), { ordered: false });
  const bulkSeconds = (performance.now() - t) / 1000;
  await scratch.db.dropDatabase();

  t = performance.now();
  const summary = await rebuild(config, { database: config.mongodbDatabase, replace: false, readModel: false, chunkEvents: 5000, progressEveryMs: 0 });
  const rebuildSeconds = (performance.now() - t) / 1000;
  await mongo.db(config.mongodbDatabase).dropDatabase();
  await mongo.close();
  const cleanup = kafka.admin();
  await cleanup.connect();
  await cleanup.deleteTopics({ topics: [config.topics.commands, config.topics.events, config.topics.outcomes] }).catch(() => undefined);
  await cleanup.disconnect();

  const rawRate = raw.records / rawSeconds;
  const bulkRate = docs.length / bulkSeconds;
  const rebuildRate = summary.events / rebuildSeconds;
  const result = {
    at: new Date().toISOString(),
    events: summary.events,
    orders: summary.orders,
    partitions: PARTITIONS,
    rawConsume: { seconds: rawSeconds, eventsPerSecond: rawRate },
    bulkWrite: { seconds: bulkSeconds, docsPerSecond: bulkRate, chunk: WRITE_CHUNK },
    rebuild: { seconds: rebuildSeconds, eventsPerSecond: rebuildRate },
    rebuildVsRawConsume: rebuildRate / rawRate,
    rebuildVsBulkWrite: rebuildRate / bulkRate,
    millionEventsMinutes: 1_000_000 / rebuildRate / 60,
  };
  const r = (n: number) => Math.round(n).toLocaleString('en-US');
  const table = [
    `| measure | seconds | rate |`,
    `| --- | --- | --- |`,
    `| raw consume (read_committed, nothing per record) | ${rawSeconds.toFixed(2)} | ${r(rawRate)} events/s |`,
    `| bulk write (history documents, ${WRITE_CHUNK} per insert) | ${bulkSeconds.toFixed(2)} | ${r(bulkRate)} docs/s |`,
    `| rebuild (${r(summary.events)} events, ${r(summary.orders)} orders) | ${rebuildSeconds.toFixed(2)} | ${r(rebuildRate)} events/s |`,
    '',
    `rebuild / raw consume: ${(100 * result.rebuildVsRawConsume).toFixed(0)} %; rebuild / bulk write: ${(100 * result.rebuildVsBulkWrite).toFixed(0)} %; 1,000,000 events: about ${result.millionEventsMinutes.toFixed(1)} min`,
  ].join('\n');
  console.log(table);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const name = `rebuild-${result.at.replace(/[:.]/g, '-')}`;
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(new URL(`${name}.md`, dir), `# order-service rebuild, ${result.at}\n\n${table}\n`);
}

await main();
