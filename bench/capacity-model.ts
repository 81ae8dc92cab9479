// The capacity model: from the costs one `npm run bench` measured (CPU ms per command per
// process, fixed costs per transaction and per partition batch, bytes per command into
// Kafka and MongoDB), the partitions, processor and edge replicas and MongoDB write rate
// a real cluster needs at 1k, 10k and 100k commands/s. The arithmetic is pure; the CLI
// writes docs/capacity.md from a bench JSON (the newest in bench/results/ by default):
//
//   npm run bench:capacity [-- bench/results/<timestamp>.json]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CostPoint {
  commands: number;
  transactions: number;
  batches: number;
  processorCpuMs: number;
  meanTransactionMs: number;
  recordsPerTransaction: number;
}

export interface FixedCosts {
  points: number;
  /** Processor CPU = perCommandMs × commands + perTransactionMs × transactions (least squares, no intercept). */
  cpuPerTransaction: { perCommandMs: number; perTransactionMs: number } | null;
  /** The same split with partition batches in place of transactions (the two move together: each fit gives the other's share to its own). */
  cpuPerBatch: { perCommandMs: number; perBatchMs: number } | null;
  /** Wall time of one transaction = fixedMs + perRecordMs × records in it (least squares with intercept). */
  transactionWall: { fixedMs: number; perRecordMs: number } | null;
}

const round = (x: number, d = 3) => Number(x.toFixed(d));

/** Least squares y ≈ a·x1 + b·x2; null when the points do not determine it. */
export function fitTwo(rows: { x1: number; x2: number; y: number }[]): { a: number; b: number } | null {
  let s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0;
  for (const r of rows) {
    s11 += r.x1 * r.x1;
    s12 += r.x1 * r.x2;
    s22 += r.x2 * r.x2;
    s1y += r.x1 * r.y;
    s2y += r.x2 * r.y;
  }
  const det = s11 * s22 - s12 * s12;
  if (rows.length < 2 || Math.abs(det) < 1e-9 * Math.max(1, s11 * s22)) return null;
  return { a: (s1y * s22 - s2y * s12) / det, b: (s2y * s11 - s1y * s12) / det };
}

/** Least squares y ≈ c + d·x; null with fewer than two distinct x. */
export function fitLine(rows: { x: number; y: number }[]): { c: number; d: number } | null {
  const n = rows.length;
  if (n < 2) return null;
  const mx = rows.reduce((s, r) => s + r.x, 0) / n;
  const my = rows.reduce((s, r) => s + r.y, 0) / n;
  const sxx = rows.reduce((s, r) => s + (r.x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const d = rows.reduce((s, r) => s + (r.x - mx) * (r.y - my), 0) / sxx;
  return { c: my - d * mx, d };
}

export function fixedCosts(points: CostPoint[]): FixedCosts {
  const ok = points.filter((p) => [p.commands, p.transactions, p.batches, p.processorCpuMs, p.meanTransactionMs, p.recordsPerTransaction].every(Number.isFinite) && p.commands > 0);
  const perTx = fitTwo(ok.map((p) => ({ x1: p.commands, x2: p.transactions, y: p.processorCpuMs })));
  const perBatch = fitTwo(ok.map((p) => ({ x1: p.commands, x2: p.batches, y: p.processorCpuMs })));
  const wall = fitLine(ok.map((p) => ({ x: p.recordsPerTransaction, y: p.meanTransactionMs })));
  // A negative cost means the points (noise, too few rates) did not separate the two terms: no answer rather than a wrong one.
  const sane = <T extends object>(fit: T | null, ...xs: number[]) => (fit && xs.every((x) => x >= 0) ? fit : null);
  return {
    points: ok.length,
    cpuPerTransaction: sane(perTx && { perCommandMs: round(perTx.a), perTransactionMs: round(perTx.b) }, perTx?.a ?? 0, perTx?.b ?? 0),
    cpuPerBatch: sane(perBatch && { perCommandMs: round(perBatch.a), perBatchMs: round(perBatch.b) }, perBatch?.a ?? 0, perBatch?.b ?? 0),
    transactionWall: sane(wall && { fixedMs: round(wall.c, 2), perRecordMs: round(wall.d, 3) }, wall?.c ?? 0, wall?.d ?? 0),
  };
}

/** What the model assumes about a real cluster; each is stated in the document with where it comes from. */
export interface Assumptions {
  /** Share of one core a Node.js replica is planned at (one JavaScript thread; headroom for GC and bursts). */
  nodeCoreBudget: number;
  /** Records per transaction the processor reaches under load (PROCESSOR_MAX_BATCH caps a group at 500). */
  recordsPerTransaction: number;
  /** Bytes/s one partition takes (published: "tens of MB/s" per partition, Confluent). */
  partitionBytesPerSecond: number;
  /** Replication factor of every topic. */
  replicationFactor: number;
  /** MB/s a 3-broker cluster takes with acks=all and 3× replication (published: LinkedIn 2014). */
  clusterIngressBytesPerSecond: number;
  /** Document writes/s one MongoDB shard (a replica set, w: majority) takes: an assumption, to be replaced by a measured figure. */
  mongoWritesPerShard: number;
  /** Never fewer replicas than this (availability, rolling restarts). */
  minReplicas: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  nodeCoreBudget: 0.7,
  recordsPerTransaction: 250,
  partitionBytesPerSecond: 10e6,
  replicationFactor: 3,
  clusterIngressBytesPerSecond: 40.2e6,
  mongoWritesPerShard: 10_000,
  minReplicas: 2,
};

export interface MeasuredCosts {
  cpuMsPerCommand: Record<string, number | null>;
  fixed: FixedCosts;
  /** Kafka *.log bytes per command per topic (commands, events, outcomes, dlq, offsets, transactionState). */
  kafkaBytesPerCommand: Record<string, number> | null;
  mongo: { documentWrites: number; bytesWritten: number; bytesStored: number } | null;
}

export interface Sizing {
  rate: number;
  processorReplicas: { cpu: number; transactions: number; needed: number };
  edgeReplicas: number;
  partitions: number;
  kafka: { ingressMBps: number; replicatedMBps: number; clusters3Brokers: number };
  mongo: { documentWritesPerSecond: number; writeMBps: number; storedGBPerDay: number; shards: number };
}

/** The sizing at `rate` commands/s. */
export function size(rate: number, m: MeasuredCosts, a: Assumptions = DEFAULT_ASSUMPTIONS): Sizing {
  const cpu = (name: string) => m.cpuMsPerCommand[name] ?? NaN;
  // A replica applies its transactions one after another: records/s = B / (fixed + perRecord·B).
  const w = m.fixed.transactionWall;
  const perReplicaTx = w && w.fixedMs + w.perRecordMs * a.recordsPerTransaction > 0 ? (a.recordsPerTransaction * 1000) / (w.fixedMs + w.perRecordMs * a.recordsPerTransaction) : Infinity;
  const byCpu = Math.ceil((rate * cpu('processor')) / (1000 * a.nodeCoreBudget));
  const byTx = Math.ceil(rate / perReplicaTx);
  const processors = Math.max(a.minReplicas, Number.isFinite(byCpu) ? byCpu : 0, byTx);
  const edges = Math.max(a.minReplicas, Math.ceil((rate * cpu('edge')) / (1000 * a.nodeCoreBudget)));
  const kafkaPerCommand = m.kafkaBytesPerCommand ? Object.values(m.kafkaBytesPerCommand).reduce((s, b) => s + b, 0) : NaN;
  const ingress = rate * kafkaPerCommand;
  const busiestTopic = m.kafkaBytesPerCommand ? Math.max(m.kafkaBytesPerCommand.commands ?? 0, m.kafkaBytesPerCommand.events ?? 0) : NaN;
  // A partition is read by one replica: at least one per replica; enough that none takes more than its share of bytes.
  const partitions = Math.max(processors, Math.ceil((rate * busiestTopic) / a.partitionBytesPerSecond));
  const docWrites = rate * (m.mongo?.documentWrites ?? NaN);
  return {
    rate,
    processorReplicas: { cpu: byCpu, transactions: byTx, needed: processors },
    edgeReplicas: edges,
    partitions,
    kafka: { ingressMBps: round(ingress / 1e6, 2), replicatedMBps: round((ingress * a.replicationFactor) / 1e6, 2), clusters3Brokers: Math.ceil(ingress / a.clusterIngressBytesPerSecond) },
    mongo: {
      documentWritesPerSecond: Math.round(docWrites),
      writeMBps: round((rate * (m.mongo?.bytesWritten ?? NaN)) / 1e6, 2),
      storedGBPerDay: round((rate * (m.mongo?.bytesStored ?? NaN) * 86_400) / 1e9, 1),
      shards: Math.ceil(docWrites / a.mongoWritesPerShard),
    },
  };
}

interface BenchJson {
  runId: string;
  startedAt: string;
  settings: { partitions: number; smoke?: boolean; quick?: boolean };
  machine: { cpus: number; cpuModel: string };
  summary: {
    cpuMsPerCommand?: Record<string, number | null>;
    costFrom?: { role: string; offeredRate: number; seconds: number; commands: number };
    fixedCosts?: FixedCosts;
    bytesPerCommand?: { kafkaPerCommand: Record<string, number> | null; mongo: { perCommand: MeasuredCosts['mongo']; collections: Record<string, { documents: number; meanBytes: number }> } } | null;
    maxRateP99_1s?: number | null;
    maxRateP99_100ms?: number | null;
  };
}

export function measuredCosts(r: BenchJson): MeasuredCosts {
  const s = r.summary;
  if (!s.cpuMsPerCommand || !s.fixedCosts) throw new Error(`${r.runId}: no cpuMsPerCommand / fixedCosts in its summary (a run from before the capacity model)`);
  return { cpuMsPerCommand: s.cpuMsPerCommand, fixed: s.fixedCosts, kafkaBytesPerCommand: s.bytesPerCommand?.kafkaPerCommand ?? null, mongo: s.bytesPerCommand?.mongo.perCommand ?? null };
}

const n = (x: number | null | undefined, unit = '') => (x === null || x === undefined || Number.isNaN(x) ? '—' : `${x.toLocaleString('en-US')}${unit}`);

export function renderCapacity(r: BenchJson, source: string, rates = [1_000, 10_000, 100_000], a: Assumptions = DEFAULT_ASSUMPTIONS): string {
  const m = measuredCosts(r);
  const s = r.summary;
  const sizings = rates.map((rate) => size(rate, m, a));
  const f = m.fixed;
  const col = (get: (z: Sizing) => string) => sizings.map(get).join(' | ');
  return `# Capacity model

Generated by \`npm run bench:capacity\` (bench/capacity-model.ts) from \`${source}\` — run
\`${r.runId}\`, ${r.startedAt}, ${r.machine.cpus} × ${r.machine.cpuModel}${r.settings.smoke ? ' — **a smoke run: its numbers prove the pipeline, they are not measurements**' : r.settings.quick ? ' (quick run)' : ''}. Do not edit
by hand: run the bench, then this script.

## Measured (ours, one machine)

Costs come from the bench step \`${s.costFrom?.role ?? '?'}\` at ${n(s.costFrom?.offeredRate)} commands/s for ${n(s.costFrom?.seconds)} s
(${n(s.costFrom?.commands)} commands; ${s.costFrom?.role === 'confirm' ? "the soak's shape: validate ⇄ modify over existing orders" : 'create, then validate, per order'}). CPU is
utime + stime from \`/proc/<pid>/stat\` between the end of the warm-up and the end of the
drain, minus each process's idle use sampled before the step (the servers are shared with
other work, so the servers' figures are the noisiest). Maximum rates that held over the check: ${n(s.maxRateP99_100ms)}/s at p99 ≤ 100 ms,
${n(s.maxRateP99_1s)}/s at p99 ≤ 1 s.

| process | CPU ms per command |
|---|---|
${Object.entries(m.cpuMsPerCommand).map(([k, v]) => `| ${k} | ${n(v)} |`).join('\n')}

Fixed costs (processor, every one-replica step that kept up, ${f.points} points):

| | |
|---|---|
| CPU per command + per transaction | ${f.cpuPerTransaction ? `${f.cpuPerTransaction.perCommandMs} ms + ${f.cpuPerTransaction.perTransactionMs} ms` : '— (too few distinct points)'} |
| CPU per command + per partition batch | ${f.cpuPerBatch ? `${f.cpuPerBatch.perCommandMs} ms + ${f.cpuPerBatch.perBatchMs} ms` : '—'} |
| wall time of one transaction | ${f.transactionWall ? `${f.transactionWall.fixedMs} ms + ${f.transactionWall.perRecordMs} ms per record` : '—'} |

Transactions and partition batches grow together (a transaction groups the partition
batches waiting), so each of the two CPU fits gives the other's share to its own term.

Bytes per command into Kafka (size of the topics' \`*.log\` segments: record batches as
stored, headers and transaction markers included; offsets and transaction state are the
growth of the shared internal partitions the group maps to, an upper bound):

| commands | events | outcomes | dlq | offsets | transaction state |
|---|---|---|---|---|---|
| ${m.kafkaBytesPerCommand ? ['commands', 'events', 'outcomes', 'dlq', 'offsets', 'transactionState'].map((k) => n(m.kafkaBytesPerCommand![k])).join(' | ') : '— | — | — | — | — | —'} |

Into MongoDB (BSON sizes of the step's documents; every command rewrites its order and
inserts the rest): ${m.mongo ? `${m.mongo.documentWrites} document writes, ${n(m.mongo.bytesWritten)} B written and ${n(m.mongo.bytesStored)} B left stored per command` : '—'}${s.bytesPerCommand ? ` (${Object.entries(s.bytesPerCommand.mongo.collections).map(([c, x]) => `${c}: ${n(x.documents)} × ${n(x.meanBytes)} B`).join(', ')})` : ''}.

## Sizing

| | ${rates.map((x) => `${n(x)} commands/s`).join(' | ')} |
|---|${rates.map(() => '---').join('|')}|
| processor replicas (by CPU / by transaction time) | ${col((z) => `**${z.processorReplicas.needed}** (${n(z.processorReplicas.cpu)} / ${n(z.processorReplicas.transactions)})`)} |
| edge replicas | ${col((z) => `**${z.edgeReplicas}**`)} |
| command partitions | ${col((z) => `**${z.partitions}**`)} |
| Kafka ingress (× ${a.replicationFactor} replicated) | ${col((z) => `${n(z.kafka.ingressMBps)} MB/s (${n(z.kafka.replicatedMBps)})`)} |
| 3-broker Kafka clusters at the published rate | ${col((z) => n(z.kafka.clusters3Brokers))} |
| MongoDB document writes | ${col((z) => `${n(z.mongo.documentWritesPerSecond)}/s, ${n(z.mongo.writeMBps)} MB/s`)} |
| MongoDB stored per day (no expiry) | ${col((z) => `${n(z.mongo.storedGBPerDay)} GB`)} |
| MongoDB shards at the assumed rate | ${col((z) => `**${n(z.mongo.shards)}**`)} |

## Assumptions

- **Replicas by CPU**: a Node.js replica is planned at ${a.nodeCoreBudget} of one core (one
  JavaScript thread; the rest is headroom for GC, librdkafka threads, bursts). Our CPU ms per
  command were measured on ${r.machine.cpus} shared cores with every server on the same machine; a
  cluster's cores may be faster or slower. At least ${a.minReplicas} replicas of each (availability).
- **Replicas by transaction time**: a replica commits its transactions one after another;
  with ${a.recordsPerTransaction} records per transaction (PROCESSOR_MAX_BATCH caps a group at 500) it applies
  ${a.recordsPerTransaction} × 1000 / (fixed ms + per-record ms × ${a.recordsPerTransaction}) records/s, from the wall-time fit above —
  measured against a FerretDB on SQLite and a one-node Kafka on the same machine, so on
  MongoDB and a real Kafka cluster the fixed part (a commit round trip with replication)
  and the per-record part (MongoDB's writes) will differ.
- **Partitions**: at least one per processor replica (a partition is read by one member of
  the group), and enough that no partition takes more than ${a.partitionBytesPerSecond / 1e6} MB/s of the busier of
  the commands and events topics. *Published, not ours*: a single partition takes "10s of
  MB/sec" of produce (Jun Rao, Confluent, "How to choose the number of topics/partitions in
  a Kafka cluster?", 2015); we take the low end. Partitions can be added, not removed (key
  order moves), so size for the peak you expect.
- **Kafka cluster**: *published, not ours*: one producer on three brokers with 3×
  synchronous replication (acks=all) wrote 421,823 records/s, 40.2 MB/s (Jay Kreps,
  "Benchmarking Apache Kafka: 2 Million Writes Per Second (On Three Cheap Machines)",
  LinkedIn Engineering, 2014; 2014 hardware, 100-byte records). Replication factor ${a.replicationFactor}.
- **MongoDB**: ${n(a.mongoWritesPerShard)} document writes/s per shard (a replica set, w: majority) is an
  **assumption**, neither ours nor a verified published figure — MongoDB publishes no
  official benchmark, and write rates depend on document size, indexes, write concern
  and disks; replace it with a figure measured on the target cluster (e.g. YCSB as in
  MongoDB's "Performance Testing MongoDB 3.0" series). Our own MongoDB-wire server is
  FerretDB on SQLite, whose write rate says nothing about MongoDB's.
- Not modelled: reads (GET routes), the DLQ, consumer lag catch-up after an outage (size
  replicas for the catch-up rate you want on top of the steady rate), network.
`;
}

/** The newest bench JSON in bench/results/. */
function newestResult(): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  const files = readdirSync(dir).filter((f) => /^\d{4}-.*Z\.json$/.test(f)).sort();
  for (const f of files.reverse()) {
    const r = JSON.parse(readFileSync(`${dir}${f}`, 'utf8')) as BenchJson;
    if (r.summary.cpuMsPerCommand) return `bench/results/${f}`;
  }
  throw new Error('no bench/results/*.json with summary.cpuMsPerCommand: run `npm run bench` first');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? newestResult();
  const out = process.argv[3] ?? fileURLToPath(new URL('../docs/capacity.md', import.meta.url));
  const r = JSON.parse(readFileSync(file, 'utf8')) as BenchJson;
  writeFileSync(out, renderCapacity(r, file.replace(/^.*?(bench\/results\/)/, '$1')));
  process.stderr.write(`wrote ${out} from ${file}\n`);
}
