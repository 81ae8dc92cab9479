// A real edge on port 0 against the real stack, with its own topics and database.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db, MongoClient } from 'mongodb';
import { buildEdge, type EdgeDeps } from '../../src/edge/server.js';
import { handle, initialState } from '../../src/domain/index.js';
import { AvroEncoder, buildCommand, encodeOutcome, toCommandPayload, type CommandOutcome, type HttpBody, type OrderEvent } from '../../src/schemas/index.js';
import { loadConfig, type Config } from '../../src/shared/config.js';
import { createKafka, createProducer, ensureTopics, type Kafka } from '../../src/shared/kafka.js';
import { createLogger } from '../../src/shared/logger.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { recordHistory } from '../../src/shared/history-collection.js';
import { ordersCollection, type OrderDocument } from '../../src/shared/orders-collection.js';
import { createRegistry, schemaRegistrar, schemaResolver } from '../../src/shared/registry.js';
import { checkAnswersAgainstDocument } from './answer-checks.js';
import { startProcessor, type RunningProcessor } from './processor-harness.js';
import { stackEnv, uniqueName } from './stack-env.js';

export interface EdgeHarness {
  app: FastifyInstance;
  base: string;
  /** Answers that disagree with the served OpenAPI document so far; close() fails on any. */
  contractViolations: string[];
  config: Config;
  db: Db;
  kafka: Kafka;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Broker list of the edge only (e.g. a closed port); topics are still made on the real broker. */
  edgeBrokers?: string;
  deps?: Partial<EdgeDeps>;
  createTopics?: boolean;
}

export async function startEdge(opts: HarnessOptions = {}): Promise<EdgeHarness> {
  const env = stackEnv();
  const id = uniqueName('edge');
  const config = loadConfig({
    KAFKA_BROKERS: opts.edgeBrokers ?? env.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
    MONGODB_URI: env.mongodbUri,
    MONGODB_DATABASE: id.replace(/-/g, '_'),
    TOPIC_COMMANDS: `${id}-commands`,
    TOPIC_OUTCOMES: `${id}-outcomes`,
    TOPIC_EVENTS: `${id}-events`,
    TOPIC_DLQ: `${id}-dlq`,
    COMMAND_PARTITIONS: '2',
    LOG_LEVEL: process.env.EDGE_TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  const realKafka = createKafka({ brokers: env.kafkaBrokers, clientId: `${id}-test` });
  if (opts.createTopics !== false) {
    const admin = realKafka.admin();
    await admin.connect();
    await ensureTopics(admin, [config.topics.commands, config.topics.outcomes].map((topic) => ({ topic, numPartitions: 2 })));
    await admin.disconnect();
  }
  const mongo: MongoClient = createMongoClient(config.mongodbUri);
  await mongo.connect();
  const db = mongo.db(config.mongodbDatabase);
  const edgeKafka = opts.edgeBrokers ? createKafka({ brokers: opts.edgeBrokers.split(','), clientId: `${id}-edge` }) : realKafka;
  const app = await buildEdge({
    config,
    db,
    kafka: edgeKafka,
    resolver: schemaResolver(config.schemaRegistryUrl),
    logger: createLogger('edge-test', config.logLevel),
    ...opts.deps,
  });
  const { violations } = checkAnswersAgainstDocument(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    base: `http://127.0.0.1:${port}`,
    config,
    db,
    kafka: realKafka,
    contractViolations: violations,
    async close() {
      await app.close();
      await db.dropDatabase().catch(() => undefined);
      await mongo.close();
      if (violations.length > 0) throw new Error(`${violations.length} answer(s) disagree with the served OpenAPI document:\n${violations.join('\n')}`);
    },
  };
}

/** Polls /ready until the edge is ready and its outcome consumer assigned (outcomes produced from then on are seen live). */
export async function untilReady(base: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await fetch(`${base}/ready`);
    if (r.status === 200 && ((await r.clone().json()) as { status: string }).status === 'ready') return;
    if (Date.now() > deadline) throw new Error(`edge not ready: ${await r.text()}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

export interface EdgeAndProcessor {
  edge: EdgeHarness;
  processor: RunningProcessor;
  stop(): Promise<void>;
}

/** The real processor and a ready edge on the same isolated topics and database (env from isolatedEnv). */
export async function startEdgeAndProcessor(env: Record<string, string>): Promise<EdgeAndProcessor> {
  const processor = await startProcessor(env);
  const edge = await startEdge({ env, createTopics: false });
  await untilReady(edge.base);
  return {
    edge,
    processor,
    async stop() {
      await edge.close();
      await processor.stop();
    },
  };
}

/** Writes outcome records as the processor would (Avro through the registry, keyed by orderId). */
export async function produceOutcomes(h: EdgeHarness, outcomes: readonly CommandOutcome[]): Promise<void> {
  const encoder = new AvroEncoder(schemaRegistrar(createRegistry(h.config.schemaRegistryUrl)));
  const messages = await Promise.all(outcomes.map(async (o) => ({ key: o.orderId, value: await encodeOutcome(encoder, h.config.topics.outcomes, o) })));
  const producer = createProducer(h.kafka);
  await producer.connect();
  await producer.send({ topic: h.config.topics.outcomes, messages });
  await producer.disconnect();
}

export const produceOutcome = (h: EdgeHarness, outcome: CommandOutcome): Promise<void> => produceOutcomes(h, [outcome]);

export const SEED_CREATE_BODY = {
  customerId: 'CUST-001',
  priority: 'standard',
  items: [{ sku: 'SKU-001', productName: 'Widget A', quantity: 2, price: { amount: 29.99, currency: 'USD' } }],
  shippingAddress: { street: '123 Main St', city: 'New York', state: 'NY', zipCode: '10001', country: 'US' },
};

export const json = (method: string, body?: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/** An order as the processor stores it, built with the real domain (no processor needed): its document and the events behind it. */
export function seededOrder(
  orderId: string,
  opts: { createdAt?: string; customerId?: string; priority?: 'same_day' | 'next_day' | 'standard'; cancel?: boolean } = {},
): { doc: OrderDocument; events: OrderEvent[] } {
  const issuedAt = opts.createdAt ?? new Date().toISOString();
  const meta = (commandId: string) => ({ commandId, orderId, issuedAt, correlationId: 'test', source: 'test' });
  const body = { ...SEED_CREATE_BODY, customerId: opts.customerId ?? 'CUST-001', priority: opts.priority ?? 'standard' };
  const created = handle(initialState, buildCommand('CreateOrder', meta(randomUUID()), toCommandPayload('CreateOrder', body as HttpBody<'CreateOrder'>)));
  const cancelled = opts.cancel ? handle(created.state, buildCommand('CancelOrder', meta(randomUUID()), { reason: 'Customer request' })) : undefined;
  const state = (cancelled ?? created).state;
  return { doc: { _id: orderId, ...state, revision: 1, positions: {}, pending: [] }, events: [...created.events, ...(cancelled?.events ?? [])] };
}

/** Stores seeded orders as the processor does: their documents, then their history entries. */
export async function insertSeededOrders(db: Db, orders: ReturnType<typeof seededOrder>[]): Promise<void> {
  await ordersCollection(db).insertMany(orders.map((o) => o.doc), { ordered: false });
  await recordHistory(db, orders.flatMap((o) => o.events));
}
