// TypeBox → Avro. The TypeBox definitions in src/schemas are the single source of truth:
// they are JSON Schema (HTTP validation), give TS types (Static<>), and this translation
// gives the Avro schema of every record we put on Kafka. Only the subset we use is
// supported; anything else throws at module load, so a new construct cannot slip by.
//
// Mapping: Object(avroName) → record; optional property → ["null", T] default null;
// String/string Literal → string; Integer → long; Number → double; Boolean → boolean;
// Array → array; Union of string Literals (avroName) → enum.
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox';

export type AvroSchema =
  | string
  | AvroSchema[]
  | { type: 'record'; name: string; doc?: string; fields: AvroField[] }
  | { type: 'enum'; name: string; symbols: string[] }
  | { type: 'array'; items: AvroSchema };
export interface AvroField {
  name: string;
  type: AvroSchema;
  default?: unknown;
  doc?: string;
}

type Schemaish = TSchema & { avroName?: string; [OptionalKind]?: string };

const isOptional = (s: Schemaish): boolean => s[OptionalKind] === 'Optional';

function avroName(s: Schemaish): string {
  if (typeof s.avroName !== 'string') throw new Error(`TypeBox ${s[Kind]} schema needs an avroName to become a named Avro type`);
  return s.avroName;
}

/** Avro schema of a TypeBox record schema; named types are defined once, then referenced by full name. */
export function toAvroSchema(schema: TSchema, defined: Set<string> = new Set()): AvroSchema {
  const s = schema as Schemaish;
  switch (s[Kind]) {
    case 'String':
      return 'string';
    case 'Integer':
      return 'long';
    case 'Number':
      return 'double';
    case 'Boolean':
      return 'boolean';
    case 'Literal':
      if (typeof s.const !== 'string') throw new Error('only string literals map to Avro');
      return 'string';
    case 'Array':
      return { type: 'array', items: toAvroSchema(s.items as TSchema, defined) };
    case 'Union': {
      const variants = s.anyOf as Schemaish[];
      if (!variants.every((v) => v[Kind] === 'Literal' && typeof v.const === 'string')) {
        throw new Error('only unions of string literals (enums) map to Avro');
      }
      const name = avroName(s);
      if (defined.has(name)) return name;
      defined.add(name);
      return { type: 'enum', name, symbols: variants.map((v) => v.const as string) };
    }
    case 'Object': {
      const name = avroName(s);
      if (defined.has(name)) return name;
      defined.add(name);
      const fields = Object.entries(s.properties as Record<string, Schemaish>).map(([fieldName, prop]): AvroField => {
        const type = toAvroSchema(prop, defined);
        const doc = typeof prop.description === 'string' ? { doc: prop.description } : {};
        return isOptional(prop) ? { name: fieldName, type: ['null', type], default: null, ...doc } : { name: fieldName, type, ...doc };
      });
      return { type: 'record', name, fields };
    }
    default:
      throw new Error(`TypeBox kind ${String(s[Kind])} has no Avro mapping`);
  }
}

/** Plain TS value → value avsc can encode: absent optional fields become null. */
export function toAvroValue(schema: TSchema, value: unknown): unknown {
  const s = schema as Schemaish;
  if (s[Kind] === 'Array' && Array.isArray(value)) return value.map((v) => toAvroValue(s.items as TSchema, v));
  if (s[Kind] === 'Object' && value !== null && typeof value === 'object') {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(s.properties as Record<string, TSchema>)) {
      const v = src[key];
      out[key] = v === undefined ? null : toAvroValue(prop, v);
    }
    return out;
  }
  return value;
}

/** Decoded avsc value → plain JSON object: null optional fields are dropped, record classes become plain objects. */
export function fromAvroValue(schema: TSchema, value: unknown): unknown {
  const s = schema as Schemaish;
  if (s[Kind] === 'Array' && Array.isArray(value)) return value.map((v) => fromAvroValue(s.items as TSchema, v));
  if (s[Kind] === 'Object' && value !== null && typeof value === 'object') {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(s.properties as Record<string, Schemaish>)) {
      const v = src[key];
      if (v === null && isOptional(prop)) continue;
      out[key] = fromAvroValue(prop, v);
    }
    return out;
  }
  return value;
}
