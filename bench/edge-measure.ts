// POST /api/v1/orders (the seed body) at fixed concurrency against a real edge (Kafka
// produce, acks=all) or against its ceiling: the same Fastify app, routes and validation
// with a sender that acknowledges without Kafka. Shared by `bench:edge` and `bench`.
//
// Each edge runs in its own child process (this file in `serve` mode) so the load
// generator does not share an event loop with the server it measures.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { nullCommandSender } from '../src/edge/command-sender.js';
import { buildEdge } from '../src/edge/server.js';
import { loadConfig } from '../src/shared/config.js';
import { createKafka } from '../src/shared/kafka.js';
import { createLogger } from '../src/shared/logger.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { schemaResolver } from '../src/shared/registry.js';

export const SEED_BODY = JSON.stringify({
  customerId: 'CUST-001',
  priority: 'standard',
  items: [{ sku: 'SKU-001', productName: 'Widget A', quantity: 2, price: { amount: 29.99, currency: 'USD' } }],
  shippingAddress: { street: '123 Main St', city: 'New York', state: 'NY', zipCode: '10001', country: 'US' },
});

export type EdgeMode = 'kafka' | 'ceiling';

/** Topics and database of one edge measurement; the caller creates and deletes them. */
export const edgeRunNames = (runId: string) => ({
  database: `bench_${runId}`,
  commands: `bench-${runId}-commands`,
  outcomes: `bench-${runId}-outcomes`,
});

/** Child: start one edge on port 0 and print its port. Stack endpoints come from the environment. */
async function serve(mode: EdgeMode, runId: string): Promise<void> {
  const names = edgeRunNames(runId);
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    MONGODB_DATABASE: names.database,
    TOPIC_COMMANDS: names.commands,
    TOPIC_OUTCOMES: names.outcomes,
    EDGE_MAX_EVENT_LOOP_DELAY_MS: '0',
    // autocannon does not reconnect cleanly when the edge closes a connection after its
    // 1,000th request (the limit spreads clients over replicas): every later request on it
    // failed at once, and those cheap failures were counted as throughput — up to 56 % of
    // a run's responses, on either side of the ratio.
    EDGE_MAX_REQUESTS_PER_SOCKET: '0',
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

/** One edge (this file in `serve` mode) in its own process on the run's database and topics; the caller kills it. */
export function startEdgeChild(mode: EdgeMode, runId: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve', mode, runId], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${mode} edge exited with ${code} before listening`)));
  });
}

export interface EdgeMeasurement {
  mode: EdgeMode;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  total: number;
  accepted202: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** One closed-model autocannon run (after a 2 s warm-up) against a fresh edge child. */
export async function measureEdge(mode: EdgeMode, runId: string, connections: number, seconds: number, env: NodeJS.ProcessEnv = process.env): Promise<EdgeMeasurement> {
  const { child, port } = await startEdgeChild(mode, runId, env);
  try {
    const url = `http://127.0.0.1:${port}/api/v1/orders`;
    const request = { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: SEED_BODY, connections };
    await autocannon({ ...request, duration: 2 }); // warm-up: JIT, producer connection, schema compilation
    const r = await autocannon({ ...request, duration: seconds });
    const accepted = r.statusCodeStats?.['202']?.count ?? r['2xx'];
    return {
      mode,
      // Accepted requests only: a failure is not throughput.
      requestsPerSecond: Math.round(accepted / seconds),
      latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
      total: r.requests.total,
      accepted202: accepted,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'serve') {
  serve(process.argv[3] as EdgeMode, process.argv[4] as string).catch((err: unknown) => {
    process.stderr.write(`bench edge failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
