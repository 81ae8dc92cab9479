// MongoDB side of a batch, the same on every server: one `$in` read of the touched
// orders, one bulk write of their new documents (each an atomic single-document write,
// conditional on the revision it was read at), one insert of their history entries
// (after the documents: a writer whose write was refused records nothing), one insert
// of the rejections' outcomes (an applied command's outcome is its history entry), and
// before, one `$in` read of each for the batch's commandIds (command-outcomes.ts).
// No multi-document transactions
// (FerretDB has none). Our FerretDB build is patched to behave like MongoDB here
// (stack/ferretdb/patches.mjs: atomic conditional writes, no bulk-update hang, `_id`
// `$in` on the index).
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Db } from 'mongodb';
import { recordHistory } from '../shared/history-collection.js';
import { recordCommandDeadLetters, type CommandDeadLetter } from '../shared/command-dead-letters-collection.js';
import { DUPLICATE_KEY, insertOnce } from '../shared/mongo.js';
import { ordersCollection, type OrderDocument } from '../shared/orders-collection.js';
import { findOutcomes } from '../shared/command-outcomes.js';
import { outcomeKey, outcomesCollection, toOutcomeDocument } from '../shared/outcomes-collection.js';
import type { CommandOutcome, OrderEvent } from '../schemas/index.js';
import type { OrderWrite } from './apply-batch.js';

/** Another writer changed an order since we read it (a zombie replica during a rebalance). */
export class ConcurrentWriteError extends Error {
  constructor(detail: string) {
    super(`orders changed concurrently: ${detail}`);
    this.name = 'ConcurrentWriteError';
  }
}

export class OrderStore {
  constructor(private readonly db: Db) {}

  async load(orderIds: string[]): Promise<Map<string, OrderDocument>> {
    if (orderIds.length === 0) return new Map();
    const docs = await ordersCollection(this.db).find({ _id: { $in: orderIds } }).toArray();
    return new Map(docs.map((d) => [d._id, d]));
  }

  /** Stored outcomes of these commandIds, by outcomeKey: the processor's idempotency records. */
  loadOutcomes(commandIds: string[]): Promise<Map<string, CommandOutcome>> {
    return findOutcomes(this.db, commandIds);
  }

  /**
   * New orders are inserted (a duplicate key means someone else created it meanwhile);
   * existing ones are replaced only if still at the revision they were read at. Either
   * miss means another writer got there first: ConcurrentWriteError, and the runner
   * reads again.
   */
  async write(writes: OrderWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const ops: AnyBulkWriteOperation<OrderDocument>[] = writes.map(({ expectedRevision, doc }) =>
      expectedRevision === 0
        ? { insertOne: { document: doc } }
        : { replaceOne: { filter: { _id: doc._id, revision: expectedRevision }, replacement: doc } },
    );
    let done: number;
    try {
      const r = await ordersCollection(this.db).bulkWrite(ops, { ordered: false });
      done = r.insertedCount + r.matchedCount;
    } catch (err) {
      if (err instanceof MongoBulkWriteError && err.code === DUPLICATE_KEY) throw new ConcurrentWriteError(err.message);
      throw err;
    }
    if (done !== writes.length) throw new ConcurrentWriteError(`${writes.length - done} of ${writes.length} conditional writes matched no document`);
  }

  /**
   * The rejections' outcomes, inserted once: the first outcome of a commandId is the one
   * that stays. An applied command's outcome is its history entry (recordHistory).
   */
  async recordOutcomes(outcomes: CommandOutcome[], at: Date): Promise<void> {
    // One record per commandId even if a batch holds the same command twice.
    const unique = [...new Map(outcomes.filter((o) => o.status !== 'applied').map((o) => [outcomeKey(o.commandId), o])).values()];
    await insertOnce(outcomesCollection(this.db), unique.map((o) => toOutcomeDocument(o, at)));
  }

  /** Commands dead-lettered, for GET /commands/{id} (see command-dead-letters-collection.ts). */
  recordDeadLetters(letters: CommandDeadLetter[], at: Date): Promise<void> {
    return recordCommandDeadLetters(this.db, letters, at);
  }

  /** The history entries of these events (see history-collection.ts). */
  recordHistory(events: OrderEvent[]): Promise<void> {
    return recordHistory(this.db, events);
  }
}
