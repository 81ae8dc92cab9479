// The edge's error catalogue: every error a client can see has a stable code, an HTTP
// status and a clear message, and is rendered as application/problem+json (RFC 9457).
// Anything not in the catalogue becomes a 4xx when Fastify marked it as the client's
// fault (parsing, validation) and a 500 otherwise — input alone never yields a 5xx.
import createError, { type FastifyErrorConstructor } from '@fastify/error';
import type { ErrorObject } from 'ajv';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Where an invalid value sits: the part of the request and a JSON Pointer into it. */
export interface FieldError {
  in: 'body' | 'query' | 'path' | 'header';
  pointer: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

type Ctor = FastifyErrorConstructor<{ code: string; statusCode: number }, [string?]>;
const coded = (code: string, status: number, message: string): Ctor => createError(code, message, status) as unknown as Ctor;

export const Errors = {
  VALIDATION_FAILED: coded('VALIDATION_FAILED', 400, 'The request is invalid: %s'),
  INVALID_CURSOR: coded('INVALID_CURSOR', 400, 'The cursor is not one this service issued'),
  MALFORMED_BODY: coded('MALFORMED_BODY', 400, 'The request body is not valid JSON: %s'),
  BAD_REQUEST: coded('BAD_REQUEST', 400, '%s'),
  UNAUTHORIZED: coded('UNAUTHORIZED', 401, 'A bearer token is required (Authorization: Bearer <token>)'),
  INVALID_TOKEN: coded('INVALID_TOKEN', 401, 'The bearer token was not accepted: %s'),
  INSUFFICIENT_SCOPE: coded('INSUFFICIENT_SCOPE', 403, 'The token does not carry the scope %s this operation needs'),
  ORDER_NOT_FOUND: coded('ORDER_NOT_FOUND', 404, 'Order %s does not exist'),
  ROUTE_NOT_FOUND: coded('ROUTE_NOT_FOUND', 404, 'No route %s'),
  METHOD_NOT_ALLOWED: coded('METHOD_NOT_ALLOWED', 405, '%s'),
  IDEMPOTENCY_KEY_IN_PROGRESS: coded('IDEMPOTENCY_KEY_IN_PROGRESS', 409, 'A request with this Idempotency-Key is still being processed; retry later'),
  PAYLOAD_TOO_LARGE: coded('PAYLOAD_TOO_LARGE', 413, 'The request body is larger than %s bytes'),
  UNSUPPORTED_MEDIA_TYPE: coded('UNSUPPORTED_MEDIA_TYPE', 415, 'Send the body as application/json'),
  IDEMPOTENCY_KEY_REUSED: coded('IDEMPOTENCY_KEY_REUSED', 422, 'This Idempotency-Key was already used with a different request'),
  KAFKA_UNAVAILABLE: coded('KAFKA_UNAVAILABLE', 503, 'The command could not be handed to Kafka in time; it may be retried (%s)'),
  PRODUCER_SATURATED: coded('PRODUCER_SATURATED', 503, 'Too many commands are waiting for Kafka; retry later'),
  OVERLOADED: coded('OVERLOADED', 503, 'The service is overloaded; retry later'),
  DEPENDENCY_UNAVAILABLE: coded('DEPENDENCY_UNAVAILABLE', 503, '%s is unavailable; retry later'),
  INTERNAL: coded('INTERNAL', 500, 'Internal error'),
} as const;

export type ErrorCode = keyof typeof Errors;

/** An error carrying per-field details (validation) or extra problem members. */
export interface DetailedError extends Error {
  code: string;
  statusCode: number;
  errors?: FieldError[];
  retryAfter?: number;
  extensions?: Record<string, unknown>;
}

export function edgeError(code: ErrorCode, arg?: string, extra: Partial<Pick<DetailedError, 'errors' | 'retryAfter' | 'extensions'>> = {}): DetailedError {
  const err = (arg === undefined ? new Errors[code]() : new Errors[code](arg)) as unknown as DetailedError;
  return Object.assign(err, extra);
}

export const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const problemType = (code: string): string => `urn:wms:order-service:problem:${code.toLowerCase().replace(/_/g, '-')}`;

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

export const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

const CONTEXT: Record<string, FieldError['in']> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };
const MAX_FIELD_ERRORS = 50;

/** ajv errors → one entry per invalid field, with a JSON Pointer and a readable detail. */
export function fieldErrors(errors: readonly ErrorObject[], context: string): FieldError[] {
  const part = CONTEXT[context] ?? 'body';
  const groups = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    let pointer = e.instancePath;
    if (e.keyword === 'required') pointer += `/${escapePointer(String((e.params as { missingProperty: string }).missingProperty))}`;
    if (e.keyword === 'additionalProperties') pointer += `/${escapePointer(String((e.params as { additionalProperty: string }).additionalProperty))}`;
    const group = groups.get(pointer) ?? [];
    group.push(e);
    groups.set(pointer, group);
  }
  const out: FieldError[] = [];
  for (const [pointer, group] of groups) {
    out.push({ in: part, pointer, detail: describe(group) });
    if (out.length >= MAX_FIELD_ERRORS) break;
  }
  return out;
}

function describe(group: ErrorObject[]): string {
  const first = group[0] as ErrorObject;
  if (first.keyword === 'required') return 'is required';
  if (first.keyword === 'additionalProperties') return 'is not allowed (unknown field)';
  const allowed = group.flatMap((e) =>
    e.keyword === 'const' ? [(e.params as { allowedValue: unknown }).allowedValue] : e.keyword === 'enum' ? ((e.params as { allowedValues: unknown[] }).allowedValues ?? []) : [],
  );
  if (allowed.length > 0) return `must be one of: ${allowed.map((v) => String(v)).join(', ')}`;
  const messages = [...new Set(group.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf').map((e) => e.message ?? e.keyword))];
  if (messages.length === 0) return 'does not match any allowed form';
  return messages.join(', or ');
}

interface FastifyLikeError extends Partial<DetailedError> {
  validation?: ErrorObject[];
  validationContext?: string;
}

export interface RenderedProblem {
  problem: Problem;
  headers: Record<string, string>;
  /** True for server faults (logged at error level). */
  fault: boolean;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'BAD_REQUEST',
  FST_ERR_ASYNC_CONSTRAINT: 'BAD_REQUEST',
};

/** Any error thrown while serving a request → the problem document to answer with. */
export function renderError(error: unknown, opts: { bodyLimit: number; retryAfterSeconds: number }): RenderedProblem {
  const err = (error ?? {}) as FastifyLikeError;
  const headers: Record<string, string> = {};
  if (Array.isArray(err.validation)) {
    const errors = fieldErrors(err.validation, err.validationContext ?? 'body');
    const detail = `${errors.length} invalid field(s): ${errors
      .slice(0, 3)
      .map((e) => `${e.in} ${e.pointer || '/'} ${e.detail}`)
      .join('; ')}`;
    return { problem: problem(400, 'VALIDATION_FAILED', detail, { errors }), headers, fault: false };
  }
  const code = typeof err.code === 'string' ? err.code : undefined;
  const mapped = code ? FASTIFY_CODES[code] : undefined;
  if (mapped === 'PAYLOAD_TOO_LARGE') return { problem: problem(413, mapped, `The request body is larger than ${opts.bodyLimit} bytes`), headers, fault: false };
  if (mapped === 'UNSUPPORTED_MEDIA_TYPE') return { problem: problem(415, mapped, 'Send the body as application/json'), headers, fault: false };
  if (mapped) return { problem: problem(400, mapped, safeMessage(err.message)), headers, fault: false };
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (code && code in Errors && status >= 400 && status < 600) {
    if (status === 503) headers['retry-after'] = String(err.retryAfter ?? opts.retryAfterSeconds);
    return {
      problem: problem(status, code, safeMessage(err.message), { ...(err.errors ? { errors: err.errors } : {}), ...(err.extensions ?? {}) }),
      headers,
      fault: status >= 500 && status !== 503,
    };
  }
  // JSON.parse failures and other client faults that Fastify tagged with a 4xx status.
  if (status >= 400 && status < 500) {
    if (err instanceof SyntaxError || /JSON|prototype/i.test(err.message ?? '')) return { problem: problem(400, 'MALFORMED_BODY', safeMessage(err.message)), headers, fault: false };
    // Only catalogue codes reach clients (an aborted body arrives as ECONNRESET): BAD_REQUEST.
    return { problem: problem(status, 'BAD_REQUEST', safeMessage(err.message)), headers, fault: false };
  }
  return { problem: problem(500, 'INTERNAL', 'Internal error'), headers, fault: true };
}

/** Messages are echoed to clients: single line, bounded. */
const safeMessage = (m: unknown): string => String(m ?? 'Bad request').replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300);
