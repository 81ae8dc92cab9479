// docs/configuration.md's table is generated from CONFIG_VARIABLES; this fails when
// someone adds a variable (or edits the table by hand) without `npm run docs:config`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/shared/config.js';
import { CONFIG_DOCS_FILE, renderConfigTable, withConfigTable } from '../../src/tools/config-docs.js';

describe('docs/configuration.md configuration table', () => {
  const page = readFileSync(CONFIG_DOCS_FILE, 'utf8');

  it('is the generated one', () => {
    expect(page, 'docs/configuration.md is stale: run npm run docs:config and commit it').toBe(withConfigTable(page));
  });

  it('has one row per variable the service reads', () => {
    const table = renderConfigTable();
    for (const v of CONFIG_VARIABLES) expect(table).toContain(`| \`${v.name}\` |`);
    expect(table.split('\n')).toHaveLength(CONFIG_VARIABLES.length + 2);
  });

  it('refuses a page without the markers', () => {
    expect(() => withConfigTable('# no table here')).toThrow(/markers/);
  });
});
