// Which code `order-service` runs: the compiled dist/ only while it is at least as new as
// every source, so a checkout edited after `npm run build` never runs stale code.
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleSource } from '../../bin/lib/service-modules.mjs';

function tree(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'service-modules-'));
  for (const [file, mtimeSeconds] of Object.entries(files)) {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '');
    utimesSync(path, mtimeSeconds, mtimeSeconds);
  }
  return root;
}

describe('moduleSource', () => {
  it('prefers dist/ when it is newer than every source', () => {
    const root = tree({ 'src/edge/main.ts': 100, 'src/shared/config.ts': 100, 'dist/src/edge/main.js': 200 });
    expect(moduleSource('src/edge/main', root)).toEqual({ path: join(root, 'dist/src/edge/main.js'), via: 'dist' });
  });

  it('runs the sources through tsx when any source changed after the build', () => {
    const root = tree({ 'src/edge/main.ts': 100, 'src/shared/config.ts': 300, 'dist/src/edge/main.js': 200 });
    expect(moduleSource('src/edge/main', root)).toEqual({ path: join(root, 'src/edge/main.ts'), via: 'tsx' });
  });

  it('runs dist/ alone (an image without sources) and the sources alone (no build)', () => {
    const image = tree({ 'dist/src/edge/main.js': 200 });
    expect(moduleSource('src/edge/main', image)?.via).toBe('dist');
    const checkout = tree({ 'src/edge/main.ts': 100 });
    expect(moduleSource('src/edge/main', checkout)?.via).toBe('tsx');
  });

  it('finds nothing when neither exists', () => {
    expect(moduleSource('src/tools/dlq', tree({ 'src/edge/main.ts': 100 }))).toBeNull();
  });
});
