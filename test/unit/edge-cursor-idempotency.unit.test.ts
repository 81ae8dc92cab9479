// Keyset cursors and idempotency request fingerprints.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/edge/cursor.js';
import { canonicalJson, idempotencyScope, requestHash } from '../../src/edge/idempotency.js';

describe('list cursor', () => {
  it('round-trips a position and is opaque base64url', () => {
    const p = { createdAt: '2026-11-25T12:00:00.123Z', orderId: 'ORD-01a212ac-76bc-720a-adf2-61f094a94fa8' };
    const c = encodeCursor(p);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual(p);
  });

  it.each([
    ['not base64', '!!!'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['an object', Buffer.from('{"createdAt":"2026-11-25T12:00:00Z"}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","ORD-1"]').toString('base64url')],
    ['a bad id', Buffer.from('["2026-11-25T12:00:00Z","ORD 1"]').toString('base64url')],
    ['an operator', Buffer.from('["2026-11-25T12:00:00Z",{"$gt":""}]').toString('base64url')],
    ['too long', 'A'.repeat(201)],
  ])('refuses %s', (_what, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      decodeCursor(s);
    }));
  });
});

describe('idempotency fingerprint', () => {
  it('ignores key order but not values', () => {
    const a = { customerId: 'C', items: [{ sku: 'S', quantity: 1 }], priority: 'standard' };
    const b = { priority: 'standard', items: [{ quantity: 1, sku: 'S' }], customerId: 'C' };
    expect(requestHash(a)).toBe(requestHash(b));
    expect(requestHash(a)).not.toBe(requestHash({ ...a, priority: 'same_day' }));
    expect(requestHash({ items: [1, 2] })).not.toBe(requestHash({ items: [2, 1] }));
  });

  it('treats a missing body as {}', () => {
    expect(requestHash(undefined)).toBe(requestHash({}));
  });

  it('canonical JSON is valid JSON equal to the input', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
    }));
  });

  it('scopes keys per method, route and order', () => {
    expect(idempotencyScope('POST', '/api/v1/orders')).toBe('POST /api/v1/orders');
    expect(idempotencyScope('PUT', '/api/v1/orders/:orderId/cancel', 'ORD-1')).not.toBe(idempotencyScope('PUT', '/api/v1/orders/:orderId/cancel', 'ORD-2'));
    // Per caller: the same key of two callers is two keys; a subject cannot pose as a route part.
    expect(idempotencyScope('POST', '/api/v1/orders', undefined, 'alice')).not.toBe(idempotencyScope('POST', '/api/v1/orders', undefined, 'bob'));
    expect(idempotencyScope('POST', '/api/v1/orders', undefined, 'a b')).toBe('POST /api/v1/orders by:a%20b');
  });
});
