// MongoDB side of a batch: one read of the touched orders, one bulk write of their new
// documents (each an atomic single-document replace, conditional on its revision), one
// bulk upsert of the outcomes. No multi-document transactions (FerretDB has none).
import { MongoBulkWriteError, type Db } from 'mongodb';
import { DUPLICATE_KEY } from '../shared/mongo.js';
import { ordersCollection, type OrderDocument } from '../shared/orders-collection.js';
import { outcomesCollection, toOutcomeDocument } from '../shared/outcomes-collection.js';
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
}

export const MONGODB_STRATEGY: StoreStrategy = { load: 'in', conditionalWrites: true };
export const FERRETDB_STRATEGY: StoreStrategy = { load: 'each', conditionalWrites: false };

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

  async write(writes: OrderWrite[]): Promise<void> {
    if (writes.length === 0) return;
    let result;
    try {
      result = await ordersCollection(this.db).bulkWrite(
        writes.map(({ expectedRevision, doc }) => ({
          replaceOne: this.strategy.conditionalWrites
            ? {
                // A new order is upserted: if someone else inserted it meanwhile, the insert
                // fails with a duplicate key, which is the conflict we want to see.
                filter: expectedRevision === 0 ? { _id: doc._id, revision: { $exists: false } } : { _id: doc._id, revision: expectedRevision },
                replacement: doc,
                upsert: expectedRevision === 0,
              }
            : { filter: { _id: doc._id }, replacement: doc, upsert: true },
        })),
        { ordered: false },
      );
    } catch (err) {
      if (err instanceof MongoBulkWriteError && err.code === DUPLICATE_KEY) throw new ConcurrentWriteError(err.message);
      throw err;
    }
    const done = result.matchedCount + result.upsertedCount;
    if (done !== writes.length) throw new ConcurrentWriteError(`${writes.length - done} of ${writes.length} conditional writes matched no document`);
  }

  async recordOutcomes(outcomes: CommandOutcome[], at: Date): Promise<void> {
    if (outcomes.length === 0) return;
    await outcomesCollection(this.db).bulkWrite(
      outcomes.map((o) => ({ replaceOne: { filter: { _id: o.commandId }, replacement: toOutcomeDocument(o, at), upsert: true } })),
      { ordered: false },
    );
  }
}

/** FerretDB says so in buildInfo; everything else is treated as MongoDB. */
export async function detectStoreStrategy(db: Db): Promise<StoreStrategy> {
  const info = await db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info || 'ferretdb' in info ? FERRETDB_STRATEGY : MONGODB_STRATEGY;
}
