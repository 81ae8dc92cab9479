// Regression: the expiry sweeper (servers without TTL indexes) deleted with one
// `deleteMany({recordedAt: {$lt: cutoff}})`. FerretDB ran it as a read of the whole
// collection in Go while holding the database's write lock (our atomicity patch), so
// with 100,000 outcomes every order write of the processor waited about 5 s, once a
// minute: the memory soak's p99 grew with its length (7.8 s after 10 minutes). Pins, on
// the query plans of the SQL FerretDB really runs, that a sweep reads and deletes
// through indexes only (never a SCAN of the table), and what it deletes. The index is
// created on the empty collection, as the service does: FerretDB then knows the kinds of
// value it holds without reading the collection at its first use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweep } from '../../src/shared/expiry.js';
import { startDebugFerretDB, type DebugFerretDB } from '../support/ferretdb-debug.js';

const outcomeStatements = /^(SELECT|DELETE) .* FROM "command_outcomes_/;

describe('the expiry sweeper reads and deletes through indexes', () => {
  let ferret: DebugFerretDB;

  beforeAll(async () => {
    ferret = await startDebugFerretDB('expiry-sweep-index');
  });

  afterAll(async () => {
    await ferret?.stop();
  });

  it('deletes 1,100 expired of 1,200 outcomes in chunks, each found by the recordedAt index and deleted by _id', async () => {
    const outcomes = ferret.client.db('regr').collection<{ _id: string; recordedAt: Date }>('command_outcomes');
    await outcomes.createIndex({ recordedAt: 1 }, { name: 'recordedAt' });
    await ferret.takeStatements(/^SELECT 1 FROM "command_outcomes_\w+" LIMIT 1/); // is it empty? then no check scan later
    const cutoff = Date.UTC(2026, 0, 1);
    await outcomes.insertMany(Array.from({ length: 1200 }, (_, i) => ({ _id: `cmd-${i}`, recordedAt: new Date(cutoff + (i < 1100 ? -1 - i : 1 + i) * 1000) })));
    expect(await sweep(outcomes, 'recordedAt', new Date(cutoff))).toBe(1100);
    const statements = (await ferret.takeStatements(/^SELECT .* FROM "command_outcomes_/)).filter((sql) => outcomeStatements.test(sql));
    for (const sql of new Set(statements)) {
      expect(ferret.queryPlan('regr', sql), sql).not.toMatch(/\bSCAN\b/);
    }
    expect(statements.length).toBeGreaterThanOrEqual(3); // three chunks of 500
    expect(await outcomes.countDocuments()).toBe(100);
    expect(await outcomes.countDocuments({ recordedAt: { $lt: new Date(cutoff) } })).toBe(0);
  });
});
