// The order cache: bounded by the BSON size of what it holds (not by a count, which says
// nothing about memory once documents carry hundreds of pending commands), and never
// refilled by a batch planned before the last rebalance.
import { BSON } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/processor/apply-batch.js';
import { OrderCache } from '../../src/processor/order-cache.js';
import type { OrderDocument } from '../../src/shared/orders-collection.js';
import { createOrder } from '../support/commands.js';

const docs = (n: number): OrderDocument[] =>
  applyBatch(Array.from({ length: n }, (_, i) => ({ record: null, position: { partition: 0, offset: String(i) }, command: createOrder(`ORD-c-${i}`) })), { topicId: 'commands-topic-id', orders: new Map(), outcomes: new Map() }).writes.map((w) => w.doc);

describe('OrderCache', () => {
  it('holds at most its byte budget, evicting the least recently used', () => {
    const all = docs(200);
    const size = BSON.calculateObjectSize(all[0]!);
    const cache = new OrderCache(size * 50);
    cache.rememberAll(all, cache.epoch);
    expect(cache.bytes).toBeLessThanOrEqual(size * 50);
    expect(cache.bytes).toBeGreaterThan(size * 40);
    expect(cache.get('ORD-c-0')).toBeUndefined();
    expect(cache.get('ORD-c-199')?._id).toBe('ORD-c-199');
  });

  it('drops the results of a batch planned before a reset (a rebalance happened meanwhile)', () => {
    const cache = new OrderCache(1 << 20);
    const epoch = cache.epoch;
    cache.reset();
    cache.rememberAll(docs(3), epoch);
    expect(cache.get('ORD-c-0')).toBeUndefined();
    cache.rememberAll(docs(3), cache.epoch);
    expect(cache.get('ORD-c-0')?._id).toBe('ORD-c-0');
  });

  it('caches nothing with a budget of 0', () => {
    const cache = new OrderCache(0);
    cache.rememberAll(docs(3), cache.epoch);
    expect([cache.get('ORD-c-0'), cache.bytes]).toEqual([undefined, 0]);
  });
});
