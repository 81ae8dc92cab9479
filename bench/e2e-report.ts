// The markdown report of one `npm run bench` run: summary against the targets, machine,
// baselines, one row per rate step, the plot, and the fixes log (bench/fixes.md).
// Re-render a run's report (e.g. after editing bench/fixes.md):
//
//   npx tsx bench/e2e-report.ts bench/results/<timestamp>.json
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineFacts, StepLoad } from './machine-facts.js';
import type { FixedCosts } from './capacity-model.js';
import type { OverloadResult, StepBytes, StepResult } from './rate-step.js';
import type { ScaleOutPoint } from './scale-out.js';
import { formatSpread, type RatioSpread } from './ratio-spread.js';
import type { ReadsResult } from './read-measure.js';

interface ProcessorPair {
  orders: number;
  commands: number;
  processorCommandsPerSecond: number;
  rawMongoUpsertsPerSecond: number;
  ratio: number;
  rounds?: { ratio: number; machineLoad: StepLoad }[];
}

export interface ReportInput {
  runId: string;
  startedAt: string;
  finishedAt: string;
  settings: { quick: boolean; smoke?: boolean; stepSeconds: number; warmupSeconds: number; soakSeconds: number; partitions: number; scaleEdges?: number };
  machine: MachineFacts & { loadAverageAtEnd?: number[] };
  summary: {
    edgeRatio: number;
    processorRatio: number;
    lifecycleRatio?: number;
    e2eP99Ms: number;
    e2eP99FromSendMs: number;
    maxRateCps: number;
    halfRateCps: number;
    edgeVsProducerPerf: number;
    soakRssMiB: { seconds: number; edge: { start: number; end: number }; processor: { start: number; end: number } };
    // Since the repeated pairs, reads and overload (older runs lack them).
    readRatio?: number | null;
    maxRateHeld?: boolean;
    overloadDrainSeconds?: number | null;
    // Since the latency-bound maxima, the scale-out curve and the capacity model (older runs lack them).
    maxRateP99_100ms?: number | null;
    maxRateP99_1s?: number | null;
    scaleOut?: Record<string, ScaleOutPoint> | null;
    cpuMsPerCommand?: Record<string, number | null>;
    costFrom?: { role?: string; offeredRate: number; seconds: number; commands: number };
    bytesPerCommand?: StepBytes | null;
    fixedCosts?: FixedCosts;
    spread?: { edgeRatio: RatioSpread; processorRatio: RatioSpread; lifecycleRatio?: RatioSpread; readRatio?: RatioSpread };
  };
  baselines: {
    edge: {
      connections: number;
      seconds: number;
      ceiling: { requestsPerSecond: number; latencyMs: { p99: number } };
      kafka: { requestsPerSecond: number; latencyMs: { p99: number } };
      ratio: number;
      rounds?: { ratio: number; kafka: { machineLoad: StepLoad } }[];
    };
    producerPerformance: { records: number; recordSize: number; recordsPerSecond: number; latencyMs: { p99: number }; props: string[] };
    processor: ProcessorPair;
    lifecycle?: ProcessorPair;
  };
  steps: StepResult[];
  confirms?: StepResult[];
  half: StepResult;
  soak: StepResult;
  reads?: ReadsResult;
  overload?: OverloadResult;
}

/** Flat: the end within 10 % (+10 MiB of noise) of the start. */
const flat = (x: { start: number; end: number }) => x.end <= x.start * 1.1 + 10;
const pct = (r: number) => `${(r * 100).toFixed(0)} %`;
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');

const loadOf = (l: StepLoad | undefined) => (l ? `${l.start[0]} → ${l.end[0]}` : '');
const failedOf = (f: Record<string, number>) => Object.entries(f).map(([k, v]) => `${v}×${k}`).join(' ') || '0';
const spreadOf = (s: RatioSpread | undefined) => (s ? ` (median of ${s.values.length}: ${s.min}–${s.max})` : '');

const holdsOf = (s: StepResult) => (s.holds ? Object.entries(s.holds).filter(([, v]) => v).map(([b]) => `≤ ${b}`).join(', ') || 'no' : '');

function stepRow(s: StepResult, label = ''): string {
  return `| ${s.offeredRate}${label} | ${s.seconds} | ${s.orders} | ${s.httpAcceptedPerSecond} | ${s.e2ePerSecond} | ${s.http.p99} | ${s.fromAccept.p50} | ${s.fromAccept.p90} | ${s.fromAccept.p99} | ${s.fromSend.p99} | ${s.fromAccept.max} | ${failedOf(s.load.failed)} | ${s.sustainable ? 'yes' : 'no'} | ${s.backlogGrowthPerSecond ?? ''} | ${holdsOf(s)} | ${loadOf(s.machineLoad)} |`;
}

const cores = (x: number | null | undefined) => (x === null || x === undefined ? '—' : String(x));

function scaleOutSection(points: ScaleOutPoint[], svgBase: string, machineCores: number): string {
  const names = [...new Set(points.flatMap((p) => p.steps.flatMap((s) => Object.keys(s.cores))))];
  const rows = points.flatMap((p) =>
    p.steps.map((s) => `| ${p.processors} | ${p.edges} | ${s.offeredRate} | ${s.e2ePerSecond} | ${s.p99Ms} | ${Object.entries(s.holds).filter(([, v]) => v).map(([b]) => `≤ ${b}`).join(', ') || 'no'} | ${names.map((n) => cores(s.cores[n])).join(' | ')} | ${s.otherCores} | ${s.machineCores} |`),
  );
  const one = points.find((p) => p.processors === 1);
  const best = [...points].sort((a, b) => b.peakE2ePerSecond - a.peakE2ePerSecond)[0];
  const machineBound = points.filter((p) => p.ceiling.ceiling === 'machine').map((p) => p.processors);
  return `## Scale-out (same servers)

Processor replicas in one consumer group (the command partitions shared among them) behind
${points[0]?.edges ?? '?'} edges, each replica count at the same offered rates; CPU in cores (utime + stime from
\`/proc/<pid>/stat\` over the step, drain included); "other" = busy cores no bench process
accounts for (other work on the machine).

| processors | edges | offered /s | e2e /s | p99 ms | holds at p99 | ${names.join(' | ')} | other | machine |
|---|---|---|---|---|---|${names.map(() => '---').join('|')}|---|---|
${rows.join('\n')}

| processors | peak e2e /s | p99 at the peak | highest rate holding | ceiling |
|---|---|---|---|---|
${points.map((p) => `| ${p.processors} | ${p.peakE2ePerSecond} | ${p.peakP99Ms} ms | ${Object.entries(p.maxRate).map(([b, r]) => `${r}/s at ≤ ${b} ms`).join(', ')} | ${p.ceiling.ceiling}: ${p.ceiling.why} |`).join('\n')}

![scale-out](${svgBase}-scale.svg)

![CPU per process](${svgBase}-cpu.svg)

Where one machine stops telling anything: every process here — Kafka, the registry,
FerretDB, the edges, the processors and the load generator — shares ${machineCores} cores. ${
    machineBound.length
      ? `With ${machineBound.join(', ')} processor replica(s) the machine itself was the ceiling (its cores busy): adding a replica there only moves CPU from one process to another, so the curve beyond it measures the machine, not the service.`
      : 'No step saturated the machine\'s cores by the criterion used (≥ 90 % busy).'
  } ${one && best ? `From 1 replica (${one.peakE2ePerSecond}/s) the best count reached ${best.peakE2ePerSecond}/s (${best.processors} replicas, ×${(best.peakE2ePerSecond / Math.max(1, one.peakE2ePerSecond)).toFixed(2)}).` : ''} Replicas
beyond the first can only help while some core is idle; the server side (Kafka, FerretDB on
SQLite, one node each) does not scale at all here. How replicas scale on a cluster is
what docs/capacity.md estimates from the per-command costs, not from this curve.
`;
}

function costsSection(s: ReportInput['summary']): string {
  if (!s.cpuMsPerCommand) return '';
  const k = s.bytesPerCommand?.kafkaPerCommand;
  const f = s.fixedCosts;
  return `## Cost per command

From the step \`${s.costFrom?.role ?? '?'}\` at ${s.costFrom?.offeredRate}/s (${s.costFrom?.commands} commands), idle use subtracted; the model built on them is docs/capacity.md (\`npm run bench:capacity\`).

| | ${Object.keys(s.cpuMsPerCommand).join(' | ')} |
|---|${Object.keys(s.cpuMsPerCommand).map(() => '---').join('|')}|
| CPU ms per command | ${Object.values(s.cpuMsPerCommand).map(cores).join(' | ')} |

Kafka bytes per command: ${k ? Object.entries(k).map(([t, b]) => `${t} ${b}`).join(', ') : '— (broker not local)'}; MongoDB: ${s.bytesPerCommand ? `${s.bytesPerCommand.mongo.perCommand.documentWrites} document writes, ${s.bytesPerCommand.mongo.perCommand.bytesWritten} B written, ${s.bytesPerCommand.mongo.perCommand.bytesStored} B stored` : '—'}.
Processor fixed costs (${f?.points ?? 0} one-replica steps): ${f?.cpuPerTransaction ? `CPU ${f.cpuPerTransaction.perCommandMs} ms per command + ${f.cpuPerTransaction.perTransactionMs} ms per transaction` : 'CPU split —'}; ${f?.cpuPerBatch ? `or ${f.cpuPerBatch.perCommandMs} ms + ${f.cpuPerBatch.perBatchMs} ms per partition batch` : ''}; ${f?.transactionWall ? `a transaction takes ${f.transactionWall.fixedMs} ms + ${f.transactionWall.perRecordMs} ms per record` : 'transaction time split —'}.
`;
}

function readsSection(r: ReadsResult): string {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
  const rows = r.queries.map((q) => {
    const pd = q.plan.pushdown ? ` (pushdown: filter ${q.plan.pushdown.filter}, sort ${q.plan.pushdown.sort}, limit ${q.plan.pushdown.limit})` : '';
    return `| ${q.name} | ${median(q.rounds.map((x) => x.edgeRequestsPerSecond))} (p50 ${median(q.rounds.map((x) => x.edgeP50Ms))} ms) | ${median(q.rounds.map((x) => x.driverQueriesPerSecond))} (mean ${median(q.rounds.map((x) => x.driverMeanMs))} ms) | ${formatSpread(q.ratio)} | ${q.plan.serverPlan.join('; ')}${pd} | ${q.plan.serverUsesIndex ? 'index' : '**scan**'} | ${q.plan.mongoIndex ?? '**none**'} | ${q.rounds.map((x) => loadOf(x.machineLoad)).join(', ')} |`;
  });
  return `## Reads (same run, same server)

${r.orders} orders seeded straight into MongoDB (documents built by the domain, ${r.seedSeconds} s), indexed by
\`ensureOrderIndexes\`. Ours: the real edge in its own process, ${r.connections} concurrent loops of keep-alive GETs from
the bench process. Baseline: the same driver calls the edge makes (\`findOrderDocument\` /
\`listOrderDocuments\`), ${r.connections} concurrent loops in the bench process. Both sides make the same number of requests
(about ${r.seconds} s at the driver's warm-up rate), ${r.repeats} rounds, interleaved. Requests/s are
the median round's; ratio = median (min–max). "server plan" is the server's own \`explain\` of the
find command the edge sent; "MongoDB index" is the index whose key starts with the filter's
equality fields then the sort keys (\`order.createdAt\` −1, \`_id\` −1), i.e. the one MongoDB would use.

| query | edge /s | driver /s | ratio | server plan | server reads | MongoDB index | load 1 min |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Indexes on \`orders\`: ${r.indexes.map((i) => `\`${i.name}\` ${JSON.stringify(i.key)}`).join(', ')}.
`;
}

function overloadSection(o: OverloadResult): string {
  const rss = (x: { start: number; max: number; end: number }) => `${x.start} → max ${x.max} → ${x.end} MiB`;
  return `## Overload

${o.offeredRate}/s offered (${(o.offeredRate / o.maxRate).toFixed(1)}× the maximum ${o.maxRate}/s) for ${o.seconds} s, open model, then no load
until every accepted command's event was seen (at most ${o.drainTimeoutSeconds} s).

| | |
|---|---|
| accepted (202) | ${o.httpAcceptedPerSecond}/s |
| shed (503) | ${o.shedPerSecond}/s, ${o.shedWithRetryAfter ? 'all with' : '**some without**'} \`Retry-After\` |
| other answers | ${failedOf(Object.fromEntries(Object.entries(o.load.failed).filter(([k]) => k !== '503')))}; ${o.load.skipped} slots not sent (client's in-flight cap) |
| backlog when the load stopped | ${o.backlogAtLoadEnd} commands |
| drain | ${o.drainSeconds === null ? `**not finished** in ${o.drainTimeoutSeconds} s` : `${o.drainSeconds} s at ${o.drainPerSecond ?? '–'}/s (maximum ${o.maxRate}/s)`} |
| lost | ${o.accepted} accepted, ${o.outcomes} outcomes stored, ${o.unmatchedAfterDrain} events never seen: **${o.lost === 0 && o.unmatchedAfterDrain === 0 ? 'nothing lost' : `${Math.max(o.lost, o.unmatchedAfterDrain)} lost`}** |
| edge RSS | ${rss(o.rssMiB.edge)} |
| processor RSS | ${rss(o.rssMiB.processor)} |
| load 1 min | ${loadOf(o.machineLoad)} |
`;
}

export function renderReport(r: ReportInput, svgFile: string, fixes: string): string {
  const { summary: s, baselines: b, machine: m } = r;
  const rss = s.soakRssMiB;
  const rssGrowth = (x: { start: number; end: number }) => `${x.start} → ${x.end} MiB (${x.end >= x.start ? '+' : ''}${x.end - x.start})`;
  return `# End-to-end benchmark ${r.startedAt}${r.settings.smoke ? ' (smoke: proves the code runs, measures nothing)' : r.settings.quick ? ' (quick)' : ''}

Run \`${r.runId}\`, ${r.startedAt} → ${r.finishedAt}. One edge and one processor (child
processes of the real entries), open-model load: even slots \`POST /api/v1/orders\`, odd
slots \`PUT /api/v1/orders/{id}/validate\` of an accepted order. Latency of a command = its
202 → its event (received / validated) consumed with \`read_committed\` from the events
topic; "send →" counts from the scheduled send instead (no coordinated omission). Every
step runs on a fresh edge, processor, topics and database, ${r.settings.stepSeconds} s after a
${r.settings.warmupSeconds} s warm-up; ${r.settings.partitions} partitions per topic.

## Targets

| target | measured | |
|---|---|---|
| edge ≥ 50 % of the bare-validation ceiling (${b.edge.connections} connections) | ${b.edge.kafka.requestsPerSecond} / ${b.edge.ceiling.requestsPerSecond} req/s = ${pct(s.edgeRatio)}${spreadOf(s.spread?.edgeRatio)} | ${met(s.edgeRatio >= 0.5)} |
| processor ≥ 50 % of raw MongoDB bulk upserts (create + validate, ${b.processor.commands} commands) | ${b.processor.processorCommandsPerSecond} / ${b.processor.rawMongoUpsertsPerSecond} per s = ${pct(s.processorRatio)}${spreadOf(s.spread?.processorRatio)} | ${met(s.processorRatio >= 0.5)} |${b.lifecycle && s.lifecycleRatio != null ? `\n| processor ≥ 50 % of raw MongoDB bulk upserts (lifecycle mix, ${b.lifecycle.commands} commands) | ${b.lifecycle.processorCommandsPerSecond} / ${b.lifecycle.rawMongoUpsertsPerSecond} per s = ${pct(s.lifecycleRatio)}${spreadOf(s.spread?.lifecycleRatio)} | ${met(s.lifecycleRatio >= 0.5)} |` : ''}${r.reads && s.readRatio != null ? `\n| reads ≥ 50 % of the same driver queries (lowest of ${r.reads.queries.length} queries, ${r.reads.orders} orders) | ${pct(s.readRatio)}${spreadOf(s.spread?.readRatio)} | ${met(s.readRatio >= 0.5)} |` : ''}${r.overload ? `\n| overload ${r.overload.offeredRate}/s for ${r.overload.seconds} s: shed with 503 + Retry-After or buffer, bounded memory, drain, nothing lost | ${r.overload.shedPerSecond}/s shed, edge RSS max ${r.overload.rssMiB.edge.max} MiB, drained in ${s.overloadDrainSeconds ?? '—'} s, lost ${r.overload.lost} | ${met(r.overload.shedWithRetryAfter && r.overload.lost === 0 && r.overload.unmatchedAfterDrain === 0 && r.overload.drainSeconds !== null)} |` : ''}
${s.maxRateP99_1s !== undefined ? `| the maximum at p99 202 → event ≤ 1 s held over its check (${r.settings.soakSeconds} s, soak's database) | ${s.maxRateP99_1s ?? '**none held**'}${s.maxRateP99_1s == null ? '' : '/s'} | ${met(s.maxRateP99_1s != null)} |\n| the maximum at p99 ≤ 100 ms held over its check | ${s.maxRateP99_100ms ?? '**none held**'}${s.maxRateP99_100ms == null ? '' : '/s'} | ${met(s.maxRateP99_100ms != null)} |\n` : ''}| e2e p99 ≤ 100 ms at half the maximum (${s.halfRateCps}/s of ${s.maxRateCps}/s) | ${s.e2eP99Ms} ms accept → event (${s.e2eP99FromSendMs} ms send → event) | ${met(s.e2eP99Ms <= 100)} |
| memory flat over the soak (${rss.seconds} s at ${s.halfRateCps}/s, ${r.soak.orders} orders) | edge ${rssGrowth(rss.edge)}, processor ${rssGrowth(rss.processor)} | ${rss.seconds < 600 ? 'soak shorter than 10 min (BENCH_SOAK_SECONDS=600 for the full one)' : `edge ${flat(rss.edge) ? '**flat**' : '**grew**'}, processor ${flat(rss.processor) ? '**flat**' : '**grew**'}${r.soak.sustainable ? '' : ' (soak not sustainable: backlog grew)'}`} |

${s.maxRateP99_1s !== undefined ? `A rate **holds** at a p99 bound when it keeps up and its p99 202 → event stays within the bound (bench/hold-criterion.ts); the maxima are the highest rates that held over their check on the soak's database: **${s.maxRateP99_1s ?? 'none'} commands/s at p99 ≤ 1 s**, **${s.maxRateP99_100ms ?? 'none'} commands/s at p99 ≤ 100 ms**. ` : ''}Maximum the half, soak and overload steps use: **${s.maxRateCps} commands/s** (keeps up = every slot sent,
≤ 1 % errors, ≥ 95 % of the rate accepted over HTTP, ≥ 90 % completed end to end, nothing
unmatched after the drain, the backlog not rising by more than 5 % of the rate per second)${s.maxRateHeld === undefined ? '.' : `; ${s.maxRateHeld ? 'it **held**' : 'it **did not hold**'} for the soak's duration on the soak's database (rows "check"), and the soak at half of it ${r.soak.sustainable ? 'kept up' : '**fell behind**'}. A maximum that does not hold is halved until a rate holds, then bisected between the highest rate that held and the lowest that did not (BENCH_SEARCH_RETRIES checks more at most).`}

## Baselines (same run, same servers)

| path | result | ours | ratio |
|---|---|---|---|
| HTTP: bare Fastify route, same validation, no Kafka (autocannon, ${b.edge.connections} conn, ${b.edge.seconds} s) | ${b.edge.ceiling.requestsPerSecond} req/s, p99 ${b.edge.ceiling.latencyMs.p99} ms | edge ${b.edge.kafka.requestsPerSecond} req/s, p99 ${b.edge.kafka.latencyMs.p99} ms | ${pct(b.edge.ratio)} |
| produce: Kafka ProducerPerformance (${b.producerPerformance.records} × ${b.producerPerformance.recordSize} B, ${b.producerPerformance.props.join(' ')}) | ${b.producerPerformance.recordsPerSecond} records/s, p99 ${b.producerPerformance.latencyMs.p99} ms | edge ${b.edge.kafka.requestsPerSecond} req/s | ${pct(s.edgeVsProducerPerf)} |
| write: raw bulk upserts (replace by _id, PROCESSOR_MAX_BATCH per bulk) of the processor's own final documents, ${b.processor.commands} writes | ${b.processor.rawMongoUpsertsPerSecond} docs/s | processor ${b.processor.processorCommandsPerSecond} commands/s (${b.processor.orders} orders × create + validate, preloaded) | ${pct(b.processor.ratio)} |
${b.edge.rounds ? `\nThe edge pair ran ${b.edge.rounds.length} times, each processor pair ${b.processor.rounds?.length ?? '?'} times, interleaved (ours first in odd rounds, the baseline first in even ones); the table shows the median round. Ratios per round — edge: ${b.edge.rounds.map((x) => `${x.ratio} (load ${loadOf(x.kafka.machineLoad)})`).join(', ')}; processor: ${(b.processor.rounds ?? []).map((x) => `${x.ratio} (load ${loadOf(x.machineLoad)})`).join(', ')}${b.lifecycle ? `; lifecycle: ${(b.lifecycle.rounds ?? []).map((x) => `${x.ratio} (load ${loadOf(x.machineLoad)})`).join(', ')}` : ''}.\n` : ''}
${r.reads ? readsSection(r.reads) : ''}
## Rate steps

| offered /s | s | orders | 202 /s | e2e /s | http p99 | p50 | p90 | p99 | send→event p99 | max | failed | keeps up | backlog /s | holds at p99 (ms) | load 1 min |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${r.steps.map((x) => stepRow(x)).join('\n')}
${(r.confirms ?? []).map((x) => `${stepRow(x, ' (check)')}\n`).join('')}${stepRow(r.half, ' (half max)')}
${stepRow(r.soak, ' (soak)')}

Latencies in ms; p50/p90/p99/max are 202 → event. "orders" = distinct orders the step created
(each step starts on a fresh database); the soak cycles validate ⇄ modify over a fixed set
of orders instead, so its collection does not grow and memory can be judged.

![latency vs throughput](${svgFile})

RSS during the soak, every minute (MiB, all samples in the JSON): ${r.soak.rssMiB.samples
    .filter((x, i, all) => x.t % 60 === 0 || i === all.length - 1)
    .map((x) => `t=${x.t}s edge ${x.edge} / processor ${x.processor}`)
    .join('; ')}; after the drain edge ${r.soak.rssMiB.edge.end} / processor ${r.soak.rssMiB.processor.end}.
${r.overload ? `\n${overloadSection(r.overload)}` : ''}${s.scaleOut ? `\n${scaleOutSection(Object.values(s.scaleOut), svgFile.replace(/\.svg$/, ''), m.cpus)}` : ''}${s.cpuMsPerCommand ? `\n${costsSection(s)}` : ''}
## Machine

| | |
|---|---|
| CPU | ${m.cpus} × ${m.cpuModel} |
| memory | ${m.memoryGiB} GiB |
| load average at start | ${m.loadAverageAtStart.join(', ')} |${m.loadAverageAtEnd ? `\n| load average at end | ${m.loadAverageAtEnd.join(', ')} |` : ''}
| OS | ${m.os} |
| Node.js | ${m.node} |
| Java | ${m.java} |
| Kafka | ${m.kafka} |
| registry | ${m.registry} |
| MongoDB wire server | ${m.mongo} |

Edge, processor, Kafka, the registry, FerretDB and the load generator share these cores.
${fixes ? `\n${fixes.trim()}\n` : ''}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file?.endsWith('.json')) {
    process.stderr.write('usage: tsx bench/e2e-report.ts bench/results/<timestamp>.json\n');
    process.exit(2);
  }
  const fixes = readFileSync(fileURLToPath(new URL('./fixes.md', import.meta.url)), 'utf8');
  const input = JSON.parse(readFileSync(file, 'utf8')) as ReportInput;
  writeFileSync(file.replace(/\.json$/, '.md'), renderReport(input, basename(file).replace(/\.json$/, '.svg'), fixes));
}
