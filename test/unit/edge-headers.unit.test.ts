// Pure header handling of the edge: Prefer (RFC 7240), correlation id, ETag matching, bearer token.
import { describe, expect, it } from 'vitest';
import { tokenMatches } from '../../src/edge/auth.js';
import { correlationIdOf } from '../../src/edge/correlation.js';
import { etagOf, matchesIfNoneMatch } from '../../src/edge/order-view.js';
import { parseWaitPreference } from '../../src/edge/prefer.js';

describe('Prefer: wait', () => {
  it.each([
    ['wait=5', 5, 5],
    ['WAIT = 7', 7, 7],
    ['wait="3"', 3, 3],
    ['respond-async, wait=10', 10, 10],
    ['handling=lenient; x=y, wait=2;foo', 2, 2],
    ['wait=100', 100, 30],
    ['wait=0', 0, 0],
  ])('%s → requested %i, applied %i (cap 30)', (header, requested, applied) => {
    expect(parseWaitPreference(header, 30)).toEqual({ requested, applied });
  });

  it.each([undefined, '', 'respond-async', 'wait', 'wait=-1', 'wait=1.5', 'wait=abc', 'wait=1234567890123', 'nowait=5'])('ignores %j', (header) => {
    expect(parseWaitPreference(header, 30)).toBeUndefined();
  });

  it('takes the first wait of several headers', () => {
    expect(parseWaitPreference(['wait=4', 'wait=9'], 30)).toEqual({ requested: 4, applied: 4 });
  });
});

describe('correlation id', () => {
  it('takes X-Correlation-ID, then X-WMS-Correlation-ID', () => {
    expect(correlationIdOf({ 'x-correlation-id': 'abc-123', 'x-wms-correlation-id': 'other' })).toBe('abc-123');
    expect(correlationIdOf({ 'x-wms-correlation-id': 'wms:42' })).toBe('wms:42');
  });

  it.each(['', 'has space', 'a'.repeat(129), 'new\nline', '-leading', '{"json":1}'])('generates a UUID instead of %j', (bad) => {
    expect(correlationIdOf({ 'x-correlation-id': bad })).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('ETag / If-None-Match', () => {
  it('compares weakly and understands lists and *', () => {
    const etag = etagOf(3);
    expect(etag).toBe('W/"3"');
    expect(matchesIfNoneMatch('W/"3"', etag)).toBe(true);
    expect(matchesIfNoneMatch('"3"', etag)).toBe(true);
    expect(matchesIfNoneMatch('W/"1", W/"3"', etag)).toBe(true);
    expect(matchesIfNoneMatch('*', etag)).toBe(true);
    expect(matchesIfNoneMatch('W/"4"', etag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, etag)).toBe(false);
  });
});

describe('bearer token', () => {
  const token = 'a-very-secret-token-123';
  it('accepts exactly the configured token', () => {
    expect(tokenMatches(`Bearer ${token}`, token)).toBe(true);
    expect(tokenMatches(`bearer ${token}`, token)).toBe(true);
  });
  it.each([undefined, '', token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, 'Bearer '])('refuses %j', (header) => {
    expect(tokenMatches(header, token)).toBe(false);
  });
});
