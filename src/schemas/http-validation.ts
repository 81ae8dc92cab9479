// Validation of HTTP request bodies with the same JSON Schemas the edge publishes in its
// OpenAPI document (the edge may equally hand HttpBodySchemas to Fastify's ajv).
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { COMMAND_TYPES, HttpBodySchemas, type CommandType, type HttpBody } from './commands.js';
import { validationIssues, type ValidationIssue } from './catalog.js';

const checks = Object.fromEntries(COMMAND_TYPES.map((t) => [t, TypeCompiler.Compile(HttpBodySchemas[t] as TSchema)])) as Record<
  CommandType,
  TypeCheck<TSchema>
>;

/**
 * A TypeBox schema as plain JSON Schema: no TypeBox symbols, no `avroName` (an unknown
 * keyword to ajv in strict mode). For Fastify route schemas and the OpenAPI document.
 */
export function plainJsonSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === 'avroName' ? undefined : value))) as Record<string, unknown>;
}

/**
 * JSON Schemas of the HTTP bodies, per command type. When handing them to Fastify, keep
 * ajv's `removeAdditional` off so unknown fields are rejected (400/422), not dropped.
 */
export const HTTP_BODY_JSON_SCHEMAS = Object.fromEntries(COMMAND_TYPES.map((t) => [t, plainJsonSchema(HttpBodySchemas[t])])) as Record<
  CommandType,
  Record<string, unknown>
>;

/** Validates the body of the HTTP request for `type`; a missing body counts as `{}`. One issue per invalid field. */
export function validateHttpBody<T extends CommandType>(
  type: T,
  body: unknown,
): { ok: true; value: HttpBody<T> } | { ok: false; issues: ValidationIssue[] } {
  const value = body ?? {};
  const issues = validationIssues(checks[type], value);
  return issues.length === 0 ? { ok: true, value: value as HttpBody<T> } : { ok: false, issues };
}
