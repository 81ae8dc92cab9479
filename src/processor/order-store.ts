// MongoDB side of a batch: one read of the touched orders, one bulk write of their new
// documents (each an atomic single-document replace, conditional on its revision), one
// bulk upsert of the outcomes. No multi-document transactions (FerretDB has none).
import { MongoBulkWriteError, type Db } from 'mongodb';
import { DUPLICATE_KEY } from '../shared/mongo.js';
import { ordersCollection, type OrderDocument } from '../shared/orders-collection.js';
import { fromOutcomeDocument, outcomeKey, outcomesCollection, toOutcomeDocument } from '../shared/outcomes-collection.js';
import type { CommandOutcome } from '../schemas/index.js';
import type { OrderWrite } from './apply-batch.js';

/** Another writer changed an order since we read it (a zombie replica during a rebalance). */
export class ConcurrentWriteError extends Error {
  constructor(detail: string) {
    super(`orders changed concurrently: ${detail}`);
    this.name = 'ConcurrentWriteError';
  }
}

/**
 * How to talk to the server. MongoDB: one `{_id: {$in: ids}}` read and writes
 * conditional on the stored revision (atomic compare-and-set). FerretDB v1 (SQLite):
 * its backend pushes down only a lone `_id` equality — `$in` and any second filter
 * field scan the whole collection — and its filtered updates are not atomic anyway, so
 * there we read per `_id` in parallel and write by `_id` alone (no zombie-writer check;
 * the Kafka transaction still fences a zombie's events and offsets).
 */
export interface StoreStrategy {
  load: 'in' | 'each';
  conditionalWrites: boolean;
  /** Updates per bulk write (FerretDB v1.24 hangs the database on an update command with 100 or more). */
  maxUpdatesPerBulk: number;
}

export const MONGODB_STRATEGY: StoreStrategy = { load: 'in', conditionalWrites: true, maxUpdatesPerBulk: 1000 };
export const FERRETDB_STRATEGY: StoreStrategy = { load: 'each', conditionalWrites: false, maxUpdatesPerBulk: 50 };

export class OrderStore {
  constructor(
    private readonly db: Db,
    private readonly strategy: StoreStrategy,
  ) {}

  async load(orderIds: string[]): Promise<Map<string, OrderDocument>> {
    const orders = ordersCollection(this.db);
    const docs =
      this.strategy.load === 'in'
        ? await orders.find({ _id: { $in: orderIds } }).toArray()
        : (await Promise.all(orderIds.map((id) => orders.findOne({ _id: id })))).filter((d): d is OrderDocument => d !== null);
    return new Map(docs.map((d) => [d._id, d]));
  }

  /** Stored outcomes of these commandIds, by outcomeKey: the processor's idempotency records. */
  async loadOutcomes(commandIds: string[]): Promise<Map<string, CommandOutcome>> {
    const keys = [...new Set(commandIds.map(outcomeKey))];
    if (keys.length === 0) return new Map();
    const outcomes = outcomesCollection(this.db);
    const docs =
      this.strategy.load === 'in'
        ? await outcomes.find({ _id: { $in: keys } }).toArray()
        : (await Promise.all(keys.map((k) => outcomes.findOne({ _id: k })))).filter((d) => d !== null);
    return new Map(docs.map((d) => [d._id, fromOutcomeDocument(d)]));
  }

  async write(writes: OrderWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const orders = ordersCollection(this.db);
    // New orders are inserted: a duplicate key means someone else created it meanwhile,
    // the conflict we want to see (and an insert is cheaper than an update on FerretDB).
    const inserts = writes.filter((w) => w.expectedRevision === 0).map((w) => ({ insertOne: { document: w.doc } }));
    const replaces = writes
      .filter((w) => w.expectedRevision !== 0)
      .map(({ expectedRevision, doc }) => ({
        replaceOne: {
          filter: this.strategy.conditionalWrites ? { _id: doc._id, revision: expectedRevision } : { _id: doc._id },
          replacement: doc,
        },
      }));
    let done = 0;
    try {
      if (inserts.length > 0) done += (await orders.bulkWrite(inserts, { ordered: false })).insertedCount;
      for (let i = 0; i < replaces.length; i += this.strategy.maxUpdatesPerBulk) {
        done += (await orders.bulkWrite(replaces.slice(i, i + this.strategy.maxUpdatesPerBulk), { ordered: false })).matchedCount;
      }
    } catch (err) {
      if (err instanceof MongoBulkWriteError && err.code === DUPLICATE_KEY) throw new ConcurrentWriteError(err.message);
      throw err;
    }
    if (done !== writes.length) throw new ConcurrentWriteError(`${writes.length - done} of ${writes.length} conditional writes matched no document`);
  }

  /**
   * Inserts; an outcome already there (a replayed batch) is the same record and its
   * duplicate key is ignored. Inserts, not upserts: one round trip, and on FerretDB
   * an insert is cheaper than an update.
   */
  async recordOutcomes(outcomes: CommandOutcome[], at: Date): Promise<void> {
    if (outcomes.length === 0) return;
    // One record per commandId even if a batch holds the same command twice.
    const unique = [...new Map(outcomes.map((o) => [outcomeKey(o.commandId), o])).values()];
    try {
      await outcomesCollection(this.db).insertMany(unique.map((o) => toOutcomeDocument(o, at)), { ordered: false });
    } catch (err) {
      const onlyDuplicates =
        err instanceof MongoBulkWriteError && [err.writeErrors].flat().every((e) => e.code === DUPLICATE_KEY);
      if (!onlyDuplicates) throw err;
    }
  }
}

/** FerretDB says so in buildInfo; everything else is treated as MongoDB. */
export async function detectStoreStrategy(db: Db): Promise<StoreStrategy> {
  const info = await db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info || 'ferretdb' in info ? FERRETDB_STRATEGY : MONGODB_STRATEGY;
}
