// The processor's one storage path ($in reads, writes conditional on the revision
// counter, one bulk per batch) on the real MongoDB-wire server. Our FerretDB build is
// patched to make those writes atomic, so a zombie's write loses here as on MongoDB.
import { afterAll, describe, expect, it } from 'vitest';
import { applyBatch, type DecodedRecord } from '../../src/processor/apply-batch.js';
import { ConcurrentWriteError, OrderStore } from '../../src/processor/order-store.js';
import { toOutcome, handle, initialState } from '../../src/domain/index.js';
import type { Command } from '../../src/schemas/index.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { outcomesCollection } from '../../src/shared/outcomes-collection.js';
import { command, createOrder } from '../support/commands.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

const at = (offset: number, c: Command): DecodedRecord<string> => ({ record: c.commandId, position: { partition: 0, offset: String(offset) }, command: c });

describe('OrderStore', () => {
  const client = createMongoClient(stackEnv().mongodbUri);
  const db = client.db(uniqueName('store').replace(/-/g, '_'));
  const store = new OrderStore(db);
  afterAll(async () => {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  });

  const ids = ['ORD-s-1', 'ORD-s-2', 'ORD-s-3'];
  const created = applyBatch(ids.map((id, i) => at(i, createOrder(id))), { topicId: 'commands-topic-id', orders: new Map(), outcomes: new Map() });

  it('inserts new orders and loads them back', async () => {
    await store.write(created.writes);
    const loaded = await store.load([...ids, 'ORD-s-missing']);
    expect([...loaded.keys()].sort()).toEqual(ids);
    expect(loaded.get('ORD-s-1')).toMatchObject({ order: { status: 'received' }, version: 1, revision: 1 });
  });

  it('replaces an order written at the expected revision', async () => {
    const loaded = await store.load(['ORD-s-1']);
    const next = applyBatch([at(10, command('ValidateOrder', 'ORD-s-1'))], { topicId: 'commands-topic-id', orders: loaded, outcomes: new Map() });
    await store.write(next.writes);
    expect((await store.load(['ORD-s-1'])).get('ORD-s-1')).toMatchObject({ order: { status: 'validated' }, version: 2, revision: 2 });
  });

  it('refuses to create an order that exists (another writer created it)', async () => {
    await expect(store.write([created.writes[1]!])).rejects.toBeInstanceOf(ConcurrentWriteError);
  });

  it('refuses a write based on a stale revision (a zombie replica that lost the partition)', async () => {
    const stale = applyBatch([at(11, command('CancelOrder', 'ORD-s-2', { reason: 'late' }))], { topicId: 'commands-topic-id', orders: await store.load(['ORD-s-2']), outcomes: new Map() });
    await store.write(applyBatch([at(12, command('ValidateOrder', 'ORD-s-2'))], { topicId: 'commands-topic-id', orders: await store.load(['ORD-s-2']), outcomes: new Map() }).writes);
    await expect(store.write(stale.writes)).rejects.toBeInstanceOf(ConcurrentWriteError);
    expect((await store.load(['ORD-s-2'])).get('ORD-s-2')).toMatchObject({ order: { status: 'validated' } });
  });

  it('lets exactly one of two writers at the same revision win, every time', async () => {
    for (let round = 0; round < 20; round++) {
      const loaded = await store.load(['ORD-s-3']);
      const a = applyBatch([at(100 + round * 2, command('CancelOrder', 'ORD-s-3', { reason: `a${round}` }))], { topicId: 'commands-topic-id', orders: loaded, outcomes: new Map() });
      const b = applyBatch([at(101 + round * 2, command('CancelOrder', 'ORD-s-3', { reason: `b${round}` }))], { topicId: 'commands-topic-id', orders: loaded, outcomes: new Map() });
      const results = await Promise.allSettled([store.write(a.writes), store.write(b.writes)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(ConcurrentWriteError) });
    }
  });

  it('writes 1,000 changed orders in one bulk and reads them back with one $in', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `ORD-s-many-${i}`);
    await store.write(applyBatch(many.map((id, i) => at(i, createOrder(id))), { topicId: 'commands-topic-id', orders: new Map(), outcomes: new Map() }).writes);
    const loaded = await store.load(many);
    await store.write(applyBatch(many.map((id, i) => at(2000 + i, command('ValidateOrder', id))), { topicId: 'commands-topic-id', orders: loaded, outcomes: new Map() }).writes);
    const after = await store.load(many);
    expect([...after.values()].filter((d) => d.order?.status === 'validated')).toHaveLength(1000);
  }, 60_000);

  it('stores a rejection once per commandId, an applied command as its history entry, and finds both again, whatever the case of the id', async () => {
    const c = createOrder('ORD-s-outcome');
    const applied = handle(initialState, c);
    const outcome = toOutcome(c, applied.result);
    const orphan = command('StartPicking', 'ORD-s-no-such-order');
    const rejection = toOutcome(orphan, handle(initialState, orphan).result);
    await store.recordOutcomes([outcome, rejection, rejection], new Date());
    await store.recordOutcomes([rejection], new Date()); // a replayed batch: ignored
    await store.recordHistory(applied.events);
    await store.recordHistory(applied.events);
    const found = await store.loadOutcomes([c.commandId.toUpperCase(), orphan.commandId.toUpperCase(), 'no-such-command']);
    expect(found).toEqual(new Map([[c.commandId.toLowerCase(), outcome], [orphan.commandId.toLowerCase(), rejection]]));
    expect(await outcomesCollection(db).countDocuments({ _id: { $in: [c.commandId, orphan.commandId] } })).toBe(1);
  });
});
