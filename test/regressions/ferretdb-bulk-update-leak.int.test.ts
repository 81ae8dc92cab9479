// Regression: FerretDB v1.24 hung a database for good on one update command with 100 or
// more statements matching existing documents: its limit iterator stopped without closing
// the backend query, each open query kept one of the 100 pooled SQLite connections, and
// the next write waited for a free one forever. Pins, on the server itself with no
// chunking by the app, that a 1,000-statement bulk update completes.
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { stackEnv, uniqueName } from '../support/stack-env.js';

describe('one bulkWrite of 1,000 replaceOne on existing documents', () => {
  it('completes, and the database still answers afterwards', async () => {
    // A hang fails the operation (no answer on the socket for 30 s) instead of the whole test.
    const client = new MongoClient(stackEnv().mongodbUri, { socketTimeoutMS: 30_000, serverSelectionTimeoutMS: 5_000 });
    const db = client.db(uniqueName('regr_bulk_leak').replace(/-/g, '_'));
    const docs = db.collection<{ _id: string; v: number }>('orders');
    try {
      const ids = Array.from({ length: 1_000 }, (_, i) => `order-${i}`);
      await docs.insertMany(ids.map((_id) => ({ _id, v: 0 })));
      const result = await docs.bulkWrite(ids.map((_id) => ({ replaceOne: { filter: { _id }, replacement: { v: 1 } } })));
      expect(result.matchedCount).toBe(1_000);
      expect(result.modifiedCount).toBe(1_000);
      expect(await docs.countDocuments({ v: 1 })).toBe(1_000);
      expect((await docs.updateOne({ _id: 'order-0' }, { $set: { v: 2 } })).modifiedCount).toBe(1);
    } finally {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    }
  });
});
