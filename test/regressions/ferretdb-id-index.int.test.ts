// Regression: FerretDB v1.24/SQLite filtered by `_ferretdb_sjson->'$._id'` but indexed
// `_ferretdb_sjson->"_id"`; SQLite uses an expression index only for the identical
// expression, so every find/update by _id scanned the table (a replace by _id: 44 ms at
// 4,000 orders and growing). That made the processor slow down as orders accumulated and
// kept the full-size crash test out of reach. stack/ferretdb/patches.mjs fixes the build;
// this test runs the SQL our FerretDB really issues (its debug log) through SQLite's
// EXPLAIN QUERY PLAN and requires the _id index, without asserting any timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDebugFerretDB, type DebugFerretDB } from '../support/ferretdb-debug.js';

describe('FerretDB finds and updates by _id through the _id index', () => {
  let ferret: DebugFerretDB;

  beforeAll(async () => {
    ferret = await startDebugFerretDB('ferretdb-id-index');
  });

  afterAll(async () => {
    await ferret?.stop();
  });

  it('uses the index for the SELECT and UPDATE behind findOne and replaceOne by _id', async () => {
    const orders = ferret.client.db('regr').collection<{ _id: string; n: number }>('orders');
    await orders.insertMany(Array.from({ length: 50 }, (_, n) => ({ _id: `order-${n}`, n })));
    await ferret.takeStatements(/^INSERT INTO "orders_/);
    await orders.findOne({ _id: 'order-7' });
    await orders.replaceOne({ _id: 'order-7' }, { n: 700 });
    expect(await orders.findOne({ _id: 'order-7' })).toEqual({ _id: 'order-7', n: 700 });

    const statements = (await ferret.takeStatements(/^UPDATE "orders_/)).filter((sql) => /^(SELECT|UPDATE)\b/.test(sql) && sql.includes('orders_') && sql.includes('WHERE'));
    expect(statements.some((s) => s.startsWith('SELECT'))).toBe(true);
    expect(statements.some((s) => s.startsWith('UPDATE'))).toBe(true);

    for (const sql of new Set(statements)) {
      expect(ferret.queryPlan('regr', sql), sql).toMatch(/USING INDEX orders_\w+__id_/);
    }
  });
});
