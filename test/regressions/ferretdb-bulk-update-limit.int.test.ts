// Regression: FerretDB v1.24 hangs a database for good when one update command carries
// 100 or more updates matching existing documents (a leaked iterator holds a pooled
// connection); every later request on that database waited forever, which stalled the
// processor on big batches. Our build is patched (stack/ferretdb/patches.mjs); the order
// store writes a batch in one bulk, with no chunking.
import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/processor/apply-batch.js';
import { OrderStore } from '../../src/processor/order-store.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { command, createOrder } from '../support/commands.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

describe('order store with 250 orders changed in one batch', () => {
  it('writes them all and the database still answers afterwards', async () => {
    const client = createMongoClient(stackEnv().mongodbUri);
    const db = client.db(uniqueName('regr_bulk').replace(/-/g, '_'));
    try {
      const store = new OrderStore(db);
      const ids = Array.from({ length: 250 }, (_, i) => `ORD-bulk-${i}`);
      const at = (i: number, c: ReturnType<typeof createOrder>) => ({ record: null, position: { partition: 0, offset: String(i) }, command: c });
      const created = applyBatch(ids.map((id, i) => at(i, createOrder(id))), { topicId: 'commands-topic-id', orders: new Map(), outcomes: new Map() });
      await store.write(created.writes);
      const loaded = await store.load(ids);
      const validated = applyBatch(ids.map((id, i) => at(1000 + i, command('ValidateOrder', id))), { topicId: 'commands-topic-id', orders: loaded, outcomes: new Map() });
      await store.write(validated.writes); // 250 updates: must not hang the database
      expect(await ordersCollection(db).countDocuments({ 'order.status': 'validated' })).toBe(250);
    } finally {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    }
  }, 60_000);
});
