// Where one processor replica spends a batch's wall time, stage by stage, while commands
// (create, then validate, per order — the `bench` mix) arrive at a fixed rate. The CPU
// profile of the processor under `npm run bench` is ~95 % idle: it waits on MongoDB and
// Kafka, so wall time per stage, not self time, shows the bottleneck. Variants run
// back to back on the same servers for before/after comparisons:
//
//   npx tsx bench/processor-stages.ts                 # BENCH_RATE=100 BENCH_SECONDS=15
//   BENCH_VARIANTS=read-all,current npx tsx bench/processor-stages.ts
//   BENCH_STAGES_OUT=/tmp/before.json npx tsx bench/processor-stages.ts   # keep the numbers
//   npx tsx bench/processor-stages.ts --compare /tmp/before.json /tmp/after.json
//
// --compare prints each stage's mean ms per call and calls per transaction side by side
// (e.g. the code before and after a change, each run with BENCH_STAGES_OUT); a stage the
// code no longer has shows as —.
//
// Variants: `current`; `read-all` = every order read before applying, creates too (the
// processor before it assumed creates new); `serial` = one partition batch per
// transaction (the processor before it grouped them: it hands the consumer a
// concurrency of COMMAND_PARTITIONS, here 1).
//
// Wrapping the store and processor methods with timers is instrumentation, not a mock:
// every call still goes to the real servers.
import { readFileSync, writeFileSync } from 'node:fs';
import { BatchPipeline, type Batch } from '../src/processor/batch-pipeline.js';
import { BatchRunner, type OwnedBatch } from '../src/processor/batch-runner.js';
import { CommandProcessor } from '../src/processor/processor.js';
import { TransactionCommitter } from '../src/processor/committer.js';
import { OrderStore } from '../src/processor/order-store.js';
import { encodeCommandJson } from '../src/schemas/index.js';
import { createKafka, createProducer, ensureTopics } from '../src/shared/kafka.js';
import { command, createOrder } from '../test/support/commands.js';
import { startProcessor } from '../test/support/processor-harness.js';
import { handledCommands, processorRunConfig } from './processor-measure.js';
import { stackEndpoints } from './stack-endpoints.js';

const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'current').split(',');
const stats = new Map<string, { n: number; ms: number }>();
const STAGES = ['fetch', 'queue', 'process', 'load', 'loadOutcomes', 'write', 'recordHistory', 'recordOutcomes', 'encodeOutputs', 'commit'];

const addStat = (name: string, ms: number) => {
  const s = stats.get(name) ?? { n: 0, ms: 0 };
  s.n++;
  s.ms += ms;
  stats.set(name, s);
};

function timed(proto: object, name: string): void {
  const target = proto as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[name];
  if (typeof original !== 'function') return; // a stage this version of the processor does not have
  target[name] = async function (this: unknown, ...args: unknown[]) {
    const started = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      addStat(name, performance.now() - started);
    }
  };
}
for (const name of ['load', 'loadOutcomes', 'write', 'recordHistory', 'recordOutcomes']) timed(OrderStore.prototype, name);
for (const name of ['encodeOutputs', 'process']) timed(BatchPipeline.prototype, name);
timed(TransactionCommitter.prototype, 'commit');
// Before a batch is processed: produced → handed over by the consumer ('fetch'), and
// handed over → its group starts ('queue', waiting for the group before it).
const handedOver = new WeakMap<Batch, number>();
{
  const proto = CommandProcessor.prototype as unknown as Record<string, (owned: OwnedBatch) => Promise<void>>;
  const onBatch = proto.onBatch!;
  proto.onBatch = function (this: unknown, owned: OwnedBatch) {
    const first = owned.batch.messages[0] as { timestamp?: string } | undefined;
    if (first?.timestamp) addStat('fetch', Date.now() - Number(first.timestamp));
    handedOver.set(owned.batch, Date.now());
    return onBatch.call(this, owned);
  };
  const run = BatchRunner.prototype.run;
  BatchRunner.prototype.run = function (this: BatchRunner, owned: OwnedBatch[]) {
    for (const o of owned) {
      const at = handedOver.get(o.batch);
      if (at !== undefined) addStat('queue', Date.now() - at);
    }
    return run.call(this, owned);
  };
}
let readAll = false;
{
  const proto = BatchPipeline.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const timedProcess = proto.process!;
  proto.process = function (this: unknown, ...args: unknown[]) {
    return timedProcess.apply(this, readAll ? [args[0], false] : args);
  };
}

/** A variant: 'current', 'read-all' or 'serial'. */
async function runVariant(variant: string) {
  readAll = variant === 'read-all';
  stats.clear();
  const run = `bench-stages-${Date.now().toString(36)}`;
  const config = processorRunConfig(await stackEndpoints(), run, 6);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: run });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, Object.values(config.topics).map((topic) => ({ topic, numPartitions: config.commandPartitions })));
  const { db, stop, metrics } = await startProcessor({ ...config.env, ...(variant === 'serial' ? { COMMAND_PARTITIONS: '1' } : {}) });
  const producer = createProducer(kafka, { lingerMs: 1 });
  await producer.connect();
  const total = RATE * SECONDS;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const orderId = `ORD-${run}-${i >> 1}`;
    const c = i % 2 === 0 ? createOrder(orderId) : command('ValidateOrder', orderId);
    void producer.send({ topic: config.topics.commands, messages: [{ key: orderId, value: encodeCommandJson(c) }] });
    const due = t0 + ((i + 1) * 1000) / RATE;
    if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
  }
  while ((await handledCommands(metrics)) < total) await new Promise((r) => setTimeout(r, 100));
  const seconds = (performance.now() - t0) / 1000;
  const latency = (await metrics.latency.get()).values;
  const sum = latency.find((v) => v.metricName === 'order_processor_latency_seconds_sum')?.value ?? NaN;
  const count = latency.find((v) => v.metricName === 'order_processor_latency_seconds_count')?.value ?? NaN;
  await producer.disconnect();
  await admin.deleteTopics({ topics: Object.values(config.topics) }).catch(() => undefined);
  await admin.disconnect();
  await db.dropDatabase();
  await stop();
  const mean = (name: string) => {
    const s = stats.get(name);
    return s ? Number((s.ms / s.n).toFixed(1)) : 0;
  };
  return {
    variant,
    commandsPerSecond: Math.round(total / seconds),
    issuedToCommittedMs: Math.round((sum / count) * 1000),
    batches: stats.get('process')?.n ?? 0,
    meanBatch: Number((total / (stats.get('process')?.n ?? 1)).toFixed(1)),
    ms: Object.fromEntries(STAGES.map((n) => [n, mean(n)])),
    /** Calls per transaction of each stage (a stage called per partition batch or per record shows it). */
    callsPerTransaction: Object.fromEntries(STAGES.map((n) => [n, Number(((stats.get(n)?.n ?? 0) / Math.max(1, stats.get('process')?.n ?? 1)).toFixed(2))])),
    rate: RATE,
    seconds: SECONDS,
  };
}

type StagesResult = Awaited<ReturnType<typeof runVariant>>;

/** Before/after per stage: mean ms per call and calls per transaction, from two BENCH_STAGES_OUT files (their first variant each, or the same variant name). */
function compare(beforeFile: string, afterFile: string): void {
  const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as StagesResult[];
  const [before, after] = [read(beforeFile), read(afterFile)];
  for (const b of before) {
    const a = after.find((x) => x.variant === b.variant) ?? after[0]!;
    const fmt = (r: StagesResult, n: string) => (r.ms[n] === undefined || (r.ms[n] === 0 && !r.callsPerTransaction[n]) ? '—' : `${r.ms[n]} × ${r.callsPerTransaction[n]}`);
    console.log(`${b.variant} (${beforeFile}) → ${a.variant} (${afterFile}), ${b.rate}/s offered`);
    console.log('| | before | after |\n|---|---|---|');
    console.log(`| done /s | ${b.commandsPerSecond} | ${a.commandsPerSecond} |\n| issued → committed, mean ms | ${b.issuedToCommittedMs} | ${a.issuedToCommittedMs} |\n| records per transaction | ${b.meanBatch} | ${a.meanBatch} |`);
    for (const n of [...new Set([...Object.keys(b.ms), ...Object.keys(a.ms)])]) console.log(`| ${n}: ms per call × calls per transaction | ${fmt(b, n)} | ${fmt(a, n)} |`);
  }
}

if (process.argv[2] === '--compare') {
  compare(process.argv[3]!, process.argv[4]!);
  process.exit(0);
}

console.log(`${RATE} commands/s offered for ${SECONDS} s (create + validate per order), one processor, fresh topics and database per variant`);
console.log('| variant | done /s | issued → committed, mean ms | transactions | records/transaction | produced → handed over | → group starts | transaction ms | load | stored outcomes | write | history | outcomes | encode | commit |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const results: StagesResult[] = [];
for (const v of VARIANTS) {
  const r = await runVariant(v);
  results.push(r);
  console.log(`| ${r.variant} | ${r.commandsPerSecond} | ${r.issuedToCommittedMs} | ${r.batches} | ${r.meanBatch} | ${Object.values(r.ms).join(' | ')} |`);
}
if (process.env.BENCH_STAGES_OUT) {
  writeFileSync(process.env.BENCH_STAGES_OUT, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${process.env.BENCH_STAGES_OUT} (compare: npx tsx bench/processor-stages.ts --compare <before> <after>)`);
}
process.exit(0);
