// Regression: FerretDB v1.24/SQLite pushed down only a filter that is a lone _id equality,
// so `{_id: {$in: [...]}}` (the processor's batch read) and `{_id, revision}` (its
// conditional write) scanned the whole collection. Pins, on the query plan of the SQL our
// FerretDB really issues (its debug log), that both reach the _id index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDebugFerretDB, type DebugFerretDB } from '../support/ferretdb-debug.js';

const selectOrders = /^SELECT .* FROM "orders_/;

describe('FerretDB reads _id $in and _id-plus-fields filters through the _id index', () => {
  let ferret: DebugFerretDB;

  beforeAll(async () => {
    ferret = await startDebugFerretDB('ferretdb-id-in-index');
  });

  afterAll(async () => {
    await ferret?.stop();
  });

  it('uses the index for find by _id $in and for replaceOne by _id and revision', async () => {
    const orders = ferret.client.db('regr').collection<{ _id: string; revision: number }>('orders');
    await orders.insertMany(Array.from({ length: 50 }, (_, n) => ({ _id: `order-${n}`, revision: 0 })));
    await ferret.takeStatements(/^INSERT INTO "orders_/);

    const found = await orders.find({ _id: { $in: ['order-3', 'order-7', 'order-404'] } }).toArray();
    expect(found.map((o) => o._id).sort()).toEqual(['order-3', 'order-7']);
    const selectsForIn = (await ferret.takeStatements(selectOrders)).filter((sql) => selectOrders.test(sql));
    expect(selectsForIn).not.toEqual([]);

    expect((await orders.replaceOne({ _id: 'order-7', revision: 0 }, { revision: 1 })).modifiedCount).toBe(1);
    expect((await orders.replaceOne({ _id: 'order-7', revision: 0 }, { revision: 2 })).matchedCount).toBe(0);
    const selectsForReplace = (await ferret.takeStatements(selectOrders)).filter((sql) => selectOrders.test(sql));
    expect(selectsForReplace).not.toEqual([]);

    for (const sql of new Set([...selectsForIn, ...selectsForReplace])) {
      expect(ferret.queryPlan('regr', sql), sql).toMatch(/USING INDEX orders_\w+__id_/);
    }
  });
});
