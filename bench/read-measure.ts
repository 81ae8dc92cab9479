// The read path: GET /api/v1/orders/{id} and the list route (status, customerId and
// priority filters, and a cursor page) at fixed concurrency (a closed loop of keep-alive
// requests, a fixed number sized to ~`seconds` of the driver's rate) against the
// real edge in its own process, next to the same queries made straight with the mongodb
// driver — the very calls the edge makes (findOrderDocument / listOrderDocuments, then
// readTimelines), from this process, with the same concurrency — on the same server in
// the same run, ours and the driver interleaved. The collection is seeded with documents built by the real
// domain (test/support/edge-harness.ts seededOrder, with their history) and indexed by ensureOrderIndexes.
//
// Each query the edge sends is captured (driver command monitoring) and explained on the
// server; on FerretDB the plan is FerretDB's own (which filters it pushes down to its
// storage). Whether the query would use an index on MongoDB is checked statically: the
// filter's equality fields followed by the sort keys must be a prefix of one index the
// collection has.
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { MongoClient, type Db, type Document } from 'mongodb';
import { encodeCursor } from '../src/edge/cursor.js';
import { createKafka, ensureTopics } from '../src/shared/kafka.js';
import { createMongoClient } from '../src/shared/mongo.js';
import { readTimelines } from '../src/shared/history-collection.js';
import { ensureOrderIndexes, findOrderDocument, listOrderDocuments, ordersCollection, type OrderDocument, type OrderListQuery } from '../src/shared/orders-collection.js';
import { insertSeededOrders, seededOrder } from '../test/support/edge-harness.js';
import { edgeRunNames, startEdgeChild } from './edge-measure.js';
import { loadAverage, type StepLoad } from './machine-facts.js';
import { ratioSpread, type RatioSpread } from './ratio-spread.js';
import type { StackEndpoints } from './stack-endpoints.js';

export interface ReadSettings {
  orders: number;
  connections: number;
  seconds: number;
  repeats: number;
  limit: number;
  /** Rows skipped before the cursor page (the cursor points this deep into the status list). */
  cursorDepth: number;
  partitions: number;
}

export interface ReadRound {
  /** Requests each side made (the same for both). */
  requests: number;
  edgeRequestsPerSecond: number;
  driverQueriesPerSecond: number;
  /** Mean time of one driver query at this concurrency. */
  driverMeanMs: number;
  ratio: number;
  edgeNon2xx: number;
  edgeP50Ms: number;
  edgeP99Ms: number;
  machineLoad: StepLoad;
}

export interface QueryPlan {
  /** The find command the edge's code sent (filter, sort, limit), as captured from the driver. */
  command: { filter: Document; sort?: Document; limit?: number };
  /** What the server's explain says: the plan lines / stages, compact. */
  serverPlan: string[];
  /** FerretDB only: whether the filter / sort / limit run in its storage. */
  pushdown?: { filter?: boolean; sort?: boolean; limit?: boolean };
  /** The server's plan reads through an index (not a full scan). */
  serverUsesIndex: boolean;
  /** MongoDB semantics: the index whose key starts with the filter's equality fields then the sort keys, if any. */
  mongoIndex: string | null;
}

export interface ReadQueryResult {
  name: string;
  /** The request path (the get picks a random seeded id per request). */
  path: string;
  rounds: ReadRound[];
  ratio: RatioSpread;
  plan: QueryPlan;
}

export interface ReadsResult {
  orders: number;
  seedSeconds: number;
  connections: number;
  seconds: number;
  repeats: number;
  indexes: { name: string; key: Document }[];
  queries: ReadQueryResult[];
  /** Per round, the lowest ratio over the queries (every query must meet the target): median and spread over rounds. */
  ratio: RatioSpread;
}

const PRIORITIES = ['standard', 'next_day', 'same_day'] as const;

/**
 * `n` orders: customers CUST-R00000… with about 20 orders each, priorities in turn, every
 * fifth cancelled, one second apart (newest has index 0). Unordered bulk inserts of 1,000.
 */
export async function seedOrders(db: Db, n: number, prefix: string): Promise<string[]> {
  const now = Date.now();
  const customers = Math.max(1, Math.round(n / 20));
  const ids: string[] = [];
  for (let start = 0; start < n; start += 1000) {
    const docs = Array.from({ length: Math.min(1000, n - start) }, (_, j) => {
      const i = start + j;
      const id = `${prefix}-${String(i).padStart(6, '0')}`;
      ids.push(id);
      return seededOrder(id, {
        createdAt: new Date(now - i * 1000).toISOString(),
        customerId: `CUST-R${String(i % customers).padStart(5, '0')}`,
        priority: PRIORITIES[i % PRIORITIES.length]!,
        cancel: i % 5 === 4,
      });
    });
    await insertSeededOrders(db, docs);
  }
  await ensureOrderIndexes(db);
  return ids;
}

/** Queries/s of `concurrency` loops awaiting `op` back to back until `amount` queries are done. */
async function fixedWork(concurrency: number, amount: number, op: () => Promise<unknown>): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < amount) {
        started++;
        await op();
      }
    }),
  );
  return amount / ((performance.now() - t0) / 1000);
}

const plainDoc = (d: unknown): Document => (d instanceof Map ? Object.fromEntries(d) : ((d ?? {}) as Document));
const isOperatorValue = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).some((k) => k.startsWith('$'));

/**
 * MongoDB semantics, statically: an index serves an equality filter plus a sort when its
 * key is the equality fields (any order) followed by the sort keys (all in the sort's
 * directions, or all reversed). Operator predicates ($ne, the cursor's $or on the sort
 * key) are then bounds or residual filters on the same index scan.
 */
export function servingIndex(filter: Document, sort: Document, indexes: { name: string; key: Document }[]): string | null {
  const equality = Object.keys(filter).filter((k) => !k.startsWith('$') && !isOperatorValue(filter[k]));
  const sortKeys = Object.entries(sort);
  for (const { name, key } of indexes) {
    const keys = Object.entries(key);
    const head = new Set(keys.slice(0, equality.length).map(([k]) => k));
    if (head.size !== equality.length || !equality.every((k) => head.has(k))) continue;
    const tail = keys.slice(equality.length, equality.length + sortKeys.length);
    if (tail.length !== sortKeys.length) continue;
    const same = tail.every(([k, d], i) => k === sortKeys[i]![0] && Number(d) === Number(sortKeys[i]![1]));
    const reversed = tail.every(([k, d], i) => k === sortKeys[i]![0] && Number(d) === -Number(sortKeys[i]![1]));
    if (same || reversed) return name;
  }
  return null;
}

/** Stage names of a MongoDB winningPlan, or FerretDB's plan lines; whether it reads through an index. */
function summarizePlan(explain: Document): Pick<QueryPlan, 'serverPlan' | 'serverUsesIndex' | 'pushdown'> {
  const qp = (explain.queryPlanner ?? {}) as Document;
  let serverPlan: string[];
  if (qp.winningPlan) {
    serverPlan = [];
    const walk = (s: Document | undefined) => {
      if (!s) return;
      serverPlan.push(s.indexName ? `${s.stage} ${s.indexName}` : String(s.stage));
      walk(s.inputStage as Document | undefined);
      for (const x of (s.inputStages as Document[] | undefined) ?? []) walk(x);
    };
    walk((qp.winningPlan as Document).queryPlan ?? qp.winningPlan);
  } else {
    serverPlan = Array.isArray(qp.Plan) ? (qp.Plan as unknown[]).map((l) => String(l).replace(/^id=\d+ parent=\d+ notused=\d+ detail=/, '')) : [JSON.stringify(qp).slice(0, 300)];
  }
  const text = serverPlan.join('\n');
  const serverUsesIndex = /IXSCAN|IDHACK|USING INDEX|USING PRIMARY KEY|Index Scan|Index Only Scan/.test(text) && !/COLLSCAN|\bSCAN\b|Seq Scan/.test(text);
  const pushdown = 'filterPushdown' in explain ? { filter: Boolean(explain.filterPushdown), sort: Boolean(explain.sortPushdown), limit: Boolean(explain.limitPushdown) } : undefined;
  return { serverPlan, serverUsesIndex, ...(pushdown ? { pushdown } : {}) };
}

/** Runs `query` (the edge's own code) on a monitored client, captures its find command and explains it. */
async function explainEdgeQuery(uri: string, database: string, query: (db: Db) => Promise<unknown>, indexes: { name: string; key: Document }[]): Promise<QueryPlan> {
  const client = new MongoClient(uri, { monitorCommands: true });
  await client.connect();
  try {
    let captured: Document | undefined;
    client.on('commandStarted', (e) => {
      if (e.commandName === 'find') captured ??= e.command; // the orders query, not the timelines' that follows
    });
    const db = client.db(database);
    await query(db);
    if (!captured) throw new Error('the query sent no find command');
    const filter = plainDoc(captured.filter);
    const sort = plainDoc(captured.sort);
    const limit = captured.limit as number | undefined;
    const explain = await db.command({ explain: { find: captured.find, filter, sort, projection: captured.projection, ...(limit ? { limit } : {}) }, verbosity: 'queryPlanner' });
    return { command: { filter, sort, ...(limit ? { limit } : {}) }, ...summarizePlan(explain), mongoIndex: servingIndex(filter, sort, indexes) };
  } finally {
    await client.close();
  }
}

/** Status of one keep-alive GET, the body read and dropped. */
function httpGet(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

interface ReadCase {
  name: string;
  path: () => string;
  driver: (db: Db) => Promise<unknown>;
}

function readCases(ids: string[], limit: number, cursor: { query: Omit<OrderListQuery, 'limit'>; param: string }): ReadCase[] {
  const randomId = () => ids[Math.floor(Math.random() * ids.length)]!;
  // The edge reads the orders, then their timelines: the driver side makes both reads too.
  const withTimelines = async (db: Db, docs: OrderDocument[]) => readTimelines(db, new Map(docs.map((d) => [d._id, d.version])));
  const list = (name: string, q: Omit<OrderListQuery, 'limit'>, qs: string): ReadCase => ({
    name,
    path: () => `/api/v1/orders?${qs}&limit=${limit}`,
    driver: async (db) => withTimelines(db, await listOrderDocuments(db, { ...q, limit })),
  });
  return [
    {
      name: 'get by id',
      path: () => `/api/v1/orders/${randomId()}`,
      driver: async (db) => {
        const doc = await findOrderDocument(db, randomId());
        return withTimelines(db, doc ? [doc] : []);
      },
    },
    list('list status=received', { status: 'received' }, 'status=received'),
    list('list customerId', { customerId: 'CUST-R00042' }, 'customerId=CUST-R00042'),
    list('list priority=same_day', { priority: 'same_day' }, 'priority=same_day'),
    list('list status=received, cursor page', cursor.query, `status=received&cursor=${cursor.param}`),
  ];
}

/** Seeds a bench database, starts the edge on it, measures every read case `repeats` times interleaved with the driver, explains, drops it all. */
export async function measureReads(stack: StackEndpoints, runId: string, s: ReadSettings, log: (msg: string) => void): Promise<ReadsResult> {
  const readRun = `${runId.replace(/-/g, '_')}_reads`;
  const names = edgeRunNames(readRun);
  const admin = createKafka({ brokers: stack.KAFKA_BROKERS.split(','), clientId: `${runId}-reads-admin` }).admin();
  await admin.connect();
  await ensureTopics(admin, [names.commands, names.outcomes].map((topic) => ({ topic, numPartitions: s.partitions })));
  const mongo = createMongoClient(stack.MONGODB_URI);
  await mongo.connect();
  const db = mongo.db(names.database);
  let edge: { child: ChildProcess; port: number } | undefined;
  let agent: Agent | undefined;
  try {
    const t0 = performance.now();
    const ids = await seedOrders(db, s.orders, `ORD-R-${runId.slice(-6)}`);
    const seedSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
    log(`  seeded ${s.orders} orders in ${seedSeconds} s`);
    const indexes = (await ordersCollection(db).listIndexes().toArray()).map((i) => ({ name: String(i.name), key: i.key as Document }));
    const depth = await listOrderDocuments(db, { status: 'received', limit: s.cursorDepth });
    const last = depth.at(-1)!;
    const before = { createdAt: last.order!.createdAt, orderId: last._id };
    const cases = readCases(ids, s.limit, { query: { status: 'received', before }, param: encodeCursor(before) });

    edge = await startEdgeChild('kafka', readRun, { ...process.env, ...stack, COMMAND_PARTITIONS: String(s.partitions) });
    const url = `http://127.0.0.1:${edge.port}`;
    // Both sides run the same closed loop in this process (keep-alive HTTP vs the driver),
    // a fixed number of requests each, not a fixed time: on a server where a list query
    // takes seconds, a timed window would end with queries still running that then load
    // the next measurement (and autocannon ends an `amount` run on its 1 s tick). The
    // amount is about `seconds` at the driver's rate measured after a warm-up.
    agent = new Agent({ keepAlive: true, maxSockets: s.connections });
    const keepAlive = agent;
    const viaEdge = async (c: ReadCase, amount: number) => {
      const latencies: number[] = [];
      let non2xx = 0;
      const rate = await fixedWork(s.connections, amount, async () => {
        const t0 = performance.now();
        if ((await httpGet(keepAlive, `${url}${c.path()}`)) !== 200) non2xx++;
        latencies.push(performance.now() - t0);
      });
      latencies.sort((a, b) => a - b);
      const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!);
      return { rate, non2xx, p50: at(0.5), p99: at(0.99) };
    };
    const viaDriver = (c: ReadCase, amount: number) => fixedWork(s.connections, amount, () => c.driver(db));
    const amounts = new Map<string, number>();
    for (const c of cases) {
      await viaDriver(c, s.connections); // warm-up: JIT, connection pools
      await viaEdge(c, s.connections);
      const rate = await viaDriver(c, 2 * s.connections);
      amounts.set(c.name, Math.max(1, Math.round((rate * s.seconds) / s.connections)) * s.connections);
      log(`  warm-up ${c.name}: driver ${Math.round(rate)}/s → ${amounts.get(c.name)} requests per measurement`);
    }
    const rounds = new Map<string, ReadRound[]>(cases.map((c) => [c.name, []]));
    for (let round = 0; round < s.repeats; round++) {
      for (const c of cases) {
        const start = loadAverage();
        const amount = amounts.get(c.name)!;
        let edgeRun: Awaited<ReturnType<typeof viaEdge>>;
        let driverQps: number;
        if (round % 2 === 0) {
          edgeRun = await viaEdge(c, amount);
          driverQps = await viaDriver(c, amount);
        } else {
          driverQps = await viaDriver(c, amount);
          edgeRun = await viaEdge(c, amount);
        }
        const edgeRps = edgeRun.rate;
        const r: ReadRound = {
          requests: amount,
          edgeRequestsPerSecond: Number(edgeRps.toFixed(1)),
          driverQueriesPerSecond: Number(driverQps.toFixed(1)),
          driverMeanMs: Math.round((s.connections * 1000) / driverQps),
          ratio: Number((edgeRps / driverQps).toFixed(3)),
          edgeNon2xx: edgeRun.non2xx,
          edgeP50Ms: edgeRun.p50,
          edgeP99Ms: edgeRun.p99,
          machineLoad: { start, end: loadAverage() },
        };
        rounds.get(c.name)!.push(r);
        log(`  round ${round + 1}/${s.repeats} ${c.name}: edge ${r.edgeRequestsPerSecond}/s (p50 ${r.edgeP50Ms} ms) vs driver ${r.driverQueriesPerSecond}/s (mean ${r.driverMeanMs} ms), ${r.requests} each → ${r.ratio}${r.edgeNon2xx > 0 ? ` (${r.edgeNon2xx} non-200)` : ''}, load ${r.machineLoad.end[0]}`);
      }
    }
    const queries: ReadQueryResult[] = [];
    for (const c of cases) {
      const plan = await explainEdgeQuery(stack.MONGODB_URI, names.database, c.driver, indexes);
      const rs = rounds.get(c.name)!;
      queries.push({ name: c.name, path: c.path(), rounds: rs, ratio: ratioSpread(rs.map((r) => r.ratio)), plan });
      log(`  ${c.name}: server plan ${plan.serverPlan.join(' | ')}${plan.pushdown ? ` (pushdown ${JSON.stringify(plan.pushdown)})` : ''}; MongoDB index ${plan.mongoIndex ?? 'NONE'}`);
    }
    const perRound = Array.from({ length: s.repeats }, (_, i) => Math.min(...queries.map((q) => q.rounds[i]!.ratio)));
    return { orders: s.orders, seedSeconds, connections: s.connections, seconds: s.seconds, repeats: s.repeats, indexes, queries, ratio: ratioSpread(perRound) };
  } finally {
    agent?.destroy();
    if (edge && edge.child.exitCode === null) {
      const exited = new Promise((r) => edge!.child.once('exit', r));
      edge.child.kill('SIGTERM');
      await exited;
    }
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await admin.deleteTopics({ topics: [names.commands, names.outcomes] }).catch(() => undefined);
    await admin.disconnect();
  }
}
