// Stack contract: the `mongodb` driver against our MongoDB-wire server (FerretDB here;
// real MongoDB for users) — insert, unique index, upsert, sorted and limited reads.
import { MongoServerError, type MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUPLICATE_KEY, createMongoClient } from '../../src/shared/mongo.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

describe('MongoDB wire server (stack contract)', () => {
  const env = stackEnv();
  let client: MongoClient;
  const dbName = uniqueName('contract').replace(/-/g, '_');

  beforeAll(async () => {
    client = createMongoClient(env.mongodbUri);
    await client.connect();
  });
  afterAll(async () => {
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  it('answers hello and ping', async () => {
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello.ok).toBe(1);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(17);
  });

  it('inserts, enforces a unique index, upserts and finds with sort and limit', async () => {
    const orders = client.db(dbName).collection<{ _id: string; customerId: string; rank: number; status?: string }>('orders');
    await orders.createIndex({ customerId: 1 }, { unique: true, name: 'customer_unique' });
    await orders.insertMany([
      { _id: 'o1', customerId: 'c1', rank: 3 },
      { _id: 'o2', customerId: 'c2', rank: 1 },
      { _id: 'o3', customerId: 'c3', rank: 2 },
    ]);

    const dup = await orders.insertOne({ _id: 'o4', customerId: 'c1', rank: 9 }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(MongoServerError);
    expect((dup as MongoServerError).code).toBe(DUPLICATE_KEY);

    const inserted = await orders.updateOne({ _id: 'o5' }, { $set: { customerId: 'c5', rank: 0 } }, { upsert: true });
    expect(inserted.upsertedCount).toBe(1);
    const updated = await orders.updateOne({ _id: 'o5' }, { $set: { status: 'received' } }, { upsert: true });
    expect(updated.modifiedCount).toBe(1);
    expect(await orders.findOne({ _id: 'o5' })).toEqual({ _id: 'o5', customerId: 'c5', rank: 0, status: 'received' });

    const top = await orders.find({}).sort({ rank: 1 }).limit(3).toArray();
    expect(top.map((o) => o._id)).toEqual(['o5', 'o2', 'o3']);
  });
});
