// Benchmark of POST /api/v1/orders (the seed body) at fixed concurrency against the real
// edge — validation, idempotent acks=all produce to Kafka, 202 — next to a ceiling
// measured in the same run: the same Fastify app, routes and validation with a sender
// that acknowledges without Kafka. Uses the local stack (started if needed) or the
// KAFKA_BROKERS/SCHEMA_REGISTRY_URL/MONGODB_URI endpoints.
//
//   npm run bench:edge            # BENCH_CONNECTIONS=32 BENCH_SECONDS=10 by default
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/shared/config.js';
import { createKafka, ensureTopics } from '../src/shared/kafka.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { edgeRunNames, measureEdge, type EdgeMeasurement } from './edge-measure.js';
import { stackEndpoints } from './stack-endpoints.js';

async function main(): Promise<void> {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const runId = Date.now().toString(36);
  const stack = await stackEndpoints();
  const env = { ...process.env, ...stack };
  const config = loadConfig(env);
  const names = edgeRunNames(runId);
  const topics = [names.commands, names.outcomes];
  const admin = createKafka({ brokers: config.kafkaBrokers, clientId: 'bench-admin' }).admin();
  await admin.connect();
  await ensureTopics(admin, topics.map((topic) => ({ topic, numPartitions: config.commandPartitions })));

  console.log(`POST /api/v1/orders, seed body, ${connections} connections, ${seconds} s each (after a 2 s warm-up)`);
  let ceiling, kafka;
  try {
    ceiling = await measureEdge('ceiling', runId, connections, seconds, env);
    kafka = await measureEdge('kafka', runId, connections, seconds, env);
  } finally {
    // The run's own topics and database go; only the numbers stay.
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    const mongo = createMongoClient(config.mongodbUri);
    await mongo.connect();
    await mongo.db(names.database).dropDatabase().catch(() => undefined);
    await mongo.close();
  }
  const row = (r: EdgeMeasurement) =>
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

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
