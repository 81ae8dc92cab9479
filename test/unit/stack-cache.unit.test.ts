// The download/build cache of the stack tooling: an interrupted build must not poison
// the cache, and a complete entry is reused without rebuilding.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cacheRoot = mkdtempSync(join(tmpdir(), 'order-service-cache-'));
process.env.ORDER_SERVICE_CACHE = cacheRoot;
const { cached } = await import('../../stack/provision.mjs');

describe('stack download cache', () => {
  it('leaves nothing behind when a build fails half-way, then builds on the next call', () => {
    expect(() =>
      cached('artefact-1', 'test artefact', (tmp) => {
        writeFileSync(join(tmp, 'half.jar'), 'partial');
        throw new Error('network dropped');
      }),
    ).toThrow('network dropped');
    expect(readdirSync(cacheRoot)).toEqual([]);

    let builds = 0;
    const dir = cached('artefact-1', 'test artefact', (tmp) => {
      builds++;
      writeFileSync(join(tmp, 'full.jar'), 'complete');
    });
    expect(existsSync(join(dir, 'full.jar'))).toBe(true);
    expect(existsSync(join(dir, 'half.jar'))).toBe(false);

    expect(cached('artefact-1', 'test artefact', () => builds++)).toBe(dir);
    expect(builds).toBe(1);
  });

  it('rebuilds an entry that has no completion marker (e.g. copied in by hand, or truncated)', () => {
    const dir = cached('artefact-2', 'test artefact', (tmp) => writeFileSync(join(tmp, 'a'), '1'));
    rmSync(join(dir, '.complete'));
    let rebuilt = false;
    cached('artefact-2', 'test artefact', (tmp) => {
      rebuilt = true;
      writeFileSync(join(tmp, 'a'), '2');
    });
    expect(rebuilt).toBe(true);
  });
});
