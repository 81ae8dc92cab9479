// The `orders` collection: one document per order, written only by the processor with
// one atomic single-document write per batch (G2), read by the edge.
import type { Collection, Db } from 'mongodb';
import type { OrderState } from '../domain/index.js';
import type { OrderEvent } from '../schemas/index.js';

export const ORDERS_COLLECTION = 'orders';

/**
 * Events and outcomes of the commands applied by the latest write, with the Kafka
 * position of each command record. If that write's Kafka transaction never committed
 * (crash, rebalance), the same records are delivered again: a command found here at the
 * same partition/offset gets its stored events re-published. A command that is in
 * appliedCommands but not here (or at another offset) is a duplicate submission whose
 * events are already out.
 */
export interface PendingPublication {
  partition: number;
  /** commandId → offset of the record that applied it. */
  offsets: Record<string, string>;
  events: OrderEvent[];
}

/** The order's state as the domain defines it, plus what is not yet confirmed published. */
export interface OrderDocument extends OrderState {
  _id: string;
  /** Bumped by every write; writes are conditional on it (optimistic concurrency). */
  revision: number;
  pending: PendingPublication | null;
}

export const ordersCollection = (db: Db): Collection<OrderDocument> => db.collection<OrderDocument>(ORDERS_COLLECTION);

/** Indexes for the edge's queries: by status (newest first), by customer, by priority. */
export async function ensureOrderIndexes(db: Db): Promise<void> {
  await ordersCollection(db).createIndexes([
    { key: { 'order.status': 1, 'order.createdAt': -1, _id: -1 }, name: 'status_createdAt' },
    { key: { 'order.customerId': 1, 'order.createdAt': -1, _id: -1 }, name: 'customer_createdAt' },
    { key: { 'order.priority': 1, 'order.createdAt': -1, _id: -1 }, name: 'priority_createdAt' },
    { key: { 'order.createdAt': -1, _id: -1 }, name: 'createdAt' },
  ]);
}
