// One measured step of `npm run bench`: a fresh edge and processor (child processes of the
// real entries), their own topics and database, an EventWatch on the events topic, and
// open-model load. `rateStep` runs a fixed rate and judges whether it is sustainable;
// `overloadStep` offers more than the maximum and times the processor's drain afterwards.
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { createKafka, ensureTopics } from '../src/shared/kafka.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { outcomesCollection } from '../src/shared/outcomes-collection.js';
import { EventWatch, percentiles, type Percentiles } from './event-watch.js';
import { loadAverage, type StepLoad } from './machine-facts.js';
import { openLoad, type LoadResult } from './open-load.js';
import { isolatedRunEnv } from './run-env.js';
import { startService, type ServiceProcess } from './service-process.js';
import type { StackEndpoints } from './stack-endpoints.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StepResult {
  offeredRate: number;
  seconds: number;
  orders: number;
  /** What the step was for: the rate search, the check of the maximum on the soak's database, half the maximum, the soak. */
  role?: 'search' | 'confirm' | 'half' | 'soak';
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
  rssMiB: { edge: { start: number; end: number }; processor: { start: number; end: number }; samples: RssSample[] };
  /** /proc/loadavg at the start and end of the step (warm-up excluded). */
  machineLoad: StepLoad;
}

export interface RssSample {
  t: number;
  edge: number;
  processor: number;
}

export interface OverloadResult {
  offeredRate: number;
  /** The maximum sustainable rate it is twice (or BENCH_OVERLOAD_FACTOR times) of. */
  maxRate: number;
  seconds: number;
  load: LoadResult;
  httpAcceptedPerSecond: number;
  /** 503 answers (shed) per second of load, and whether every one carried Retry-After. */
  shedPerSecond: number;
  shedWithRetryAfter: boolean;
  /** Accepted commands without their event when the load stopped. */
  backlogAtLoadEnd: number;
  /** Load end → the last accepted command's event; null when the drain did not finish within drainTimeoutSeconds. */
  drainSeconds: number | null;
  /** backlogAtLoadEnd / drainSeconds: the processor's rate while it drains. */
  drainPerSecond: number | null;
  drainTimeoutSeconds: number;
  /** Every accepted command (warm-up included) and its outcome: lost = accepted − outcomes stored, and events never seen. */
  accepted: number;
  outcomes: number;
  lost: number;
  unmatchedAfterDrain: number;
  rssMiB: { edge: { start: number; max: number; end: number }; processor: { start: number; max: number; end: number }; samples: RssSample[] };
  machineLoad: StepLoad;
}

export interface StepRunnerOptions {
  stack: StackEndpoints;
  admin: KafkaJS.Admin;
  runId: string;
  partitions: number;
  warmupSeconds: number;
  quick: boolean;
  cpuProfDir?: string | undefined;
  log(msg: string): void;
}

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

interface StepServices {
  env: Record<string, string>;
  edge: ServiceProcess;
  processor: ServiceProcess;
  watch: EventWatch;
  base: string;
}

export function stepRunner(o: StepRunnerOptions) {
  let stepNo = 0;

  /** Fresh topics, database, edge, processor and watch for `fn`; all removed afterwards. */
  async function withServices<T>(fn: (s: StepServices) => Promise<T>): Promise<T> {
    const id = `${o.runId}-s${++stepNo}`;
    const env = isolatedRunEnv(o.stack, id, o.partitions);
    const topics = [env.TOPIC_COMMANDS!, env.TOPIC_EVENTS!, env.TOPIC_OUTCOMES!, env.TOPIC_DLQ!];
    await ensureTopics(o.admin, topics.map((topic) => ({ topic, numPartitions: o.partitions })));
    const [processor, edge] = await Promise.all([startService('processor', env, o.cpuProfDir), startService('edge', env, o.cpuProfDir)]);
    const watch = new EventWatch(createKafka({ brokers: o.stack.KAFKA_BROKERS.split(','), clientId: `${id}-watch` }), env.TOPIC_EVENTS!, `${id}-watch`);
    try {
      await watch.start();
      return await fn({ env, edge, processor, watch, base: `http://127.0.0.1:${edge.port}` });
    } finally {
      await watch.stop().catch(() => undefined);
      await Promise.all([edge.stop(), processor.stop()]);
      await o.admin.deleteTopics({ topics }).catch(() => undefined);
      const mongo = createMongoClient(o.stack.MONGODB_URI);
      await mongo.connect();
      await mongo.db(env.MONGODB_DATABASE!).dropDatabase().catch(() => undefined);
      await mongo.close();
    }
  }

  /** Warm-up (JIT, connections, schema registration): matched, not recorded. Returns each order's next pool command. */
  async function warmUp(s: StepServices, rate: number, seconds: number): Promise<Map<string, 'validate' | 'modify'>> {
    const nextOf = new Map<string, 'validate' | 'modify'>();
    await openLoad({
      base: s.base,
      rate,
      seconds,
      onAccepted: (a) => {
        nextOf.set(a.orderId, a.kind === 'create' ? 'validate' : 'modify');
        s.watch.expect(a, false);
      },
    });
    while (s.watch.backlog > 0) await sleep(50);
    return nextOf;
  }

  /**
   * One fixed-rate step on a fresh edge, processor, topics and database. With `poolOrders`
   * the warm-up creates (about) that many orders and the step cycles validate/modify over
   * them, so the collection does not grow (the memory soak, and the check of the maximum
   * on a database of the soak's size).
   */
  function rateStep(rate: number, seconds: number, role: NonNullable<StepResult['role']>, poolOrders = 0): Promise<StepResult> {
    return withServices(async (s) => {
      const { edge, processor, watch } = s;
      const warmupSeconds = Math.max(o.warmupSeconds, (2 * poolOrders) / rate); // half the slots create
      const nextOf = await warmUp(s, rate, warmupSeconds);
      const pool = poolOrders > 0 ? nextOf : undefined;
      const matchedBefore = watch.matched;
      const loadStart = loadAverage();
      const samples: RssSample[] = [];
      const sample = () => samples.push({ t: Math.round((performance.now() - t0) / 1000), edge: edge.rssMiB(), processor: processor.rssMiB() });
      const t0 = performance.now();
      sample();
      const progress = setInterval(
        () => {
          const sec = (performance.now() - t0) / 1000;
          const done = watch.matched - matchedBefore;
          if (sec <= seconds + 1) sample();
          o.log(`  ${rate}/s t=${sec.toFixed(0)}s accepted ${watch.accepted} events ${watch.matched} backlog ${watch.backlog} (${Math.round(done / sec)}/s) p99 ${percentiles(watch.fromAccept).p99} ms`);
        },
        o.quick ? 2000 : 5000,
      );
      const load = await openLoad({ base: s.base, rate, seconds, ...(pool ? { pool } : {}), onAccepted: (a) => watch.expect(a) });
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
        role,
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
        machineLoad: { start: loadStart, end: loadAverage() },
      };
      o.log(
        `${rate}/s (${role}): ${result.sustainable ? 'sustainable' : 'NOT sustainable'} — http ${httpAcceptedPerSecond}/s, e2e ${e2ePerSecond}/s, ${processorBatches.count} partition batches of ${processorBatches.meanSize}, ${processorBatches.meanMs} ms per transaction, issued → committed ${processorBatches.meanIssuedToCommittedMs} ms mean, accept→event p50 ${result.fromAccept.p50} p99 ${result.fromAccept.p99} ms, tail ${result.tailMs} ms, unmatched ${result.unmatchedAfterDrain}, failed ${JSON.stringify(load.failed)}, skipped ${load.skipped}, load ${result.machineLoad.end[0]}`,
      );
      return result;
    });
  }

  /**
   * `rate` (above the maximum) for `seconds`, then no load until every accepted command's
   * event is seen (or `drainTimeoutSeconds`): how the edge sheds (503 + Retry-After) or
   * buffers, edge and processor RSS every second, the drain time and rate, and whether
   * every 202 got its outcome.
   */
  function overloadStep(rate: number, maxRate: number, seconds: number, drainTimeoutSeconds: number): Promise<OverloadResult> {
    return withServices(async (s) => {
      const { edge, processor, watch } = s;
      await warmUp(s, Math.max(1, Math.round(maxRate / 2)), o.warmupSeconds);
      const loadStart = loadAverage();
      const samples: RssSample[] = [];
      const t0 = performance.now();
      const sampler = setInterval(() => {
        samples.push({ t: Math.round((performance.now() - t0) / 1000), edge: edge.rssMiB(), processor: processor.rssMiB() });
        if (samples.length % (o.quick ? 2 : 5) === 0) o.log(`  overload ${rate}/s t=${samples.length}s accepted ${watch.accepted} events ${watch.matched} backlog ${watch.backlog} edge ${samples.at(-1)!.edge} MiB`);
      }, 1000);
      samples.push({ t: 0, edge: edge.rssMiB(), processor: processor.rssMiB() });
      const load = await openLoad({ base: s.base, rate, seconds, onAccepted: (a) => watch.expect(a) });
      const loadEnd = performance.now();
      const backlogAtLoadEnd = watch.backlog;
      const deadline = loadEnd + drainTimeoutSeconds * 1000;
      while (watch.backlog > 0 && performance.now() < deadline) await sleep(50);
      clearInterval(sampler);
      const drained = watch.backlog === 0;
      const drainSeconds = drained ? Math.max(0, watch.lastMatchAt - loadEnd) / 1000 : null;
      const mongo = createMongoClient(o.stack.MONGODB_URI);
      await mongo.connect();
      // The processor stores the outcome in the same transaction-ordered batch as the events; give the last write a moment.
      let outcomes = 0;
      for (let i = 0; i < 20; i++) {
        outcomes = await outcomesCollection(mongo.db(s.env.MONGODB_DATABASE!)).countDocuments();
        if (outcomes >= watch.accepted || !drained) break;
        await sleep(250);
      }
      await mongo.close();
      const shed = load.failed['503'] ?? 0;
      const series = (k: 'edge' | 'processor') => ({ start: samples[0]![k], max: Math.max(...samples.map((x) => x[k])), end: samples.at(-1)![k] });
      const result: OverloadResult = {
        offeredRate: rate,
        maxRate,
        seconds,
        load,
        httpAcceptedPerSecond: Math.round((load.accepted / (loadEnd - t0)) * 1000),
        shedPerSecond: Math.round((shed / (loadEnd - t0)) * 1000),
        shedWithRetryAfter: load.unavailableWithoutRetryAfter === 0,
        backlogAtLoadEnd,
        drainSeconds: drainSeconds === null ? null : Number(drainSeconds.toFixed(1)),
        drainPerSecond: drainSeconds ? Math.round(backlogAtLoadEnd / drainSeconds) : null,
        drainTimeoutSeconds,
        accepted: watch.accepted,
        outcomes,
        lost: Math.max(0, watch.accepted - outcomes),
        unmatchedAfterDrain: watch.backlog,
        rssMiB: { edge: series('edge'), processor: series('processor'), samples },
        machineLoad: { start: loadStart, end: loadAverage() },
      };
      o.log(
        `overload ${rate}/s for ${seconds} s: 202 ${result.httpAcceptedPerSecond}/s, 503 ${result.shedPerSecond}/s (Retry-After on all: ${result.shedWithRetryAfter}), failed ${JSON.stringify(load.failed)}, skipped ${load.skipped}; backlog ${backlogAtLoadEnd} drained in ${result.drainSeconds ?? `> ${drainTimeoutSeconds}`} s (${result.drainPerSecond ?? '?'}/s); accepted ${result.accepted}, outcomes ${outcomes}, lost ${result.lost}; edge RSS ${result.rssMiB.edge.start} → max ${result.rssMiB.edge.max} MiB`,
      );
      return result;
    });
  }

  return { rateStep, overloadStep };
}
