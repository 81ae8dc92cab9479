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

/** Validates the body of the HTTP request for `type`; a missing body counts as `{}`. One issue per invalid field. */
export function validateHttpBody<T extends CommandType>(
  type: T,
  body: unknown,
): { ok: true; value: HttpBody<T> } | { ok: false; issues: ValidationIssue[] } {
  const value = body ?? {};
  const issues = validationIssues(checks[type], value);
  return issues.length === 0 ? { ok: true, value: value as HttpBody<T> } : { ok: false, issues };
}
