import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eventIdFor, uuidV5 } from '../../../src/domain/index.js';
import { sha1 } from '../../../src/domain/event-id.js';

describe('deterministic event ids (UUID v5)', () => {
  it('matches the RFC/Python reference vector', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('the pure SHA-1 agrees with node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => Buffer.from(sha1(bytes)).toString('hex') === createHash('sha1').update(bytes).digest('hex')),
    );
  });

  it('same command, order and version → same id; another order or version (a change) → another id', () => {
    const c = '5f0c7a1e-8a0b-4d39-9a43-1f0d3f1e2b7c';
    expect(eventIdFor(c, 'ORD-1', 1)).toBe(eventIdFor(c, 'ORD-1', 1));
    expect(eventIdFor(c, 'ORD-1', 1)).toBe(eventIdFor(c.toUpperCase(), 'ORD-1', 1));
    expect(eventIdFor(c, 'ORD-1', 1)).not.toBe(eventIdFor(c, 'ORD-1', 2));
    // Issue 21 item 7: the same commandId applied again later (its outcome expired) is a new change.
    expect(eventIdFor(c, 'ORD-1', 3)).not.toBe(eventIdFor(c, 'ORD-1', 1));
    expect(eventIdFor(c, 'ORD-1', 1)).not.toBe(eventIdFor(c, 'ORD-2', 1));
    expect(eventIdFor(c, 'ORD-1', 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
