// Regression: FerretDB v1.24/SQLite read every document of a collection for a find that
// filters on a nested field or sorts, and sorted them all in Go: the edge's list page (20
// orders by status, newest first) took seconds at 20,000 orders. Pins that such a find now
// reads through the index whose key is its equalities then its sort (the plan, never a
// timing), and that the results stay in MongoDB's order whatever the documents hold:
// strings byte by byte, null and missing before numbers before strings, and other types
// (booleans, dates) or arrays, which the index cannot order, through upstream's path.
import type { Collection, Document, IndexDescription } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDebugFerretDB, type DebugFerretDB } from '../support/ferretdb-debug.js';

type Row = { _id: string; order?: unknown };
type Sort = [field: string, direction: 1 | -1][];

// MongoDB's comparison order of the BSON types these tests store (missing sorts as null).
const typeRank = (v: unknown) =>
  v === undefined || v === null ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : typeof v === 'boolean' ? 8 : v instanceof Date ? 9 : NaN;

function compareValues(a: unknown, b: unknown): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0 || typeRank(a) === 1) return Math.sign(rank);
  if (typeof a === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b as string)); // UTF-8 bytes
  return Number(a) - Number(b); // numbers, booleans, dates
}

const valueAt = (doc: Document, path: string): unknown => path.split('.').reduce<unknown>((v, p) => (v && typeof v === 'object' ? (v as Document)[p] : undefined), doc);

/** What MongoDB returns for `equal` (top-level equalities on scalar paths) sorted by `sort`. */
const expected = (docs: Row[], equal: Record<string, string>, sort: Sort, limit: number) =>
  docs
    .filter((d) => Object.entries(equal).every(([path, v]) => valueAt(d, path) === v))
    .sort((a, b) => sort.reduce((c, [path, dir]) => c || dir * compareValues(valueAt(a, path), valueAt(b, path)), 0))
    .slice(0, limit)
    .map((d) => d._id);

describe('FerretDB reads a find through the index that serves its equalities and sort, in MongoDB order', () => {
  let ferret: DebugFerretDB;
  let collections = 0;

  beforeAll(async () => {
    ferret = await startDebugFerretDB('ferretdb-index-order');
  });

  afterAll(async () => {
    await ferret?.stop();
  });

  const ordersWith = async (docs: Row[], indexesFirst = true): Promise<Collection<Row>> => {
    const orders = ferret.client.db('regr').collection<Row>(`orders${++collections}`);
    const indexes: IndexDescription[] = [
      { key: { 'order.status': 1, 'order.createdAt': -1, _id: -1 }, name: 'status_createdAt' },
      { key: { 'order.customerId': 1, 'order.createdAt': -1, _id: -1 }, name: 'customer_createdAt' },
      { key: { 'order.createdAt': -1, _id: -1 }, name: 'createdAt' },
    ];
    if (indexesFirst) await orders.createIndexes(indexes);
    for (let i = 0; i < docs.length; i += 1000) await orders.insertMany(docs.slice(i, i + 1000));
    if (!indexesFirst) await orders.createIndexes(indexes);
    return orders;
  };

  /** The find's ids, and its plan as the server explains it. */
  const find = async (orders: Collection<Row>, equal: Record<string, string>, sort: Sort, limit: number) => {
    const sortDoc = Object.fromEntries(sort);
    const ids = (await orders.find(equal, { projection: { _id: 1 } }).sort(sortDoc).limit(limit).toArray()).map((d) => d._id);
    const explain = await ferret.client.db('regr').command({ explain: { find: orders.collectionName, filter: equal, sort: sortDoc, limit }, verbosity: 'queryPlanner' });
    return { ids, plan: (explain.queryPlanner.Plan as string[]).join('\n'), sortPushdown: explain.sortPushdown as boolean };
  };

  it('reads list pages through the serving index, in either direction, without sorting', async () => {
    const start = Date.UTC(2026, 0, 1);
    const docs: Row[] = Array.from({ length: 3000 }, (_, i) => ({
      _id: `ORD-${String(i).padStart(5, '0')}`,
      order: { status: i % 5 === 4 ? 'cancelled' : 'received', customerId: `CUST-${i % 150}`, createdAt: new Date(start + Math.floor(i / 3) * 1000).toISOString() },
    }));
    const orders = await ordersWith(docs);
    const cases: [Record<string, string>, Sort, string][] = [
      [{ 'order.status': 'received' }, [['order.createdAt', -1], ['_id', -1]], 'status_createdAt'],
      [{ 'order.status': 'cancelled' }, [['order.createdAt', 1], ['_id', 1]], 'status_createdAt'],
      [{ 'order.customerId': 'CUST-42' }, [['order.createdAt', -1], ['_id', -1]], 'customer_createdAt'],
      [{}, [['order.createdAt', -1], ['_id', -1]], 'createdAt'],
    ];
    for (const [equal, sort, index] of cases) {
      const got = await find(orders, equal, sort, 20);
      expect(got.ids, JSON.stringify({ equal, sort })).toEqual(expected(docs, equal, sort, 20));
      expect(got.plan).toMatch(new RegExp(`USING INDEX orders\\w+_${index}\\b`));
      expect(got.plan).not.toMatch(/TEMP B-TREE/);
      expect(got.sortPushdown).toBe(true);
    }
  });

  it('starts a keyset page at its bound on the first sort key, dropping numbers below a string bound as MongoDB does', async () => {
    const docs: Row[] = [
      ...Array.from({ length: 300 }, (_, i) => ({ _id: `ORD-${String(i).padStart(3, '0')}`, order: { status: 'received', createdAt: `2026-01-01T00:${String(Math.floor(i / 5)).padStart(2, '0')}` } })),
      { _id: 'ORD-number', order: { status: 'received', createdAt: 42 } },
    ];
    const orders = await ordersWith(docs);
    const bound = '2026-01-01T00:30';
    const page = { 'order.status': 'received', 'order.createdAt': { $lte: bound }, $or: [{ 'order.createdAt': { $lt: bound } }, { 'order.createdAt': bound, _id: { $lt: 'ORD-152' } }] };
    const sort = { 'order.createdAt': -1, _id: -1 } as const;
    const ids = (await orders.find(page).sort(sort).limit(20).toArray()).map((d) => d._id);
    const want = docs
      .filter((d) => typeof valueAt(d, 'order.createdAt') === 'string')
      .map((d) => ({ id: d._id, at: valueAt(d, 'order.createdAt') as string }))
      .filter(({ id, at }) => at < bound || (at === bound && id < 'ORD-152'))
      .sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1))
      .slice(0, 20)
      .map((d) => d.id);
    expect(ids).toEqual(want);
    const explain = await ferret.client.db('regr').command({ explain: { find: orders.collectionName, filter: page, sort, limit: 20 }, verbosity: 'queryPlanner' });
    expect((explain.queryPlanner.Plan as string[]).join('\n')).toMatch(/USING INDEX orders\w+_status_createdAt \(<expr>=\? AND <expr><\?\)/);

    const numbers = (await orders.find({ 'order.status': 'received', 'order.createdAt': { $lte: bound } }).sort(sort).toArray()).map((d) => d._id);
    expect(numbers).not.toContain('ORD-number');
    expect(numbers).toHaveLength(155);
  });

  it('orders strings byte by byte, and null, missing, numbers and strings by type, as MongoDB does', async () => {
    const createdAt = ['abc', 'abc!', 'abc ', 'ab"c', 'ab\\c', 'a<b', 'a&b', 'Z', 'é', 'e\u0301', '😀', '\u2028', '', 5, 2.5, -1, 2 ** 53 + 2, null, undefined];
    const docs: Row[] = createdAt.flatMap((v, i) =>
      ['A', 'B'].map((suffix) => ({ _id: `ORD-${i}-${suffix}`, order: { status: 'received', ...(v === undefined ? {} : { createdAt: v }) } })),
    );
    const orders = await ordersWith(docs);
    for (const dir of [1, -1] as const) {
      const sort: Sort = [['order.createdAt', dir], ['_id', dir]];
      const got = await find(orders, { 'order.status': 'received' }, sort, 100);
      expect(got.ids).toEqual(expected(docs, { 'order.status': 'received' }, sort, 100));
      expect(got.sortPushdown).toBe(true);
    }
  });

  it('reads a field of dates in order, narrowed by a date range (the expiry sweeper)', async () => {
    const records = ferret.client.db('regr').collection<{ _id: string; at?: Date | null }>(`records${++collections}`);
    await records.createIndex({ at: 1 }, { name: 'at' });
    const at = [Date.UTC(1969, 6, 20), 0, Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 0, 0, 1), Date.UTC(2100, 0, 1)];
    await records.insertMany([...at.map((t, i) => ({ _id: `r${i}`, at: new Date(t) })), { _id: 'null', at: null }, { _id: 'missing' }]);
    const before = { at: { $lt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 1)) } };
    for (const dir of [1, -1] as const) {
      const ids = (await records.find(before).sort({ at: dir }).toArray()).map((d) => d._id);
      expect(ids).toEqual(dir === 1 ? ['r0', 'r1', 'r2'] : ['r2', 'r1', 'r0']);
      // null and missing tie, before every date
      const all = (await records.find({}).sort({ at: dir }).toArray()).map((d) => d._id);
      const [nulls, dates] = dir === 1 ? [all.slice(0, 2), all.slice(2)] : [all.slice(5), all.slice(0, 5)];
      expect({ nulls: nulls.sort(), dates }).toEqual({ nulls: ['missing', 'null'], dates: dir === 1 ? ['r0', 'r1', 'r2', 'r3', 'r4'] : ['r4', 'r3', 'r2', 'r1', 'r0'] });
    }
    const explain = await ferret.client.db('regr').command({ explain: { find: records.collectionName, filter: before, sort: { at: 1 } }, verbosity: 'queryPlanner' });
    expect(explain.sortPushdown).toBe(true);
    expect((explain.queryPlanner.Plan as string[]).join('\n')).toMatch(/USING INDEX records\w+_at \(<expr><\?\)/);
  });

  it('narrows a find by a $in of strings on the first sort key to those keys (the lookup of applied commands by commandKey)', async () => {
    const entries = ferret.client.db('regr').collection<{ _id: string; commandKey?: unknown }>(`history${++collections}`);
    await entries.createIndex({ commandKey: 1 }, { name: 'commandKey' });
    const keys = Array.from({ length: 500 }, (_, i) => `cmd-${String(i).padStart(3, '0')}`);
    await entries.insertMany([...keys.map((k, i) => ({ _id: `ORD-${i}/1`, commandKey: k })), { _id: 'ORD-x/1', commandKey: 42 }, { _id: 'ORD-y/1' }]);
    const wanted = ['cmd-007', 'cmd-321', 'cmd-999', '42'];
    const filter = { commandKey: { $in: wanted } };
    const ids = (await entries.find(filter).sort({ commandKey: 1 }).toArray()).map((d) => d._id);
    expect(ids).toEqual(['ORD-7/1', 'ORD-321/1']); // the number 42 is not the string '42'
    expect(await entries.find({ commandKey: { $in: [] } }).sort({ commandKey: 1 }).toArray()).toEqual([]);
    const explain = await ferret.client.db('regr').command({ explain: { find: entries.collectionName, filter, sort: { commandKey: 1 } }, verbosity: 'queryPlanner' });
    expect((explain.queryPlanner.Plan as string[]).join('\n')).toMatch(/SEARCH history\w+ USING INDEX history\w+_commandKey \(<expr>=\?\)/);
  });

  it.each([
    ['a boolean', true],
    ['a date', new Date(Date.UTC(2020, 0, 1))],
  ])('leaves a sort to upstream once a document holds %s at an index field, and stays in MongoDB order', async (_, odd) => {
    const docs: Row[] = [
      ...['2026-01-01', '2026-01-02', 7].map((createdAt, i) => ({ _id: `ORD-${i}`, order: { status: 'received', createdAt } })),
      { _id: 'ORD-odd', order: { status: 'received', createdAt: odd } },
    ];
    const orders = await ordersWith(docs.slice(0, 3));
    const sort: Sort = [['order.createdAt', -1], ['_id', -1]];
    expect((await find(orders, { 'order.status': 'received' }, sort, 10)).sortPushdown).toBe(true);

    await orders.insertOne(docs[3]!);
    const got = await find(orders, { 'order.status': 'received' }, sort, 10);
    expect(got.ids).toEqual(expected(docs, { 'order.status': 'received' }, sort, 10));
    expect(got.ids[0]).toBe('ORD-odd'); // booleans and dates sort after strings
    expect(got.sortPushdown).toBe(false);
  });

  it('still finds a document whose equality path crosses an array (and one only updated to)', async () => {
    const docs: Row[] = [
      { _id: 'ORD-1', order: { status: 'received', createdAt: '2026-01-01' } },
      { _id: 'ORD-2', order: [{ status: 'received', createdAt: '2026-01-02' }] },
    ];
    const orders = await ordersWith(docs.slice(0, 1));
    await orders.insertOne({ _id: 'ORD-2', order: { status: 'cancelled', createdAt: '2026-01-02' } });
    expect((await find(orders, { 'order.status': 'received' }, [['order.createdAt', -1]], 10)).ids).toEqual(['ORD-1']);

    await orders.replaceOne({ _id: 'ORD-2' }, { order: docs[1]!.order });
    const got = await find(orders, { 'order.status': 'received' }, [['order.createdAt', -1], ['_id', -1]], 10);
    // found; how upstream sorts a path through an array is its own (not MongoDB's max element)
    expect([...got.ids].sort()).toEqual(['ORD-1', 'ORD-2']);
    expect(got.sortPushdown).toBe(false);
  });

  it('checks the documents written before the index existed at its first use', async () => {
    const docs: Row[] = [
      { _id: 'ORD-1', order: { status: 'received', createdAt: '2026-01-01' } },
      { _id: 'ORD-2', order: { status: 'received', createdAt: false } },
      { _id: 'ORD-3', order: { status: 'received', createdAt: 3 } },
    ];
    const orders = await ordersWith(docs, false);
    const sort: Sort = [['order.createdAt', 1], ['_id', 1]];
    const got = await find(orders, { 'order.status': 'received' }, sort, 10);
    expect(got.ids).toEqual(['ORD-3', 'ORD-1', 'ORD-2']);
    expect(got.sortPushdown).toBe(false);
  });
});
