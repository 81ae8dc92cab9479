// Both storage strategies of the processor, on the real MongoDB-wire server: the FerretDB
// one the local stack detects, and the MongoDB one ($in reads, writes conditional on the
// revision counter) forced here so its code runs somewhere without a real MongoDB. The
// server is FerretDB, so this checks behaviour, not the atomicity MongoDB adds.
import { afterAll, describe, expect, it } from 'vitest';
import { applyBatch, type DecodedRecord } from '../../src/processor/apply-batch.js';
import { ConcurrentWriteError, FERRETDB_STRATEGY, MONGODB_STRATEGY, OrderStore } from '../../src/processor/order-store.js';
import type { Command } from '../../src/schemas/index.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { command, createOrder } from '../support/commands.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

const at = (offset: number, c: Command): DecodedRecord<string> => ({ record: c.commandId, position: { partition: 0, offset: String(offset) }, command: c });

describe.each([
  ['MongoDB', MONGODB_STRATEGY],
  ['FerretDB', FERRETDB_STRATEGY],
])('OrderStore, %s strategy', (_name, strategy) => {
  const client = createMongoClient(stackEnv().mongodbUri);
  const db = client.db(uniqueName('store').replace(/-/g, '_'));
  const store = new OrderStore(db, strategy);
  afterAll(async () => {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  });

  const ids = ['ORD-s-1', 'ORD-s-2', 'ORD-s-3'];
  const created = applyBatch(ids.map((id, i) => at(i, createOrder(id))), { orders: new Map(), outcomes: new Map() });

  it('inserts new orders and loads them back', async () => {
    await store.write(created.writes);
    const loaded = await store.load([...ids, 'ORD-s-missing']);
    expect([...loaded.keys()].sort()).toEqual(ids);
    expect(loaded.get('ORD-s-1')).toMatchObject({ order: { status: 'received' }, version: 1, revision: 1 });
  });

  it('replaces an order written at the expected revision', async () => {
    const loaded = await store.load(['ORD-s-1']);
    const next = applyBatch([at(10, command('ValidateOrder', 'ORD-s-1'))], { orders: loaded, outcomes: new Map() });
    await store.write(next.writes);
    expect((await store.load(['ORD-s-1'])).get('ORD-s-1')).toMatchObject({ order: { status: 'validated' }, version: 2, revision: 2 });
  });

  it('refuses to create an order that exists (another writer created it)', async () => {
    await expect(store.write([created.writes[1]!])).rejects.toBeInstanceOf(ConcurrentWriteError);
  });

  if (strategy.conditionalWrites) {
    it('refuses a write based on a stale revision (a zombie replica that lost the partition)', async () => {
      const stale = applyBatch([at(11, command('CancelOrder', 'ORD-s-2', { reason: 'late' }))], { orders: await store.load(['ORD-s-2']), outcomes: new Map() });
      await store.write(applyBatch([at(12, command('ValidateOrder', 'ORD-s-2'))], { orders: await store.load(['ORD-s-2']), outcomes: new Map() }).writes);
      await expect(store.write(stale.writes)).rejects.toBeInstanceOf(ConcurrentWriteError);
      expect((await store.load(['ORD-s-2'])).get('ORD-s-2')).toMatchObject({ order: { status: 'validated' } });
    });
  }
});
