// Regression: FerretDB v1.24 ran update, findAndModify and delete as a query, a filter in
// Go and a separate write, so concurrent writers to one document lost updates (200
// concurrent $inc upserts ended between n = 8 and 50, with E11000 errors) and a write
// conditional on a revision could overwrite or delete a newer revision. Pins MongoDB's
// per-document atomicity on the server itself (stack/ferretdb/patches.mjs).
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEnv, uniqueName } from '../support/stack-env.js';

type Counter = { _id: string; n: number };
type Versioned = { _id: string; revision: number; by?: string };

describe('concurrent writes to one document are atomic', () => {
  // One connection per concurrent write, so the server really runs them side by side.
  const client = new MongoClient(stackEnv().mongodbUri, { maxPoolSize: 200, serverSelectionTimeoutMS: 5_000 });
  let db: Db;

  beforeAll(async () => {
    await client.connect();
    db = client.db(uniqueName('regr_atomic').replace(/-/g, '_'));
  });

  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await client.close();
  });

  const settle = async <T>(writes: Promise<T>[]) => {
    const results = await Promise.allSettled(writes);
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    return { values: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])), errors };
  };

  it('200 concurrent $inc upserts on one _id count to 200 without errors (update and findAndModify)', async () => {
    const counters = db.collection<Counter>('counters');
    const updates = await settle(Array.from({ length: 200 }, () => counters.updateOne({ _id: 'by-update' }, { $inc: { n: 1 } }, { upsert: true })));
    const findAndModifies = await settle(
      Array.from({ length: 200 }, () => counters.findOneAndUpdate({ _id: 'by-find-and-modify' }, { $inc: { n: 1 } }, { upsert: true })),
    );
    expect({ counters: await counters.find().sort({ _id: 1 }).toArray(), errors: [...updates.errors, ...findAndModifies.errors] }).toEqual({
      counters: [
        { _id: 'by-find-and-modify', n: 200 },
        { _id: 'by-update', n: 200 },
      ],
      errors: [],
    });
  });

  it('of two replaces conditional on the same revision exactly one matches, in each of 100 races', async () => {
    const docs = db.collection<Versioned>('replaces');
    const ids = Array.from({ length: 100 }, (_, i) => `order-${i}`);
    await docs.insertMany(ids.map((_id) => ({ _id, revision: 0 })));
    const race = (id: string, by: string) => docs.replaceOne({ _id: id, revision: 0 }, { revision: 1, by }).then((r) => ({ id, by, matched: r.matchedCount }));
    const { values, errors } = await settle(ids.flatMap((id) => [race(id, 'a'), race(id, 'b')]));
    expect(errors).toEqual([]);
    const winners = new Map(values.filter((r) => r.matched === 1).map((r) => [r.id, r.by]));
    expect(values.filter((r) => r.matched === 1)).toHaveLength(ids.length); // one winner per document
    for (const doc of await docs.find().toArray()) expect(doc).toEqual({ _id: doc._id, revision: 1, by: winners.get(doc._id) });
  });

  it('a delete conditional on a revision never removes the revision a concurrent replace wrote, in each of 100 races', async () => {
    const docs = db.collection<Versioned>('deletes');
    const ids = Array.from({ length: 100 }, (_, i) => `order-${i}`);
    await docs.insertMany(ids.map((_id) => ({ _id, revision: 0 })));
    const { values, errors } = await settle(
      ids.flatMap((id) => [
        docs.replaceOne({ _id: id, revision: 0 }, { revision: 1 }).then((r) => ({ id, op: 'replace', n: r.matchedCount })),
        docs.deleteOne({ _id: id, revision: 0 }).then((r) => ({ id, op: 'delete', n: r.deletedCount })),
      ]),
    );
    expect(errors).toEqual([]);
    const left = new Map((await docs.find().toArray()).map((d) => [d._id, d.revision]));
    for (const id of ids) {
      const [replaced, deleted] = ['replace', 'delete'].map((op) => values.find((r) => r.id === id && r.op === op)!.n);
      // Either the replace won (revision 1 stays) or the delete did (nothing left), never both.
      expect({ id, replaced, deleted, left: left.get(id) }).toEqual(replaced === 1 ? { id, replaced: 1, deleted: 0, left: 1 } : { id, replaced: 0, deleted: 1, left: undefined });
    }
  });
});
