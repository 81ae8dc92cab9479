// One measured step of `npm run bench`: a fresh edge and processor (child processes of the
// real entries), their own topics and database, an EventWatch on the events topic, and
// open-model load. `rateStep` runs a fixed rate and judges whether it is sustainable;
// `overloadStep` offers more than the maximum and times the processor's drain afterwards.
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { createKafka, ensureTopics } from '../src/shared/kafka.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { countOutcomes } from '../src/shared/command-outcomes.js';
import os from 'node:os';
import { EventWatch, percentiles, type Percentiles } from './event-watch.js';
import { backlogGrowthPerSecond, holdsAt, keepsUp } from './hold-criterion.js';
import { internalLogBytes, kafkaLogOf, topicLogBytes } from './kafka-log-bytes.js';
import { loadAverage, type StepLoad } from './machine-facts.js';
import { databaseBytes, mongoPerCommand, type CollectionBytes, type MongoPerCommand } from './mongo-bytes.js';
import { openLoad, type LoadResult } from './open-load.js';
import { cpuBetween, readCpu, ticksPerSecond, type CpuUsage } from './proc-cpu.js';
import { isolatedRunEnv } from './run-env.js';
import { startService, type ServiceProcess } from './service-process.js';
import { stackProcesses } from './stack-processes.js';
import type { StackEndpoints } from './stack-endpoints.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StepResult {
  offeredRate: number;
  seconds: number;
  orders: number;
  /** What the step was for: the rate search, the check of the maximum on the soak's database, half the maximum, the soak. */
  role?: 'search' | 'confirm' | 'half' | 'soak' | 'scale';
  load: LoadResult;
  httpAcceptedPerSecond: number;
  e2ePerSecond: number;
  /** Time from the last scheduled send to the last event seen. */
  tailMs: number;
  unmatchedAfterDrain: number;
  /** Keeps up with the rate (bench/hold-criterion.ts `keepsUp`), whatever the latency. */
  sustainable: boolean;
  /** Holds at each p99 bound in ms (keeps up and p99 202 → event within it). */
  holds: Record<string, boolean>;
  /** Accepted commands without their event, every second of the load. */
  backlog: { t: number; backlog: number }[];
  backlogGrowthPerSecond: number;
  replicas: { processors: number; edges: number };
  /** From the processors' /metrics at the end of the step (warm-up included), summed over replicas. */
  processorBatches: ProcessorBatches;
  /** CPU per process from the end of the warm-up to the end of the drain; idle = cores each used before any load. */
  cpu: CpuUsage & { idleCores: Record<string, number | null>; commands: number; msPerCommand: Record<string, number | null> };
  /** Bytes per command into Kafka and MongoDB (steps run with `costs`). */
  bytes?: StepBytes;
  fromAccept: Percentiles;
  fromSend: Percentiles;
  http: Percentiles;
  rssMiB: { edge: { start: number; end: number }; processor: { start: number; end: number }; samples: RssSample[] };
  /** /proc/loadavg at the start and end of the step (warm-up excluded). */
  machineLoad: StepLoad;
}

export interface ProcessorBatches {
  /** Partition batches. */
  count: number;
  /** Transactions (one per group of partition batches). */
  transactions: number;
  meanSize: number;
  /** Mean time of one transaction, ms. */
  meanMs: number;
  meanIssuedToCommittedMs: number;
}

export interface StepBytes {
  commands: number;
  /** *.log bytes per command of each of the step's topics, and of the internal partitions its group writes to (upper bounds: shared). */
  kafkaPerCommand: { commands: number; events: number; outcomes: number; dlq: number; offsets: number; transactionState: number } | null;
  mongo: { collections: Record<string, CollectionBytes>; perCommand: MongoPerCommand };
}

export interface StepShape {
  processors?: number;
  edges?: number;
  /** Measure bytes per command into Kafka and MongoDB at the end of the step. */
  costs?: boolean;
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
  /** Seconds of CPU sampling before each step's warm-up: each process's idle use, subtracted from its cost per command. */
  idleSeconds: number;
  quick: boolean;
  cpuProfDir?: string | undefined;
  log(msg: string): void;
}

/** Processor batches so far over every replica: count, transactions, mean records, mean transaction time, mean issuedAt → committed (their own histograms). */
async function batchStats(ports: number[]): Promise<ProcessorBatches> {
  const texts = await Promise.all(ports.map(async (port) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()));
  const value = (name: string) => texts.reduce((s, text) => s + Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN), 0);
  const count = value('order_processor_batch_size_count');
  return {
    count,
    transactions: value('order_processor_batch_duration_seconds_count'),
    meanSize: Number((value('order_processor_batch_size_sum') / count).toFixed(1)),
    meanMs: Number(((value('order_processor_batch_duration_seconds_sum') / value('order_processor_batch_duration_seconds_count')) * 1000).toFixed(1)),
    meanIssuedToCommittedMs: Number(((value('order_processor_latency_seconds_sum') / value('order_processor_latency_seconds_count')) * 1000).toFixed(1)),
  };
}

interface StepServices {
  env: Record<string, string>;
  /** The first edge and processor (RSS is sampled on them). */
  edge: ServiceProcess;
  processor: ServiceProcess;
  edges: ServiceProcess[];
  processors: ServiceProcess[];
  watch: EventWatch;
  bases: string[];
  /** Pids per process name for CPU accounting: the stack's servers found here, edge(s), processor(s), the load generator (this process). */
  pids: Record<string, number[]>;
}

export function stepRunner(o: StepRunnerOptions) {
  let stepNo = 0;

  const servers = stackProcesses(o.stack);
  const hz = ticksPerSecond();
  const cores = os.cpus().length;

  /** Fresh topics, database, edge(s), processor replica(s) (one group) and watch for `fn`; all removed afterwards. */
  async function withServices<T>(shape: StepShape, fn: (s: StepServices) => Promise<T>): Promise<T> {
    const id = `${o.runId}-s${++stepNo}`;
    const env = isolatedRunEnv(o.stack, id, o.partitions);
    const topics = [env.TOPIC_COMMANDS!, env.TOPIC_EVENTS!, env.TOPIC_OUTCOMES!, env.TOPIC_DLQ!];
    await ensureTopics(o.admin, topics.map((topic) => ({ topic, numPartitions: o.partitions })));
    // Each replica its own transactional id, all in one consumer group.
    const processorEnvs = Array.from({ length: shape.processors ?? 1 }, (_, i) => ({ ...env, PROCESSOR_INSTANCE_ID: `${id}-p${i + 1}` }));
    const started = await Promise.all([
      ...processorEnvs.map((e) => startService('processor', e, o.cpuProfDir)),
      ...Array.from({ length: shape.edges ?? 1 }, () => startService('edge', env, o.cpuProfDir)),
    ]);
    const processors = started.filter((p) => p.kind === 'processor');
    const edges = started.filter((p) => p.kind === 'edge');
    const watch = new EventWatch(createKafka({ brokers: o.stack.KAFKA_BROKERS.split(','), clientId: `${id}-watch` }), env.TOPIC_EVENTS!, `${id}-watch`);
    const pids = { ...servers, edge: edges.map((e) => e.pid), processor: processors.map((p) => p.pid), load: [process.pid] };
    try {
      await watch.start();
      return await fn({ env: { ...env, PROCESSOR_INSTANCE_IDS: processorEnvs.map((e) => e.PROCESSOR_INSTANCE_ID).join(',') }, edge: edges[0]!, processor: processors[0]!, edges, processors, watch, bases: edges.map((e) => `http://127.0.0.1:${e.port}`), pids });
    } finally {
      await watch.stop().catch(() => undefined);
      await Promise.all(started.map((p) => p.stop()));
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
      base: s.bases,
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
   * on a database of the soak's size). `shape` sets the processor replicas and edges, and
   * whether bytes per command are measured.
   */
  function rateStep(rate: number, seconds: number, role: NonNullable<StepResult['role']>, poolOrders = 0, shape: StepShape = {}): Promise<StepResult> {
    return withServices(shape, async (s) => {
      const { edge, processor, watch } = s;
      const idleStart = readCpu(s.pids);
      await sleep(o.idleSeconds * 1000);
      const idle = cpuBetween(idleStart, readCpu(s.pids), hz, cores);
      const warmupSeconds = Math.max(o.warmupSeconds, (2 * poolOrders) / rate); // half the slots create
      const nextOf = await warmUp(s, rate, warmupSeconds);
      const pool = poolOrders > 0 ? nextOf : undefined;
      const matchedBefore = watch.matched;
      const loadStart = loadAverage();
      const samples: RssSample[] = [];
      const backlog: StepResult['backlog'] = [];
      const sample = () => samples.push({ t: Math.round((performance.now() - t0) / 1000), edge: edge.rssMiB(), processor: processor.rssMiB() });
      const kafkaLog = s.pids.kafka && shape.costs ? kafkaLogOf(s.pids.kafka[0]!) : undefined;
      const transactionalIds = s.env.PROCESSOR_INSTANCE_IDS!.split(',');
      const kafkaBefore = kafkaLog && { topics: topicBytes(s.env), internal: internalLogBytes(kafkaLog, s.env.PROCESSOR_GROUP_ID!, transactionalIds) };
      const cpuStart = readCpu(s.pids);
      const t0 = performance.now();
      sample();
      const sampler = setInterval(() => {
        const t = (performance.now() - t0) / 1000;
        if (t <= seconds + 0.5) backlog.push({ t: Number(t.toFixed(1)), backlog: watch.backlog });
      }, 1000);
      const progress = setInterval(
        () => {
          const sec = (performance.now() - t0) / 1000;
          const done = watch.matched - matchedBefore;
          if (sec <= seconds + 1) sample();
          o.log(`  ${rate}/s t=${sec.toFixed(0)}s accepted ${watch.accepted} events ${watch.matched} backlog ${watch.backlog} (${Math.round(done / sec)}/s) p99 ${percentiles(watch.fromAccept).p99} ms`);
        },
        o.quick ? 2000 : 5000,
      );
      const load = await openLoad({ base: s.bases, rate, seconds, ...(pool ? { pool } : {}), onAccepted: (a) => watch.expect(a) });
      const loadEnd = performance.now();
      clearInterval(sampler);
      const drainDeadline = loadEnd + Math.max(10_000, seconds * 1000);
      while (watch.backlog > 0 && performance.now() < drainDeadline) await sleep(50);
      clearInterval(progress);
      const cpu = cpuBetween(cpuStart, readCpu(s.pids), hz, cores);
      const end = { edge: edge.rssMiB(), processor: processor.rssMiB() };
      const processorBatches = await batchStats(s.processors.map((p) => p.port));
      const recorded = watch.fromAccept.totalCount;
      const e2eSeconds = (Math.max(loadEnd, watch.lastMatchAt) - t0) / 1000;
      const httpAcceptedPerSecond = Math.round((load.accepted / (loadEnd - t0)) * 1000);
      const e2ePerSecond = Math.round(recorded / e2eSeconds);
      const judged = {
        offeredRate: rate,
        load,
        httpAcceptedPerSecond,
        e2ePerSecond,
        unmatchedAfterDrain: watch.backlog,
        fromAccept: percentiles(watch.fromAccept),
        backlog,
      };
      const msPerCommand = Object.fromEntries(
        Object.entries(cpu.ms).map(([name, ms]) => {
          const idleMs = (idle.cores[name] ?? 0) * cpu.seconds * 1000;
          return [name, ms === null || recorded === 0 ? null : Number((Math.max(0, ms - idleMs) / recorded).toFixed(3))];
        }),
      );
      const result: StepResult = {
        seconds,
        orders: pool ? pool.size : Math.ceil((rate * (seconds + warmupSeconds)) / 2),
        role,
        ...judged,
        tailMs: Math.round(Math.max(0, watch.lastMatchAt - loadEnd)),
        sustainable: keepsUp(judged),
        holds: holdsAt(judged),
        backlogGrowthPerSecond: Number(backlogGrowthPerSecond(backlog).toFixed(1)),
        replicas: { processors: s.processors.length, edges: s.edges.length },
        processorBatches,
        cpu: { ...cpu, idleCores: idle.cores, commands: recorded, msPerCommand },
        fromSend: percentiles(watch.fromSend),
        http: percentiles(watch.http),
        rssMiB: { edge: { start: samples[0]!.edge, end: end.edge }, processor: { start: samples[0]!.processor, end: end.processor }, samples },
        machineLoad: { start: loadStart, end: loadAverage() },
      };
      if (shape.costs) result.bytes = await stepBytes(s, recorded, kafkaLog, kafkaBefore, transactionalIds);
      o.log(
        `${rate}/s (${role}, ${s.processors.length} processor(s), ${s.edges.length} edge(s)): ${result.sustainable ? 'keeps up' : 'does NOT keep up'}, holds ${JSON.stringify(result.holds)} — http ${httpAcceptedPerSecond}/s, e2e ${e2ePerSecond}/s, backlog ${result.backlogGrowthPerSecond >= 0 ? '+' : ''}${result.backlogGrowthPerSecond}/s, ${processorBatches.count} partition batches of ${processorBatches.meanSize} in ${processorBatches.transactions} transactions, ${processorBatches.meanMs} ms per transaction, issued → committed ${processorBatches.meanIssuedToCommittedMs} ms mean, accept→event p50 ${result.fromAccept.p50} p99 ${result.fromAccept.p99} ms, tail ${result.tailMs} ms, unmatched ${result.unmatchedAfterDrain}, failed ${JSON.stringify(load.failed)}, skipped ${load.skipped}, CPU cores ${JSON.stringify(cpu.cores)} machine ${cpu.machine.coresBusy}/${cpu.machine.cores}, load ${result.machineLoad.end[0]}`,
      );
      return result;
    });
  }

  /** Bytes of the step's own topics now. */
  function topicBytes(env: Record<string, string>) {
    const log = kafkaLogOf(servers.kafka![0]!)!;
    return { commands: topicLogBytes(log, env.TOPIC_COMMANDS!), events: topicLogBytes(log, env.TOPIC_EVENTS!), outcomes: topicLogBytes(log, env.TOPIC_OUTCOMES!), dlq: topicLogBytes(log, env.TOPIC_DLQ!) };
  }

  /** Bytes per command the measured part of a step wrote into Kafka (from the log directory) and what its database holds. */
  async function stepBytes(
    s: StepServices,
    commands: number,
    log: ReturnType<typeof kafkaLogOf>,
    before: { topics: ReturnType<typeof topicBytes>; internal: ReturnType<typeof internalLogBytes> } | undefined,
    transactionalIds: string[],
  ): Promise<StepBytes> {
    const per = (x: number) => Math.round(x / Math.max(1, commands));
    let kafkaPerCommand: StepBytes['kafkaPerCommand'] = null;
    if (log && before) {
      const after = topicBytes(s.env);
      const internal = internalLogBytes(log, s.env.PROCESSOR_GROUP_ID!, transactionalIds);
      kafkaPerCommand = {
        commands: per(after.commands - before.topics.commands),
        events: per(after.events - before.topics.events),
        outcomes: per(after.outcomes - before.topics.outcomes),
        dlq: per(after.dlq - before.topics.dlq),
        // Compaction of the shared partition can shrink it: then nothing is known.
        offsets: Math.max(0, per(internal.offsets - before.internal.offsets)),
        transactionState: Math.max(0, per(internal.transactionState - before.internal.transactionState)),
      };
    }
    const mongo = createMongoClient(o.stack.MONGODB_URI);
    await mongo.connect();
    try {
      // The whole database (warm-up included) over every command it saw.
      const collections = await databaseBytes(mongo.db(s.env.MONGODB_DATABASE!));
      return { commands, kafkaPerCommand, mongo: { collections, perCommand: mongoPerCommand(collections, s.watch.matched) } };
    } finally {
      await mongo.close();
    }
  }

  /**
   * `rate` (above the maximum) for `seconds`, then no load until every accepted command's
   * event is seen (or `drainTimeoutSeconds`): how the edge sheds (503 + Retry-After) or
   * buffers, edge and processor RSS every second, the drain time and rate, and whether
   * every 202 got its outcome.
   */
  function overloadStep(rate: number, maxRate: number, seconds: number, drainTimeoutSeconds: number): Promise<OverloadResult> {
    return withServices({}, async (s) => {
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
      const load = await openLoad({ base: s.bases, rate, seconds, onAccepted: (a) => watch.expect(a) });
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
        outcomes = await countOutcomes(mongo.db(s.env.MONGODB_DATABASE!));
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
