// Order documents kept between batches, so the next command of a busy order needs no
// read. Valid only while this replica owns the order's partition: every rebalance
// (revoke or assign) empties it and starts a new epoch, and a batch planned in an older
// epoch must not put its results back (another replica may have written those orders
// since — scale 3 → 1 hands a partition back with newer state in MongoDB). Bounded by
// the documents' BSON size, not their number: an order's document grows with its
// pending commands, so a count bound says nothing about memory.
import { BSON } from 'mongodb';
import { LRUCache } from 'lru-cache';
import type { OrderDocument } from '../shared/orders-collection.js';

export class OrderCache {
  private readonly lru: LRUCache<string, OrderDocument> | undefined;
  private currentEpoch = 0;

  constructor(maxBytes: number) {
    this.lru = maxBytes > 0 ? new LRUCache({ maxSize: maxBytes, sizeCalculation: (doc) => Math.max(1, BSON.calculateObjectSize(doc)) }) : undefined;
  }

  /** BSON bytes held now. */
  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }

  /** Taken when a batch is planned; hand it back to rememberAll. */
  get epoch(): number {
    return this.currentEpoch;
  }

  get(orderId: string): OrderDocument | undefined {
    return this.lru?.get(orderId);
  }

  /** Partitions changed hands, or a batch failed: nothing cached is trusted any more. */
  reset(): void {
    this.currentEpoch++;
    this.lru?.clear();
  }

  /** The committed states of a batch planned in `epoch`; dropped if the cache was reset since. */
  rememberAll(docs: Iterable<OrderDocument>, epoch: number): void {
    if (!this.lru || epoch !== this.currentEpoch) return;
    for (const doc of docs) this.lru.set(doc._id, doc);
  }
}
