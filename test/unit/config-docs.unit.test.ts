// The README's configuration table is generated from CONFIG_VARIABLES; this fails when
// someone adds a variable (or edits the table by hand) without `npm run docs:config`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/shared/config.js';
import { README_FILE, renderConfigTable, withConfigTable } from '../../src/tools/config-docs.js';

describe('README configuration table', () => {
  const readme = readFileSync(README_FILE, 'utf8');

  it('is the generated one', () => {
    expect(readme).toBe(withConfigTable(readme));
  });

  it('has one row per variable the service reads', () => {
    const table = renderConfigTable();
    for (const v of CONFIG_VARIABLES) expect(table).toContain(`| \`${v.name}\` |`);
    expect(table.split('\n')).toHaveLength(CONFIG_VARIABLES.length + 2);
  });

  it('refuses a README without the markers', () => {
    expect(() => withConfigTable('# no table here')).toThrow(/markers/);
  });
});
