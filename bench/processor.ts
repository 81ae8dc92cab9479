// Benchmark of one processor replica: preloads BENCH_ORDERS × 5 lifecycle commands on a
// fresh commands topic, then measures commands/s until every command has its outcome,
// next to the raw consume and raw MongoDB bulk-upsert ceilings of bench/processor-measure.ts,
// measured in the same run on the same servers. Uses the local stack (started if needed)
// or KAFKA_BROKERS/SCHEMA_REGISTRY_URL/MONGODB_URI.
//
//   npm run bench:processor          # BENCH_ORDERS=2000 (10,000 commands) by default
import { mkdir, writeFile } from 'node:fs/promises';
import { lifecycle } from '../test/support/commands.js';
import { mongoServerName, preloadCommands, processorRun, processorRunConfig, rawConsume, rawMongo } from './processor-measure.js';
import { stackEndpoints } from './stack-endpoints.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 2000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 6);
const run = `bench-proc-${Date.now().toString(36)}`;
const stack = await stackEndpoints();
const config = processorRunConfig(stack, run, PARTITIONS);
const log = (msg: string) => process.stderr.write(`[bench:processor] ${msg}\n`);

const orders = Array.from({ length: ORDERS }, (_, i) => lifecycle(`ORD-${run}-${i}`));
const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
const total = commands.length;
await preloadCommands(config, commands);
log(`preloaded ${total} commands on ${PARTITIONS} partitions`);
const consumeCps = await rawConsume(config, total);
log(`raw consume: ${Math.round(consumeCps)} records/s`);
const processorCps = await processorRun(config, total, log);
log(`processor: ${Math.round(processorCps)} commands/s`);
const mongoCps = await rawMongo(config, total);
log(`raw MongoDB bulk upserts: ${Math.round(mongoCps)} documents/s`);

const result = {
  at: new Date().toISOString(),
  commands: total,
  orders: ORDERS,
  partitions: PARTITIONS,
  mongo: await mongoServerName(config.mongodbUri),
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
