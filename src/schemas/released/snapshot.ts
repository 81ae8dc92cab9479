// `npm run schemas:snapshot`: records the current Avro schema of every contract as
// released (src/schemas/released/<record name>.avsc.json). Refuses when a change is not
// BACKWARD-compatible with the previous snapshot: such a change needs a new record name
// (a new subject), not an overwrite. See src/schemas/README.md.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_CONTRACTS } from '../catalog.js';
import { backwardIncompatibility } from '../evolution.js';

export const RELEASED_DIR = dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.avsc.json';

/** Released snapshots by record name. */
export function readReleased(dir = RELEASED_DIR): Map<string, unknown> {
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith(SUFFIX))
      .map((f) => [f.slice(0, -SUFFIX.length), JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown]),
  );
}

function main(): void {
  const released = readReleased();
  let refused = 0;
  for (const c of ALL_CONTRACTS) {
    const previous = released.get(c.recordName);
    const why = previous === undefined ? undefined : backwardIncompatibility(c.avroSchema, previous);
    if (why) {
      console.error(`${c.recordName}: not BACKWARD-compatible with the released schema (${why}); not written`);
      refused++;
      continue;
    }
    const text = `${JSON.stringify(c.avroSchema, null, 2)}\n`;
    const file = join(RELEASED_DIR, `${c.recordName}${SUFFIX}`);
    if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(c.avroSchema)) continue;
    writeFileSync(file, text);
    console.log(`${previous === undefined ? 'released' : 'updated'} ${c.recordName}`);
  }
  process.exitCode = refused > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
