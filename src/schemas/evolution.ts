// Schema-evolution guard: each record's current Avro schema must be BACKWARD-compatible
// with the schema as last released (a consumer on the new schema can read everything
// written with the old one) — the rule the registry enforces per subject. Checked with
// avsc's schema resolution: createResolver(reader = current, writer = released) throws
// when the writer's data cannot be read (a new field without default, a changed type,
// a removed enum symbol, a renamed record…).
import avro from 'avsc';
import type { AvroSchema } from './avro/from-typebox.js';

/** Why `current` cannot read data written with `released`, or undefined when it can. */
export function backwardIncompatibility(current: AvroSchema, released: unknown): string | undefined {
  try {
    avro.Type.forSchema(current as never).createResolver(avro.Type.forSchema(released as never));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export interface EvolutionProblem {
  recordName: string;
  problem: string;
}

/**
 * Compares current schemas (by record name) with released snapshots (by record name).
 * A record that was released but no longer exists is a break too; a record that has no
 * snapshot yet is reported as unreleased so that releasing it is a conscious step.
 */
export function evolutionProblems(current: ReadonlyMap<string, AvroSchema>, released: ReadonlyMap<string, unknown>): EvolutionProblem[] {
  const problems: EvolutionProblem[] = [];
  for (const [recordName, schema] of current) {
    const snapshot = released.get(recordName);
    if (snapshot === undefined) {
      problems.push({ recordName, problem: 'not released yet: run `npm run schemas:snapshot` and commit src/schemas/released/' });
      continue;
    }
    const why = backwardIncompatibility(schema, snapshot);
    if (why) problems.push({ recordName, problem: `not BACKWARD-compatible with the released schema: ${why}` });
  }
  for (const recordName of released.keys()) {
    if (!current.has(recordName)) problems.push({ recordName, problem: 'released schema was removed' });
  }
  return problems;
}
