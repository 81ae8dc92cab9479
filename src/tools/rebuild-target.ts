// The database a rebuild writes: whether it may (empty, or a rebuild of ours to resume,
// or --replace), the checkpoint that makes a killed rebuild continue where it stopped,
// and the writes of one chunk — the orders' documents, then their history entries, then
// the checkpoint. A kill between two of them leaves a checkpoint behind what is written:
// the events after it are read again, and an order already at their version takes none
// of them twice (event-fold.ts), while their history entries are inserted once.
import type { AnyBulkWriteOperation, Db } from 'mongodb';
import type { OrderEvent } from '../schemas/index.js';
import { HISTORY_COLLECTION, recordHistory } from '../shared/history-collection.js';
import { ordersCollection, ORDERS_COLLECTION, type OrderDocument } from '../shared/orders-collection.js';
import { OUTCOMES_COLLECTION } from '../shared/outcomes-collection.js';
import { PROGRESS_COLLECTION } from '../processor/committed-progress.js';
import { COMMAND_DEAD_LETTERS_COLLECTION } from '../shared/command-dead-letters-collection.js';
import type { OrderState } from '../domain/index.js';

export const CHECKPOINT_COLLECTION = 'rebuild_checkpoint';

/**
 * Statements per write command. FerretDB v1 hangs on an update command that matches 100
 * or more documents; inserts are chunked the same so one chunk's cost stays predictable.
 */
export const WRITE_CHUNK = 99;

/**
 * The collections a rebuild writes, and that must be empty before it starts. The
 * processor's committed progress is not rebuilt (rebuilt orders have nothing pending,
 * which is all it is for), only cleared with the rest.
 */
export const REBUILT_COLLECTIONS = [ORDERS_COLLECTION, HISTORY_COLLECTION, OUTCOMES_COLLECTION, COMMAND_DEAD_LETTERS_COLLECTION, PROGRESS_COLLECTION] as const;

/** What the processor needs to carry on from where the log ends (rebuild-resume.ts); absent for a read model. */
export interface ResumePoint {
  /** Kafka's id of the commands topic the offsets are positions in. */
  commandsTopicId: string;
  /** Per partition of the commands topic, the processor group's committed offset. */
  committed: Record<string, string>;
}

export interface Checkpoint {
  _id: 'rebuild';
  eventsTopic: string;
  /** Per partition of the events topic, the next offset to read. */
  next: Record<string, string>;
  events: number;
  phase: 'events' | 'outcomes' | 'done';
  /** null: a read model (no processor state); else what the processor resumes from. */
  resume: ResumePoint | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
}

const checkpoints = (db: Db) => db.collection<Checkpoint>(CHECKPOINT_COLLECTION);

export const readCheckpoint = (db: Db): Promise<Checkpoint | null> => checkpoints(db).findOne({ _id: 'rebuild' });

export async function writeCheckpoint(db: Db, checkpoint: Checkpoint): Promise<void> {
  await checkpoints(db).replaceOne({ _id: 'rebuild' }, { ...checkpoint, updatedAt: new Date() }, { upsert: true });
}

/** The rebuilt collections that hold documents. */
export async function nonEmptyCollections(db: Db): Promise<string[]> {
  const found: string[] = [];
  for (const name of REBUILT_COLLECTIONS) if ((await db.collection(name).findOne({}, { projection: { _id: 1 } })) !== null) found.push(name);
  return found;
}

/** --replace: what a rebuild writes goes, indexes and checkpoint with it. */
export async function clearTarget(db: Db): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of [...REBUILT_COLLECTIONS, CHECKPOINT_COLLECTION]) if (existing.has(name)) await db.collection(name).drop();
}

/** Stored states of these orders (a resumed rebuild continues from them). */
export async function loadStates(db: Db, orderIds: string[]): Promise<Map<string, OrderState>> {
  const states = new Map<string, OrderState>();
  for (let i = 0; i < orderIds.length; i += WRITE_CHUNK) {
    const docs = await ordersCollection(db)
      .find({ _id: { $in: orderIds.slice(i, i + WRITE_CHUNK) } }, { projection: { version: 1, order: 1 } })
      .toArray();
    for (const d of docs) states.set(d._id, { version: d.version, order: d.order });
  }
  return states;
}

/**
 * An order's document as the processor would find it after the log's last event:
 * `positions` as rebuild-resume.ts derives them, nothing pending (every event in the log
 * is committed, and what was never committed is not in it). `revision` is the version:
 * a rebuild gives the same document however often it ran or was interrupted.
 */
export const rebuiltDocument = (orderId: string, state: OrderState, resume: ResumePoint | null, positions: Record<string, string>): OrderDocument => ({
  _id: orderId,
  version: state.version,
  order: state.order,
  revision: state.version,
  ...(resume ? { commandsTopicId: resume.commandsTopicId } : {}),
  positions,
  pending: [],
});

/**
 * One chunk: the documents of the orders it changed — inserted when the target has none
 * yet (an insert costs FerretDB a fraction of an upsert), else replaced — then the
 * history entries of its events.
 */
export async function writeChunk(db: Db, docs: Array<{ doc: OrderDocument; stored: boolean }>, events: OrderEvent[]): Promise<void> {
  const orders = ordersCollection(db);
  for (let i = 0; i < docs.length; i += WRITE_CHUNK) {
    const ops: AnyBulkWriteOperation<OrderDocument>[] = docs
      .slice(i, i + WRITE_CHUNK)
      .map(({ doc, stored }) => (stored ? { replaceOne: { filter: { _id: doc._id }, replacement: doc } } : { insertOne: { document: doc } }));
    await orders.bulkWrite(ops, { ordered: false });
  }
  for (let i = 0; i < events.length; i += WRITE_CHUNK) await recordHistory(db, events.slice(i, i + WRITE_CHUNK));
}
