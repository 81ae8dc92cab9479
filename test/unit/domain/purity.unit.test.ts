// src/domain stays pure: no runtime imports except its own files, no clock, no randomness.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '../../../src/domain');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

describe('src/domain purity', () => {
  it.each(files)('%s imports only types or sibling modules, and reads no clock or random source', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const runtimeImports = [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
    expect(runtimeImports.filter((spec) => !spec?.startsWith('./'))).toEqual([]);
    expect(text).not.toMatch(/Date\.now|new Date\(\)|Math\.random|crypto\.|process\./);
  });
});
