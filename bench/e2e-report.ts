// The markdown report of one `npm run bench` run: summary against the targets, machine,
// baselines, one row per rate step, the plot, and the fixes log (bench/fixes.md).
// Re-render a run's report (e.g. after editing bench/fixes.md):
//
//   npx tsx bench/e2e-report.ts bench/results/<timestamp>.json
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineFacts } from './machine-facts.js';
import type { StepResult } from './e2e.js';

export interface ReportInput {
  runId: string;
  startedAt: string;
  finishedAt: string;
  settings: { quick: boolean; stepSeconds: number; warmupSeconds: number; soakSeconds: number; partitions: number };
  machine: MachineFacts;
  summary: {
    edgeRatio: number;
    processorRatio: number;
    e2eP99Ms: number;
    e2eP99FromSendMs: number;
    maxRateCps: number;
    halfRateCps: number;
    edgeVsProducerPerf: number;
    soakRssMiB: { seconds: number; edge: { start: number; end: number }; processor: { start: number; end: number } };
  };
  baselines: {
    edge: { connections: number; seconds: number; ceiling: { requestsPerSecond: number; latencyMs: { p99: number } }; kafka: { requestsPerSecond: number; latencyMs: { p99: number } }; ratio: number };
    producerPerformance: { records: number; recordSize: number; recordsPerSecond: number; latencyMs: { p99: number }; props: string[] };
    processor: { orders: number; commands: number; processorCommandsPerSecond: number; rawMongoUpsertsPerSecond: number; ratio: number };
  };
  steps: StepResult[];
  half: StepResult;
  soak: StepResult;
}

/** Flat: the end within 10 % (+10 MiB of noise) of the start. */
const flat = (x: { start: number; end: number }) => x.end <= x.start * 1.1 + 10;
const pct = (r: number) => `${(r * 100).toFixed(0)} %`;
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');

function stepRow(s: StepResult, label = ''): string {
  const failed = Object.entries(s.load.failed).map(([k, v]) => `${v}×${k}`).join(' ') || '0';
  return `| ${s.offeredRate}${label} | ${s.seconds} | ${s.orders} | ${s.httpAcceptedPerSecond} | ${s.e2ePerSecond} | ${s.http.p99} | ${s.fromAccept.p50} | ${s.fromAccept.p90} | ${s.fromAccept.p99} | ${s.fromSend.p99} | ${s.fromAccept.max} | ${failed} | ${s.sustainable ? 'yes' : 'no'} |`;
}

export function renderReport(r: ReportInput, svgFile: string, fixes: string): string {
  const { summary: s, baselines: b, machine: m } = r;
  const rss = s.soakRssMiB;
  const rssGrowth = (x: { start: number; end: number }) => `${x.start} → ${x.end} MiB (${x.end >= x.start ? '+' : ''}${x.end - x.start})`;
  return `# End-to-end benchmark ${r.startedAt}${r.settings.quick ? ' (quick)' : ''}

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
| edge ≥ 50 % of the bare-validation ceiling (${b.edge.connections} connections) | ${b.edge.kafka.requestsPerSecond} / ${b.edge.ceiling.requestsPerSecond} req/s = ${pct(s.edgeRatio)} | ${met(s.edgeRatio >= 0.5)} |
| processor ≥ 50 % of raw MongoDB bulk upserts | ${b.processor.processorCommandsPerSecond} / ${b.processor.rawMongoUpsertsPerSecond} per s = ${pct(s.processorRatio)} | ${met(s.processorRatio >= 0.5)} |
| e2e p99 ≤ 100 ms at half the maximum (${s.halfRateCps}/s of ${s.maxRateCps}/s) | ${s.e2eP99Ms} ms accept → event (${s.e2eP99FromSendMs} ms send → event) | ${met(s.e2eP99Ms <= 100)} |
| memory flat over the soak (${rss.seconds} s at ${s.halfRateCps}/s, ${r.soak.orders} orders) | edge ${rssGrowth(rss.edge)}, processor ${rssGrowth(rss.processor)} | ${rss.seconds < 600 ? 'soak shorter than 10 min (BENCH_SOAK_SECONDS=600 for the full one)' : `edge ${flat(rss.edge) ? '**flat**' : '**grew**'}, processor ${flat(rss.processor) ? '**flat**' : '**grew**'}${r.soak.sustainable ? '' : ' (soak not sustainable: backlog grew)'}`} |

Maximum sustainable rate: **${s.maxRateCps} commands/s** (sustainable = every slot sent,
≤ 1 % errors, ≥ 95 % of the rate accepted over HTTP, ≥ 90 % completed end to end, nothing
unmatched after the drain).

## Baselines (same run, same servers)

| path | result | ours | ratio |
|---|---|---|---|
| HTTP: bare Fastify route, same validation, no Kafka (autocannon, ${b.edge.connections} conn, ${b.edge.seconds} s) | ${b.edge.ceiling.requestsPerSecond} req/s, p99 ${b.edge.ceiling.latencyMs.p99} ms | edge ${b.edge.kafka.requestsPerSecond} req/s, p99 ${b.edge.kafka.latencyMs.p99} ms | ${pct(b.edge.ratio)} |
| produce: Kafka ProducerPerformance (${b.producerPerformance.records} × ${b.producerPerformance.recordSize} B, ${b.producerPerformance.props.join(' ')}) | ${b.producerPerformance.recordsPerSecond} records/s, p99 ${b.producerPerformance.latencyMs.p99} ms | edge ${b.edge.kafka.requestsPerSecond} req/s | ${pct(s.edgeVsProducerPerf)} |
| write: raw bulk upserts (replace by _id, 50/bulk) of the processor's own final documents, ${b.processor.commands} writes | ${b.processor.rawMongoUpsertsPerSecond} docs/s | processor ${b.processor.processorCommandsPerSecond} commands/s (${b.processor.orders} orders × create + validate, preloaded) | ${pct(b.processor.ratio)} |

## Rate steps

| offered /s | s | orders | 202 /s | e2e /s | http p99 | p50 | p90 | p99 | send→event p99 | max | failed | sustainable |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${r.steps.map((x) => stepRow(x)).join('\n')}
${stepRow(r.half, ' (half max)')}
${stepRow(r.soak, ' (soak)')}

Latencies in ms; p50/p90/p99/max are 202 → event. "orders" = distinct orders the step created
(each step starts on a fresh database); the soak cycles validate ⇄ modify over a fixed set
of orders instead, so its collection does not grow and memory can be judged.

![latency vs throughput](${svgFile})

RSS during the soak, every minute (MiB, all samples in the JSON): ${r.soak.rssMiB.samples
    .filter((x, i, all) => x.t % 60 === 0 || i === all.length - 1)
    .map((x) => `t=${x.t}s edge ${x.edge} / processor ${x.processor}`)
    .join('; ')}; after the drain edge ${r.soak.rssMiB.edge.end} / processor ${r.soak.rssMiB.processor.end}.

## Machine

| | |
|---|---|
| CPU | ${m.cpus} × ${m.cpuModel} |
| memory | ${m.memoryGiB} GiB |
| load average at start | ${m.loadAverageAtStart.join(', ')} |
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
