// Every record we put on (or read from) Kafka, with its TypeBox definition, derived Avro
// schema, avsc type and compiled validator — built once at module load.
import avro from 'avsc';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { COMMAND_TYPES, CommandSchemas, type CommandType } from './commands.js';
import { EVENT_TYPES, EventSchemas, eventRecordName, type EventType } from './events.js';
import { CommandOutcomeSchema } from './outcome.js';
import { toAvroSchema, type AvroSchema } from './avro/from-typebox.js';

export type ContractKind = 'command' | 'event' | 'outcome';

export interface RecordContract {
  kind: ContractKind;
  /** Avro full name, also the record-name part of the registry subject. */
  recordName: string;
  schema: TSchema;
  avroSchema: AvroSchema;
  avroType: avro.Type;
  check: TypeCheck<TSchema>;
}

function contract(kind: ContractKind, recordName: string, schema: TSchema): RecordContract {
  const avroSchema = toAvroSchema(schema);
  return { kind, recordName, schema, avroSchema, avroType: avro.Type.forSchema(avroSchema as never), check: TypeCompiler.Compile(schema) };
}

export const COMMAND_CONTRACTS = Object.fromEntries(
  COMMAND_TYPES.map((t) => [t, contract('command', `wms.orders.commands.${t}`, CommandSchemas[t])]),
) as Record<CommandType, RecordContract>;

export const EVENT_CONTRACTS = Object.fromEntries(
  EVENT_TYPES.map((t) => [t, contract('event', eventRecordName(t), EventSchemas[t])]),
) as Record<EventType, RecordContract>;

export const OUTCOME_CONTRACT = contract('outcome', 'wms.orders.CommandOutcome', CommandOutcomeSchema);

/** All contracts, e.g. for the released-schema snapshots and the evolution guard. */
export const ALL_CONTRACTS: readonly RecordContract[] = [...Object.values(COMMAND_CONTRACTS), ...Object.values(EVENT_CONTRACTS), OUTCOME_CONTRACT];

const byName = new Map(ALL_CONTRACTS.map((c) => [c.recordName, c]));
export const contractByRecordName = (name: string | undefined): RecordContract | undefined => (name ? byName.get(name) : undefined);

/** Registry subject under the TopicRecordNameStrategy: `<topic>-<record full name>`. */
export const subjectFor = (topic: string, recordName: string): string => `${topic}-${recordName}`;

export interface ValidationIssue {
  /** JSON Pointer to the offending field, e.g. `/payload/items/0/quantity`. */
  path: string;
  message: string;
}

/** Structural validation against a contract; at most `limit` issues, one per field. */
export function validationIssues(check: TypeCheck<TSchema>, value: unknown, limit = 20): ValidationIssue[] {
  if (check.Check(value)) return [];
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const e of check.Errors(value)) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    issues.push({ path: e.path, message: e.message });
    if (issues.length >= limit) break;
  }
  return issues;
}
