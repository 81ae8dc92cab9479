// End-to-end benchmark (`npm run bench`): the real edge and one real processor as child
// processes on the local stack (started or reused), open-model load on POST
// /api/v1/orders + PUT …/validate at fixed rates, each command timed from its 202 (and
// from its scheduled send) to its event committed on the events topic (read_committed).
// Finds the maximum sustainable rate (ladder, then bisection), runs 15 s at half of it
// (the p99 target), then a memory soak at half of it cycling validate/modify over
// BENCH_SOAK_ORDERS orders (RSS of edge and processor from /proc), and measures the
// same-run baselines: the bare Fastify route with the same validation, Kafka's
// ProducerPerformance, raw MongoDB bulk upserts. Writes bench/results/<timestamp>.{json,md,svg}
// (the markdown appends bench/fixes.md).
//
//   npm run bench                      # full run, under ~10 minutes
//   npm run bench -- --quick           # short steps (or BENCH_QUICK=1)
//   BENCH_SOAK_SECONDS=600 npm run bench   # the 10-minute memory run at half the maximum
//   BENCH_RATES=100,200 BENCH_STEP_SECONDS=10 BENCH_PARTITIONS=6 …
//   BENCH_STEPS_ONLY=100 BENCH_CPU_PROF=/tmp/prof npm run bench   # profile one step
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createKafka, ensureTopics } from '../src/shared/kafka.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { command, createOrder } from '../test/support/commands.js';
import { edgeRunNames, measureEdge } from './edge-measure.js';
import { EventWatch, percentiles, type Percentiles } from './event-watch.js';
import { latencyPlotSvg } from './latency-plot.js';
import { machineFacts } from './machine-facts.js';
import { openLoad, type LoadResult } from './open-load.js';
import { preloadCommands, processorRun, processorRunConfig, rawMongo } from './processor-measure.js';
import { producerPerformance } from './producer-perf.js';
import { renderReport } from './e2e-report.js';
import { isolatedRunEnv } from './run-env.js';
import { startService } from './service-process.js';
import { stackEndpoints } from './stack-endpoints.js';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const num = (name: string, full: number, short: number) => Number(process.env[name] ?? (quick ? short : full));
const SETTINGS = {
  quick,
  rates: (process.env.BENCH_RATES ?? (quick ? '100,200,400' : '100,200,400,800,1600')).split(',').map(Number),
  stepSeconds: num('BENCH_STEP_SECONDS', 15, 6),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 3, 2),
  refineSteps: num('BENCH_REFINE_STEPS', 2, 1),
  soakSeconds: num('BENCH_SOAK_SECONDS', 60, 15),
  soakOrders: num('BENCH_SOAK_ORDERS', 500, 500),
  partitions: num('BENCH_PARTITIONS', 6, 6),
  edgeConnections: num('BENCH_CONNECTIONS', 32, 32),
  edgeSeconds: num('BENCH_EDGE_SECONDS', 10, 4),
  processorOrders: num('BENCH_PROC_ORDERS', 1000, 400),
  producerRecords: num('BENCH_PRODUCER_RECORDS', 100_000, 30_000),
  cpuProfDir: process.env.BENCH_CPU_PROF,
};
const runId = `bench-e2e-${Date.now().toString(36)}`;
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StepResult {
  offeredRate: number;
  seconds: number;
  orders: number;
  load: LoadResult;
  httpAcceptedPerSecond: number;
  e2ePerSecond: number;
  /** Time from the last scheduled send to the last event seen. */
  tailMs: number;
  unmatchedAfterDrain: number;
  sustainable: boolean;
  /** From the processor's /metrics at the end of the step (warm-up included). */
  processorBatches: { count: number; meanSize: number; meanMs: number; meanIssuedToCommittedMs: number };
  fromAccept: Percentiles;
  fromSend: Percentiles;
  http: Percentiles;
  rssMiB: { edge: { start: number; end: number }; processor: { start: number; end: number }; samples: { t: number; edge: number; processor: number }[] };
}

const stack = await stackEndpoints();
const admin = createKafka({ brokers: stack.KAFKA_BROKERS.split(','), clientId: `${runId}-admin` }).admin();
await admin.connect();
let stepNo = 0;

/** Processor batches so far: count, mean records, mean transaction time, mean issuedAt → committed (its own histograms). */
async function batchStats(port: number): Promise<StepResult['processorBatches']> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  const count = value('order_processor_batch_size_count');
  return {
    count,
    meanSize: Number((value('order_processor_batch_size_sum') / count).toFixed(1)),
    meanMs: Number(((value('order_processor_batch_duration_seconds_sum') / value('order_processor_batch_duration_seconds_count')) * 1000).toFixed(1)),
    meanIssuedToCommittedMs: Number(((value('order_processor_latency_seconds_sum') / value('order_processor_latency_seconds_count')) * 1000).toFixed(1)),
  };
}

/**
 * One fixed-rate step on a fresh edge, processor, topics and database. With `poolOrders`
 * the warm-up creates (about) that many orders and the step cycles validate/modify over
 * them, so the collection does not grow (the memory soak).
 */
async function rateStep(rate: number, seconds: number, poolOrders = 0): Promise<StepResult> {
  const id = `${runId}-s${++stepNo}`;
  const env = isolatedRunEnv(stack, id, SETTINGS.partitions);
  const topics = [env.TOPIC_COMMANDS!, env.TOPIC_EVENTS!, env.TOPIC_OUTCOMES!, env.TOPIC_DLQ!];
  await ensureTopics(admin, topics.map((topic) => ({ topic, numPartitions: SETTINGS.partitions })));
  const [processor, edge] = await Promise.all([startService('processor', env, SETTINGS.cpuProfDir), startService('edge', env, SETTINGS.cpuProfDir)]);
  const watch = new EventWatch(createKafka({ brokers: stack.KAFKA_BROKERS.split(','), clientId: `${id}-watch` }), env.TOPIC_EVENTS!, `${id}-watch`);
  try {
    await watch.start();
    const base = `http://127.0.0.1:${edge.port}`;
    // Warm-up (JIT, connections, schema registration): matched, not recorded.
    const nextOf = new Map<string, 'validate' | 'modify'>();
    const warmupSeconds = Math.max(SETTINGS.warmupSeconds, (2 * poolOrders) / rate); // half the slots create
    await openLoad({
      base,
      rate,
      seconds: warmupSeconds,
      onAccepted: (a) => {
        nextOf.set(a.orderId, a.kind === 'create' ? 'validate' : 'modify');
        watch.expect(a, false);
      },
    });
    while (watch.backlog > 0) await sleep(50);
    const pool = poolOrders > 0 ? nextOf : undefined;
    const matchedBefore = watch.matched;
    const samples: StepResult['rssMiB']['samples'] = [];
    const sample = () => samples.push({ t: Math.round((performance.now() - t0) / 1000), edge: edge.rssMiB(), processor: processor.rssMiB() });
    const t0 = performance.now();
    sample();
    const progress = setInterval(() => {
      const s = (performance.now() - t0) / 1000;
      const done = watch.matched - matchedBefore;
      if (s <= seconds + 1) sample();
      log(`  ${rate}/s t=${s.toFixed(0)}s accepted ${watch.accepted} events ${watch.matched} backlog ${watch.backlog} (${Math.round(done / s)}/s) p99 ${percentiles(watch.fromAccept).p99} ms`);
    }, quick ? 2000 : 5000);
    const load = await openLoad({ base, rate, seconds, ...(pool ? { pool } : {}), onAccepted: (a) => watch.expect(a) });
    const loadEnd = performance.now();
    const drainDeadline = loadEnd + Math.max(10_000, seconds * 1000);
    while (watch.backlog > 0 && performance.now() < drainDeadline) await sleep(50);
    clearInterval(progress);
    const end = { edge: edge.rssMiB(), processor: processor.rssMiB() };
    const processorBatches = await batchStats(processor.port);
    const recorded = watch.fromAccept.totalCount;
    const e2eSeconds = (Math.max(loadEnd, watch.lastMatchAt) - t0) / 1000;
    const httpAcceptedPerSecond = Math.round((load.accepted / (loadEnd - t0)) * 1000);
    const e2ePerSecond = Math.round(recorded / e2eSeconds);
    const failed = Object.values(load.failed).reduce((a, b) => a + b, 0);
    const result: StepResult = {
      offeredRate: rate,
      seconds,
      orders: pool ? pool.size : Math.ceil((rate * (seconds + warmupSeconds)) / 2),
      load,
      httpAcceptedPerSecond,
      e2ePerSecond,
      tailMs: Math.round(Math.max(0, watch.lastMatchAt - loadEnd)),
      unmatchedAfterDrain: watch.backlog,
      // Sustainable: every slot sent and accepted (≤ 1 % errors), the edge keeps ≥ 95 % of
      // the rate, and events keep ≥ 90 % of it end to end (the backlog does not grow).
      sustainable: load.skipped === 0 && failed <= load.scheduled * 0.01 && httpAcceptedPerSecond >= rate * 0.95 && e2ePerSecond >= rate * 0.9 && watch.backlog === 0,
      processorBatches,
      fromAccept: percentiles(watch.fromAccept),
      fromSend: percentiles(watch.fromSend),
      http: percentiles(watch.http),
      rssMiB: { edge: { start: samples[0]!.edge, end: end.edge }, processor: { start: samples[0]!.processor, end: end.processor }, samples },
    };
    log(
      `${rate}/s: ${result.sustainable ? 'sustainable' : 'NOT sustainable'} — http ${httpAcceptedPerSecond}/s, e2e ${e2ePerSecond}/s, ${processorBatches.count} partition batches of ${processorBatches.meanSize}, ${processorBatches.meanMs} ms per transaction, issued → committed ${processorBatches.meanIssuedToCommittedMs} ms mean, accept→event p50 ${result.fromAccept.p50} p99 ${result.fromAccept.p99} ms, tail ${result.tailMs} ms, unmatched ${result.unmatchedAfterDrain}, failed ${JSON.stringify(load.failed)}, skipped ${load.skipped}`,
    );
    return result;
  } finally {
    await watch.stop().catch(() => undefined);
    await Promise.all([edge.stop(), processor.stop()]);
    await admin.deleteTopics({ topics }).catch(() => undefined);
    const mongo = createMongoClient(stack.MONGODB_URI);
    await mongo.connect();
    await mongo.db(env.MONGODB_DATABASE!).dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}

/** Steps up the ladder until a rate is not sustainable, then bisects between the last good and the first bad rate. */
async function findMaxRate(steps: StepResult[]): Promise<number> {
  let good = 0;
  let bad = 0;
  for (const rate of SETTINGS.rates) {
    const r = await rateStep(rate, SETTINGS.stepSeconds);
    steps.push(r);
    if (!r.sustainable) {
      bad = rate;
      break;
    }
    good = rate;
  }
  if (bad === 0) return good;
  for (let i = 0; i < SETTINGS.refineSteps; i++) {
    const rate = Math.round((good + bad) / 2);
    if (rate === good || rate === bad) break;
    const r = await rateStep(rate, SETTINGS.stepSeconds);
    steps.push(r);
    if (r.sustainable) good = rate;
    else bad = rate;
  }
  return good;
}

async function edgeBaseline() {
  const edgeRun = `${runId.replace(/-/g, '_')}_edge`;
  const names = edgeRunNames(edgeRun);
  await ensureTopics(admin, [names.commands, names.outcomes].map((topic) => ({ topic, numPartitions: SETTINGS.partitions })));
  const env = { ...process.env, ...stack, COMMAND_PARTITIONS: String(SETTINGS.partitions) };
  try {
    const ceiling = await measureEdge('ceiling', edgeRun, SETTINGS.edgeConnections, SETTINGS.edgeSeconds, env);
    const kafka = await measureEdge('kafka', edgeRun, SETTINGS.edgeConnections, SETTINGS.edgeSeconds, env);
    return { connections: SETTINGS.edgeConnections, seconds: SETTINGS.edgeSeconds, ceiling, kafka, ratio: Number((kafka.requestsPerSecond / ceiling.requestsPerSecond).toFixed(3)) };
  } finally {
    await admin.deleteTopics({ topics: [names.commands, names.outcomes] }).catch(() => undefined);
    const mongo = createMongoClient(stack.MONGODB_URI);
    await mongo.connect();
    await mongo.db(names.database).dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}

/** The e2e command mix (create, then validate, per order) preloaded through one processor vs raw bulk upserts. */
async function processorBaseline() {
  const config = processorRunConfig(stack, `${runId}-proc`, SETTINGS.partitions);
  const orders = Array.from({ length: SETTINGS.processorOrders }, (_, i) => `ORD-${runId}-${i}`);
  const commands = [...orders.map((o) => createOrder(o)), ...orders.map((o) => command('ValidateOrder', o))];
  await preloadCommands(config, commands);
  const processorCps = await processorRun(config, commands.length, log);
  const mongoCps = await rawMongo(config, commands.length);
  await admin.deleteTopics({ topics: Object.values(config.topics) }).catch(() => undefined);
  return {
    orders: orders.length,
    commands: commands.length,
    processorCommandsPerSecond: Math.round(processorCps),
    rawMongoUpsertsPerSecond: Math.round(mongoCps),
    ratio: Number((processorCps / mongoCps).toFixed(3)),
  };
}

async function producerBaseline() {
  const topic = `${runId}.producer-perf`;
  await ensureTopics(admin, [{ topic, numPartitions: SETTINGS.partitions }]);
  try {
    // ~ the size of a CreateOrder command record (JSON).
    return await producerPerformance(stack.KAFKA_BROKERS, topic, SETTINGS.producerRecords, 600);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  }
}

// BENCH_STEPS_ONLY=r1,r2: just these rate steps (e.g. with BENCH_CPU_PROF to profile), no baselines, no files.
if (process.env.BENCH_STEPS_ONLY) {
  for (const rate of process.env.BENCH_STEPS_ONLY.split(',').map(Number)) await rateStep(rate, SETTINGS.stepSeconds);
  await admin.disconnect();
  process.exit(0);
}

const startedAt = new Date();
const machine = await machineFacts(stack.MONGODB_URI);
log(`run ${runId}${quick ? ' (quick)' : ''}: ${machine.cpus} cores, ${machine.memoryGiB} GiB, load ${machine.loadAverageAtStart.join(' ')}`);
log('baseline 1/3: edge vs bare Fastify route with the same validation');
const edgeBase = await edgeBaseline();
log(`  edge ${edgeBase.kafka.requestsPerSecond} req/s vs bare ${edgeBase.ceiling.requestsPerSecond} req/s → ${edgeBase.ratio}`);
log('baseline 2/3: Kafka ProducerPerformance');
const producer = await producerBaseline();
log(`  ${producer.recordsPerSecond} records/s (${producer.recordSize} B, ${producer.props.join(' ')})`);
log(`baseline 3/3: processor vs raw MongoDB bulk upserts (${SETTINGS.processorOrders} orders × create + validate)`);
const proc = await processorBaseline();
log(`  processor ${proc.processorCommandsPerSecond}/s vs raw upserts ${proc.rawMongoUpsertsPerSecond}/s → ${proc.ratio}`);

const steps: StepResult[] = [];
log(`rate ladder ${SETTINGS.rates.join(', ')}/s, ${SETTINGS.stepSeconds} s each (+${SETTINGS.warmupSeconds} s warm-up), fresh edge/processor/topics/database per step`);
const maxRate = await findMaxRate(steps);
log(`maximum sustainable rate: ${maxRate}/s`);
const halfRate = Math.max(1, Math.round(maxRate / 2));
log(`half the maximum: ${halfRate}/s for ${SETTINGS.stepSeconds} s (the latency target)`);
const half = await rateStep(halfRate, SETTINGS.stepSeconds);
log(`memory soak at half the maximum: ${halfRate}/s for ${SETTINGS.soakSeconds} s over ${SETTINGS.soakOrders} orders (validate ⇄ modify)`);
const soak = await rateStep(halfRate, SETTINGS.soakSeconds, SETTINGS.soakOrders);
await admin.disconnect();

const results = {
  runId,
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  settings: SETTINGS,
  machine,
  summary: {
    edgeRatio: edgeBase.ratio,
    processorRatio: proc.ratio,
    e2eP99Ms: half.fromAccept.p99,
    e2eP99FromSendMs: half.fromSend.p99,
    maxRateCps: maxRate,
    halfRateCps: halfRate,
    edgeVsProducerPerf: Number((edgeBase.kafka.requestsPerSecond / producer.recordsPerSecond).toFixed(3)),
    soakRssMiB: { seconds: SETTINGS.soakSeconds, edge: soak.rssMiB.edge, processor: soak.rssMiB.processor },
    targets: {
      edgeRatioAtLeast50pct: edgeBase.ratio >= 0.5,
      processorRatioAtLeast50pct: proc.ratio >= 0.5,
      e2eP99AtMost100ms: half.fromAccept.p99 <= 100,
    },
  },
  baselines: { edge: edgeBase, producerPerformance: producer, processor: proc },
  steps,
  half,
  soak,
};
const dir = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(dir, { recursive: true });
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
const svg = latencyPlotSvg(
  [...steps, half].map((s) => ({ x: s.e2ePerSecond, p50: s.fromAccept.p50, p99: s.fromAccept.p99, p99FromSend: s.fromSend.p99, sustainable: s.sustainable })),
  `order-service end to end, ${machine.cpus} cores, ${stamp.slice(0, 10)}`,
);
await writeFile(`${dir}${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(`${dir}${stamp}.svg`, svg);
await writeFile(`${dir}${stamp}.md`, renderReport(results, `${stamp}.svg`, await readFile(fileURLToPath(new URL('./fixes.md', import.meta.url)), 'utf8').catch(() => '')));
log(`wrote bench/results/${stamp}.{json,md,svg}`);
console.log(JSON.stringify(results.summary, null, 2));
process.exit(0);
