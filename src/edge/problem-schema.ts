// The problem+json document (RFC 9457) as the OpenAPI document describes it: its stable
// codes are read from where they are made (the edge's catalogue, the domain's rejection
// codes through their HTTP status, the socket-level answers), never listed again here.
import { REJECTION_CODES } from '../domain/index.js';
import { CLIENT_ERROR_ANSWERS, MALFORMED } from './client-errors.js';
import { Errors, TITLES, type ErrorCode } from './errors.js';
import { rejectionStatus } from './outcome-status.js';

const CATALOGUE: readonly (readonly [code: string, status: number])[] = [
  ...(Object.keys(Errors) as ErrorCode[]).map((code) => [code, (new Errors[code]('…') as unknown as { statusCode: number }).statusCode] as const),
  ...REJECTION_CODES.map((code) => [code, rejectionStatus(code)] as const),
  ...[...Object.values(CLIENT_ERROR_ANSWERS), MALFORMED].map(([status, code]) => [code, status] as const),
];

/** Every code a problem answer can carry, sorted. */
export const PROBLEM_CODES: readonly string[] = [...new Set(CATALOGUE.map(([code]) => code))].sort();

/** The codes answered with `status`. */
export const problemCodesFor = (status: number): string[] => [...new Set(CATALOGUE.filter(([, s]) => s === status).map(([code]) => code))].sort();

/** `Problem` in components.schemas (Fastify shared schema id, referenced as `Problem#`). */
export const PROBLEM_SCHEMA = {
  $id: 'Problem',
  title: 'Problem',
  description: 'Problem details (RFC 9457), served as application/problem+json. Members beyond these are extensions (orderId and commandId on rejected commands).',
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'urn:wms:order-service:problem:<code in lower case, - for _>' },
    title: { type: 'string', description: 'the HTTP reason phrase' },
    status: { type: 'integer', description: 'the HTTP status of the answer' },
    detail: { type: 'string', description: 'what went wrong, safe to show' },
    code: { type: 'string', enum: PROBLEM_CODES, description: 'stable code: program against this' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'one entry per invalid field',
      items: {
        type: 'object',
        required: ['in', 'pointer', 'detail'],
        properties: { in: { type: 'string', enum: ['body', 'query', 'path', 'header'] }, pointer: { type: 'string', description: 'JSON Pointer into that part' }, detail: { type: 'string' } },
      },
    },
    orderId: { type: 'string', description: 'the order a rejected command was for (Prefer: wait)' },
    commandId: { type: 'string', description: 'the rejected command (Prefer: wait)' },
  },
  additionalProperties: true,
} as const;

export const statusTitle = (status: number): string => TITLES[status] ?? 'Error';
