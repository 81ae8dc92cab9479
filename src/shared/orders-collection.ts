// The `orders` collection: one document per order, written only by the processor with
// one atomic single-document write per batch (G2), read by the edge.
import type { Collection, Db, Filter } from 'mongodb';
import type { OrderState } from '../domain/index.js';
import type { CommandOutcome, OrderEvent } from '../schemas/index.js';
import { ensureIndexes } from './mongo.js';

export const ORDERS_COLLECTION = 'orders';

/**
 * A command applied to this order whose Kafka transaction is not known to have
 * committed: its outcome and events, and the position of its record. If that
 * transaction never committed (crash, rebalance), the same record is delivered again
 * and gets exactly these outputs again. Dropped by a later batch of the same partition
 * once the group's committed offset is known to be past it.
 */
export interface PendingCommand {
  commandId: string;
  partition: number;
  offset: string;
  outcome: CommandOutcome;
  events: OrderEvent[];
}

/** The order's state as the domain defines it, plus what exactly-once needs (G2). */
export interface OrderDocument extends OrderState {
  _id: string;
  /** Bumped by every write; writes are conditional on it (optimistic concurrency). */
  revision: number;
  /**
   * Kafka's id of the commands topic `positions` and `pending` refer to: offsets of
   * another incarnation of the topic (re-created, a mirror) are not these. Absent in
   * documents written before it was stored (taken as the current topic's).
   */
  commandsTopicId?: string;
  /**
   * Per partition, the offset of the last command record applied to this order: a
   * record at or below it is a redelivery, however many commands the order received.
   */
  positions: Record<string, string>;
  pending: PendingCommand[];
}

export const ordersCollection = (db: Db): Collection<OrderDocument> => db.collection<OrderDocument>(ORDERS_COLLECTION);

/** Indexes for the edge's queries: by status (newest first), by customer, by priority. */
export async function ensureOrderIndexes(db: Db): Promise<void> {
  await ensureIndexes(ordersCollection(db), [
    { key: { 'order.status': 1, 'order.createdAt': -1, _id: -1 }, name: 'status_createdAt' },
    { key: { 'order.customerId': 1, 'order.createdAt': -1, _id: -1 }, name: 'customer_createdAt' },
    { key: { 'order.priority': 1, 'order.createdAt': -1, _id: -1 }, name: 'priority_createdAt' },
    { key: { 'order.createdAt': -1, _id: -1 }, name: 'createdAt' },
  ]);
}

/** The stored document of one order, or null (the edge's GET /orders/{id}). */
export const findOrderDocument = (db: Db, orderId: string): Promise<OrderDocument | null> =>
  ordersCollection(db).findOne({ _id: orderId }, { projection: { pending: 0, positions: 0, commandsTopicId: 0 } });

export interface OrderListQuery {
  status?: string;
  priority?: string;
  customerId?: string;
  /** Keyset position: rows strictly older than (createdAt, _id). */
  before?: { createdAt: string; orderId: string };
  limit: number;
}

/**
 * Newest first by (createdAt, _id), keyset-paginated. Filter values are equality matches
 * on validated strings, never user-supplied query objects (no operator injection).
 */
export function listOrderDocuments(db: Db, q: OrderListQuery): Promise<OrderDocument[]> {
  const filter: Filter<OrderDocument> = { order: { $ne: null } } as Filter<OrderDocument>;
  const f = filter as Record<string, unknown>;
  if (q.status !== undefined) f['order.status'] = q.status;
  if (q.priority !== undefined) f['order.priority'] = q.priority;
  if (q.customerId !== undefined) f['order.customerId'] = q.customerId;
  if (q.before) {
    // The bound on createdAt alone starts the index scan at the cursor; the $or then
    // drops the orders of that same instant the previous page already had.
    f['order.createdAt'] = { $lte: q.before.createdAt };
    f.$or = [{ 'order.createdAt': { $lt: q.before.createdAt } }, { 'order.createdAt': q.before.createdAt, _id: { $lt: q.before.orderId } }];
  }
  return ordersCollection(db)
    .find(filter, { projection: { pending: 0, positions: 0, commandsTopicId: 0 } })
    .sort({ 'order.createdAt': -1, _id: -1 })
    .limit(q.limit)
    .toArray();
}
