// Benchmark of POST /api/v1/orders (the seed body) at fixed concurrency against the real
// edge — validation, idempotent acks=all produce to Kafka, 202 — next to a ceiling
// measured in the same run: the same Fastify app, routes and validation with a sender
// that acknowledges without Kafka. Needs the local stack (`npm run stack:up`).
//
//   npm run bench:edge            # BENCH_CONNECTIONS=32 BENCH_SECONDS=10 by default
//
// Each edge runs in its own child process (`serve` mode) so the load generator does not
// share an event loop with the server it measures.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { nullCommandSender } from '../src/edge/command-sender.js';
import { buildEdge } from '../src/edge/server.js';
import { loadConfig } from '../src/shared/config.js';
import { createKafka, ensureTopics } from '../src/shared/kafka.js';
import { createLogger } from '../src/shared/logger.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { schemaResolver } from '../src/shared/registry.js';

const STACK = {
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  MONGODB_URI: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/',
};

const SEED_BODY = JSON.stringify({
  customerId: 'CUST-001',
  priority: 'standard',
  items: [{ sku: 'SKU-001', productName: 'Widget A', quantity: 2, price: { amount: 29.99, currency: 'USD' } }],
  shippingAddress: { street: '123 Main St', city: 'New York', state: 'NY', zipCode: '10001', country: 'US' },
});

type Mode = 'kafka' | 'ceiling';

/** Child: start one edge on port 0 and print its port. */
async function serve(mode: Mode, runId: string): Promise<void> {
  const config = loadConfig({
    ...process.env,
    ...STACK,
    LOG_LEVEL: 'warn',
    MONGODB_DATABASE: `bench_${runId}`,
    TOPIC_COMMANDS: `bench-${runId}-commands`,
    TOPIC_OUTCOMES: `bench-${runId}-outcomes`,
    EDGE_MAX_EVENT_LOOP_DELAY_MS: '0',
  });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `bench-${mode}` });
  const mongo = createMongoClient(config.mongodbUri);
  await mongo.connect();
  const app = await buildEdge({
    config,
    db: mongo.db(config.mongodbDatabase),
    kafka,
    resolver: schemaResolver(config.schemaRegistryUrl),
    logger: createLogger('bench-edge', 'warn'),
    ...(mode === 'ceiling' ? { sender: nullCommandSender() } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
  process.on('SIGTERM', () => {
    void app.close().then(() => mongo.close()).then(() => process.exit(0));
  });
}

function startChild(mode: Mode, runId: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve', mode, runId], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${mode} edge exited with ${code} before listening`)));
  });
}

async function measure(mode: Mode, runId: string, connections: number, seconds: number) {
  const { child, port } = await startChild(mode, runId);
  try {
    const url = `http://127.0.0.1:${port}/api/v1/orders`;
    const request = { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: SEED_BODY, connections };
    await autocannon({ ...request, duration: 2 }); // warm-up: JIT, producer connection, schema compilation
    const r = await autocannon({ ...request, duration: seconds });
    return {
      mode,
      requestsPerSecond: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
      total: r.requests.total,
      accepted202: r.statusCodeStats?.['202']?.count ?? r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const runId = Date.now().toString(36);
  const config = loadConfig({ ...process.env, ...STACK });
  const topics = [`bench-${runId}-commands`, `bench-${runId}-outcomes`];
  const admin = createKafka({ brokers: config.kafkaBrokers, clientId: 'bench-admin' }).admin();
  await admin.connect();
  await ensureTopics(admin, topics.map((topic) => ({ topic, numPartitions: config.commandPartitions })));

  console.log(`POST /api/v1/orders, seed body, ${connections} connections, ${seconds} s each (after a 2 s warm-up)`);
  let ceiling, kafka;
  try {
    ceiling = await measure('ceiling', runId, connections, seconds);
    kafka = await measure('kafka', runId, connections, seconds);
  } finally {
    // The run's own topics and database go; only the numbers stay.
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    const mongo = createMongoClient(config.mongodbUri);
    await mongo.connect();
    await mongo.db(`bench_${runId}`).dropDatabase().catch(() => undefined);
    await mongo.close();
  }
  const row = (r: Awaited<ReturnType<typeof measure>>) =>
    `${r.mode.padEnd(8)} ${String(r.requestsPerSecond).padStart(7)} req/s   p50 ${String(r.latencyMs.p50).padStart(4)} ms   p99 ${String(r.latencyMs.p99).padStart(4)} ms   (${r.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`;
  console.log(row(ceiling));
  console.log(row(kafka));
  const ratio = kafka.requestsPerSecond / ceiling.requestsPerSecond;
  console.log(`edge with Kafka reaches ${(ratio * 100).toFixed(1)} % of the no-Kafka ceiling`);

  const results = { date: new Date().toISOString(), node: process.version, connections, seconds, ceiling, kafka, ratio: Number(ratio.toFixed(3)) };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}edge-latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  if (kafka.non2xx > 0 || kafka.errors > 0) process.exitCode = 1;
}

if (process.argv[2] === 'serve') {
  serve(process.argv[3] as Mode, process.argv[4] as string).catch((err: unknown) => {
    process.stderr.write(`bench edge failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
