// Regression: FerretDB v1.24 dropped the connection (server panic "slice bounds out of
// range [:3:2]") when createIndexes repeated existing indexes next to compound ones, so
// every second start of the processor or the edge on the same database failed. Index
// set-up must be repeatable on the same database.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ensureIdempotencyIndexes } from '../../src/shared/idempotency-collection.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { ensureOrderIndexes, ordersCollection } from '../../src/shared/orders-collection.js';
import { ensureOutcomeIndexes } from '../../src/shared/outcomes-collection.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

describe('index set-up runs twice on the same database', () => {
  it('creates the indexes once and is a no-op the second time', async () => {
    const client = createMongoClient(stackEnv().mongodbUri);
    const db = client.db(uniqueName('regr_idx').replace(/-/g, '_'));
    const log = pino({ level: 'silent' });
    try {
      for (let start = 0; start < 2; start++) {
        await ensureOrderIndexes(db);
        (await ensureOutcomeIndexes(db, log, 3600)).stop();
        (await ensureIdempotencyIndexes(db, log, 24 * 3600)).stop();
      }
      const names = (await ordersCollection(db).indexes()).map((i) => i.name).sort();
      expect(names).toEqual(['_id_', 'createdAt', 'customer_createdAt', 'priority_createdAt', 'status_createdAt']);
      expect(await db.admin().command({ ping: 1 })).toMatchObject({ ok: 1 });
    } finally {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    }
  });
});
