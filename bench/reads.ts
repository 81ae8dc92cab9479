// The read benchmark of bench/read-measure.ts on its own (`npm run bench` runs it too):
// the edge's GET and list routes vs the same driver calls, interleaved, with the plans.
//
//   npx tsx bench/reads.ts     # BENCH_READ_ORDERS=20000 BENCH_READ_SECONDS=5 BENCH_REPEATS=3 BENCH_READ_CONNECTIONS=8
import { formatSpread } from './ratio-spread.js';
import { measureReads } from './read-measure.js';
import { stackEndpoints } from './stack-endpoints.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const stack = await stackEndpoints();
const r = await measureReads(
  stack,
  `bench-reads-${Date.now().toString(36)}`,
  {
    orders: env('BENCH_READ_ORDERS', 20_000),
    connections: env('BENCH_READ_CONNECTIONS', 8),
    seconds: env('BENCH_READ_SECONDS', 5),
    repeats: env('BENCH_REPEATS', 3),
    limit: env('BENCH_READ_LIMIT', 20),
    cursorDepth: env('BENCH_READ_CURSOR_DEPTH', 1000),
    partitions: env('BENCH_PARTITIONS', 6),
  },
  (msg) => process.stderr.write(`[bench:reads] ${msg}\n`),
);
for (const q of r.queries) console.log(`${q.name.padEnd(36)} ratio ${formatSpread(q.ratio)}  server plan: ${q.plan.serverPlan.join(' | ')}  MongoDB index: ${q.plan.mongoIndex ?? 'none'}`);
console.log(`readRatio (lowest query per round) ${formatSpread(r.ratio)}`);
process.exit(0);
