// `order-service verify`: does a database hold what the event log says — or what another
// database holds? Per order: status, fields, version and history (verify-compare.ts).
// Prints each difference; exits 1 on any, 0 on none. Run it after a rebuild, and after an
// incident to know whether anything diverged. Reads only.
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { Db } from 'mongodb';
import { timelineEntryOf } from '../domain/index.js';
import { ConfigError, loadConfig, type Config } from '../shared/config.js';
import { historyCollection, timelineEntryOfDocument } from '../shared/history-collection.js';
import { createKafka, createTopicReader } from '../shared/kafka.js';
import { createMongoClient } from '../shared/mongo.js';
import { ordersCollection } from '../shared/orders-collection.js';
import { schemaResolver } from '../shared/registry.js';
import { decodeEventRecord, foldEvent, LogGapError, recordPosition } from './event-fold.js';
import { highWatermarksOf, readTopic } from './topic-reader.js';
import { Comparison, type Difference, type OrderSnapshot } from './verify-compare.js';

export interface VerifyResult {
  left: string;
  right: string;
  orders: number;
  events?: number;
  differences: Difference[];
}

/** The log folded: every order's state and history as the events say. Notes what no fold can take (a gap, an event twice). */
export async function snapshotOfLog(config: Config): Promise<{ orders: Map<string, OrderSnapshot>; events: number; notes: Difference[] }> {
  const resolver = schemaResolver(config.schemaRegistryUrl);
  const orders = new Map<string, OrderSnapshot>();
  const notes: Difference[] = [];
  const broken = new Set<string>();
  const connection = { brokers: config.kafkaBrokers, clientId: `${config.serviceName}-verify`, security: config.kafkaSecurity };
  const admin = createKafka(connection).admin();
  await admin.connect();
  const { records } = await readTopic(createTopicReader(connection), config.topics.events, {
    highWatermarks: highWatermarksOf(admin, config.topics.events),
    onBatch: async (batch) => {
      const events = await Promise.all(batch.map((r) => decodeEventRecord(r, resolver)));
      events.forEach((e, i) => {
        if (broken.has(e.orderId)) return;
        const at = recordPosition(batch[i]!);
        const snapshot = orders.get(e.orderId) ?? { version: 0, order: null, history: new Map() };
        try {
          const r = foldEvent(snapshot, e, at);
          if (r.kind === 'already') return notes.push({ orderId: e.orderId, what: `event version ${e.version} published again at ${at} (eventId ${e.eventId})` });
          orders.set(e.orderId, { ...r.state, history: snapshot.history.set(e.version, timelineEntryOf(e)) });
        } catch (err) {
          if (!(err instanceof LogGapError)) throw err;
          broken.add(e.orderId);
          notes.push({ orderId: e.orderId, what: err.message });
        }
      });
    },
  }).finally(() => admin.disconnect().catch(() => undefined));
  return { orders, events: records, notes };
}

/** A database's orders and history, held in memory (the left side of a database-to-database comparison). */
export async function snapshotOfDb(db: Db): Promise<Map<string, OrderSnapshot>> {
  const orders = new Map<string, OrderSnapshot>();
  for await (const d of ordersCollection(db).find({}, { projection: { version: 1, order: 1 } })) orders.set(d._id, { version: d.version, order: d.order, history: new Map() });
  for await (const doc of historyCollection(db).find({})) {
    const o = orders.get(doc.orderId) ?? { version: 0, order: null, history: new Map() };
    orders.set(doc.orderId, o);
    o.history.set(doc.version, timelineEntryOfDocument(doc));
  }
  return orders;
}

/** Streams a database's orders and history past the comparison. */
async function compareDb(comparison: Comparison, db: Db): Promise<void> {
  for await (const d of ordersCollection(db).find({}, { projection: { version: 1, order: 1 } })) comparison.order(d._id, { version: d.version, order: d.order });
  for await (const doc of historyCollection(db).find({})) comparison.historyEntry(doc.orderId, timelineEntryOfDocument(doc));
}

export async function verify(config: Config, opts: { database: string; against?: string }): Promise<VerifyResult> {
  const mongo = createMongoClient(config.mongodbUri, `${config.serviceName}-verify`);
  await mongo.connect();
  try {
    const right = `database ${opts.against ?? opts.database}`;
    if (opts.against) {
      const left = `database ${opts.database}`;
      const expected = await snapshotOfDb(mongo.db(opts.database));
      const comparison = new Comparison(expected, left, right);
      await compareDb(comparison, mongo.db(opts.against));
      return { left, right, orders: expected.size, differences: comparison.finish() };
    }
    const left = `log ${config.topics.events}`;
    const log = await snapshotOfLog(config);
    const comparison = new Comparison(log.orders, left, right);
    for (const n of log.notes) comparison.note(n.orderId, n.what);
    await compareDb(comparison, mongo.db(opts.database));
    return { left, right, orders: log.orders.size, events: log.events, differences: comparison.finish() };
  } finally {
    await mongo.close().catch(() => undefined);
  }
}

/** Exit codes: 0 no difference, 1 differences (or Kafka/MongoDB failed), 2 bad usage or configuration. */
export async function runVerifyCli(argv: string[], io: { env?: Record<string, string | undefined>; out?: (line: string) => void; err?: (line: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const program = new Command('verify')
    .description('compare a database with the events topic (or with another database): per order status, fields, version and history; exit 1 on any difference')
    .option('--database <name>', 'the database to check (default: MONGODB_DATABASE)')
    .option('--against <name>', 'compare with this database instead of the event log')
    .option('--max <n>', 'print at most n differences', '50')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) });
  try {
    program.parse(argv, { from: 'user' });
    const o = program.opts<{ database?: string; against?: string; max: string }>();
    const config = loadConfig(io.env ?? process.env);
    const r = await verify(config, { database: o.database ?? config.mongodbDatabase, ...(o.against ? { against: o.against } : {}) });
    const max = Math.max(0, Number(o.max) || 0);
    for (const d of r.differences.slice(0, max)) out(`${d.orderId}: ${d.what}`);
    if (r.differences.length > max) out(`… and ${r.differences.length - max} more`);
    const orders = new Set(r.differences.map((d) => d.orderId)).size;
    const read = `${r.orders} orders${r.events !== undefined ? ` from ${r.events} events` : ''}`;
    if (r.differences.length === 0) {
      out(`verify: no difference between ${r.left} and ${r.right} (${read})`);
      return 0;
    }
    out(`verify: ${r.differences.length} difference(s) in ${orders} order(s) between ${r.left} and ${r.right} (${read})`);
    return 1;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 2;
    if (e instanceof ConfigError) {
      err(e.message);
      return 2;
    }
    err(`verify failed: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runVerifyCli(process.argv.slice(2));
}
