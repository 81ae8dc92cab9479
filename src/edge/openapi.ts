// How the routes' answers are described: each route lists the statuses it gives, and this
// module turns them into response schemas (which Fastify also serializes with) and the
// OpenAPI document's headers, problem+json bodies and links.
import type { FastifyInstance } from 'fastify';
import { PROBLEM_SCHEMA, problemCodesFor, statusTitle } from './problem-schema.js';

type Schema = Record<string, unknown>;
/** A response header: its schema, described; `x-required` becomes the header's `required` (see tidyDocument). */
type HeaderDoc = Schema & { description: string; 'x-required'?: true };

const text = (description: string, extra: Schema = {}): HeaderDoc => ({ type: 'string', description, ...extra });
const required = (h: HeaderDoc): HeaderDoc => ({ ...h, 'x-required': true });

export const HEADERS = {
  'x-correlation-id': required(text('the request id: the X-Correlation-ID sent, or a new one; in every log line and record of the request')),
  location: required(text('the order the command is for', { pattern: '^/api/v1/orders/[A-Za-z0-9_-]{1,64}$' })),
  etag: text('weak validator of the order: its version (absent while its history lags the order)', { pattern: '^W/"\\d+"$' }),
  'cache-control': text('no-cache: revalidate with If-None-Match'),
  'preference-applied': text('wait=N when the edge waited for the outcome (RFC 7240)', { pattern: '^wait=\\d+$' }),
  'idempotent-replayed': text('true on the stored answer to a repeated Idempotency-Key', { enum: ['true'] }),
  'retry-after': required(text('seconds to wait before retrying', { pattern: '^\\d+$' })),
  'www-authenticate': required(text('RFC 6750 Bearer challenge')),
} as const satisfies Record<string, HeaderDoc>;
type HeaderName = keyof typeof HEADERS;

const headers = (names: readonly HeaderName[]) => Object.fromEntries(['x-correlation-id' as const, ...names].map((n) => [n, HEADERS[n]]));

/** A success answer: JSON (or `media`) with `schema`, and the headers it carries. */
export function answer(description: string, schema: Schema | undefined, headerNames: readonly HeaderName[] = [], media = 'application/json'): Schema {
  if (!schema) return { description, type: 'null', headers: headers(headerNames) };
  return { description, headers: headers(headerNames), content: { [media]: { schema } } };
}

/** Registers the shared Problem schema the answers of `problems` refer to (once per app; every route module calls it). */
export function useProblemSchema(app: FastifyInstance): void {
  if (!app.getSchema(PROBLEM_SCHEMA.$id)) app.addSchema(PROBLEM_SCHEMA);
}

/** The problem+json answers for `statuses`, each naming its codes. */
export function problems(statuses: readonly number[]): Record<number, Schema> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: `${statusTitle(status)}: ${problemCodesFor(status).join(', ')}`,
        headers: headers(status === 503 ? ['retry-after'] : status === 401 ? ['www-authenticate'] : []),
        content: { 'application/problem+json': { schema: { $ref: `${PROBLEM_SCHEMA.$id}#` } } },
      },
    ]),
  );
}

/**
 * Problems any request can meet before its route runs: a malformed request or URL (400),
 * a client too slow (408), a Content-Encoding (415), headers too large (431), overload or
 * a dependency out (503), a fault (500).
 */
export const ANY_REQUEST = [400, 408, 415, 431, 500, 503] as const;
/** …and those of a command: unknown order, conflicts and Idempotency-Key in progress, a body too large, rules broken. */
export const COMMAND_PROBLEMS = [...ANY_REQUEST, 404, 409, 413, 422] as const;

export interface Link {
  operationId: string;
  parameters?: Record<string, string>;
  description?: string;
}

/**
 * The document as served, tidied: shared schemas named by their title (`Problem`, not
 * `def-0`), header requirements where OpenAPI wants them, and a request body marked
 * optional where an absent body is valid (the edge reads none as `{}`).
 */
export function tidyDocument(doc: Schema): Schema {
  const components = (doc.components ?? {}) as { schemas?: Record<string, Schema> };
  const renames = new Map<string, string>();
  for (const [name, schema] of Object.entries(components.schemas ?? {})) {
    if (typeof schema.title === 'string' && /^def-\d+$/.test(name)) renames.set(`#/components/schemas/${name}`, `#/components/schemas/${schema.title}`);
  }
  if (components.schemas) components.schemas = Object.fromEntries(Object.entries(components.schemas).map(([n, s]) => [(renames.get(`#/components/schemas/${n}`) ?? n).split('/').pop()!, s]));
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Schema;
    if (typeof o.$ref === 'string' && renames.has(o.$ref)) o.$ref = renames.get(o.$ref);
    Object.values(o).forEach(walk);
  };
  walk(doc);
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Record<string, Schema>>)) {
    for (const op of Object.values(item)) {
      for (const r of Object.values((op.responses ?? {}) as Record<string, { headers?: Record<string, { schema: Schema; required?: boolean }> }>)) {
        for (const h of Object.values(r.headers ?? {})) {
          if (h.schema['x-required']) h.required = true;
          delete h.schema['x-required'];
        }
      }
      const body = op.requestBody as { required: boolean; content: Record<string, { schema: Schema }> } | undefined;
      const schema = body?.content['application/json']?.schema;
      if (body && schema && !(schema.required as unknown[] | undefined)?.length && !schema.minProperties) body.required = false;
    }
  }
  return doc;
}
