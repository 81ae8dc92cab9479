// JSON Schemas of path params, query strings and headers, next to the body schemas from
// src/schemas: Fastify validates with them and @fastify/swagger publishes them, so the
// OpenAPI document and the validation can never disagree.
import { Type, type TSchema } from '@sinclair/typebox';
import { toInstant } from '../domain/index.js';
import { DATE_TIME_PATTERN, HTTP_BODY_JSON_SCHEMAS, ORDER_ID_PATTERN, OrderStatus, Priority, TEXT_PATTERN, Text, UUID_PATTERN, plainJsonSchema, type CommandType } from '../schemas/index.js';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency.js';
import { ANY_REQUEST, COMMAND_PROBLEMS, answer, problems } from './openapi.js';
import { appliedStatus } from './outcome-status.js';

/**
 * JSON Schema formats the edge's validators know, for ajv's `formats` option. `date-time`
 * is the domain's own rule (a real instant in the years 0000–9999 UTC), so the document
 * can say `format: date-time` and mean exactly what is refused.
 */
export const HTTP_FORMATS = { 'date-time': (s: string): boolean => toInstant(s) !== undefined } as const;

/**
 * Texts that are blank to the domain (`trim() === ''`: only JavaScript white space, which is
 * what `\s` matches) are refused by the domain's precheck; the HTTP bodies say so in their
 * pattern, so the document is as strict as the answer. A lookahead keeps the check linear.
 */
export const NON_BLANK_TEXT_PATTERN = `^(?!\\s*$)${TEXT_PATTERN.slice(1)}`;

/**
 * The JSON Schema of the HTTP body of `type`, as strict as the edge is: date-times are
 * real instants (format date-time, the domain's rule) and texts are not blank.
 */
export function httpBodySchema(type: CommandType): Record<string, unknown> {
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict);
    if (!node || typeof node !== 'object') return node;
    const o = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strict(v)])) as Record<string, unknown>;
    if (o.pattern === DATE_TIME_PATTERN) return { ...o, format: 'date-time', description: 'RFC 3339 date-time: a real instant, in the years 0000–9999 once in UTC' };
    if (o.pattern === TEXT_PATTERN) return { ...o, pattern: NON_BLANK_TEXT_PATTERN };
    return o;
  };
  return strict(HTTP_BODY_JSON_SCHEMAS[type]) as Record<string, unknown>;
}

export const MAX_LIST_LIMIT = 100;
export const DEFAULT_LIST_LIMIT = 20;

export const orderIdParams = plainJsonSchema(
  Type.Object({ orderId: Type.String({ pattern: ORDER_ID_PATTERN, maxLength: 64, description: 'letters, digits, - and _; 1–64 characters' }) }, { additionalProperties: false }),
);

export const commandIdParams = plainJsonSchema(
  Type.Object({ commandId: Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'UUID' }) }, { additionalProperties: false }),
);

/** additionalProperties: false also refuses bracket keys such as `status[$ne]` (the query parser keeps them literal). */
export const listQuery = plainJsonSchema(
  Type.Object(
    {
      status: Type.Optional(OrderStatus),
      priority: Type.Optional(Priority),
      customerId: Type.Optional(Text(64)),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT })),
      cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'opaque; from nextCursor' })),
    },
    { additionalProperties: false },
  ),
);

/** Headers the mutating routes read (others pass through). */
export const commandHeaders = plainJsonSchema(
  Type.Object({
    'idempotency-key': Type.Optional(Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN, description: 'makes retries safe: same key + same body → same answer' })),
    prefer: Type.Optional(Type.String({ maxLength: 1000, description: 'RFC 7240; `wait=N` waits up to N seconds for the outcome' })),
  }),
);

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Amount = Type.Object({ amount: Type.Number({ description: 'decimal amount, e.g. 29.99' }), currency: Type.String() });

/** One status change of an order: also the items of GET …/history. */
const TimelineEntryRepresentation = Type.Object({
  status: OrderStatus,
  event: Type.String({ description: 'event type, e.g. OrderValidated' }),
  at: Type.String({ description: 'when it happened: the event occurredAt (ISO 8601)' }),
  version: Type.Integer({ description: 'order version after this change' }),
  commandId: Type.String({ description: 'the command that made the change' }),
  correlationId: Type.String({ description: 'X-Correlation-ID of the request that sent the command' }),
  issuedBy: Type.Optional(Type.String({ description: "who sent the command: the caller's token subject (absent when the API is open)" })),
});

/** An order as GET answers it (money as decimal amounts); also the serializer of those routes. */
export const OrderRepresentation = Type.Object(
  {
    orderId: Type.String(),
    customerId: Type.String(),
    priority: Priority,
    status: OrderStatus,
    items: Type.Array(
      Type.Object({ sku: Type.String(), productName: Type.String(), quantity: Type.Integer(), price: Amount, lineTotal: Amount }),
    ),
    totalAmount: Amount,
    shippingAddress: Type.Object({ street: Type.String(), city: Type.String(), state: Type.String(), zipCode: Type.String(), country: Type.String() }),
    promisedDeliveryAt: Nullable(Type.String()),
    waveId: Nullable(Type.String()),
    trackingNumber: Nullable(Type.String()),
    carrier: Nullable(Type.String()),
    deliveredAt: Nullable(Type.String()),
    cancellationReason: Nullable(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer({ description: 'aggregate version; also the weak ETag' }),
    timeline: Type.Array(TimelineEntryRepresentation),
  },
  { description: 'The order' },
);

const orderResponse = plainJsonSchema(OrderRepresentation);

const orderHistoryResponse = plainJsonSchema(
  Type.Object({ orderId: Type.String(), entries: Type.Array(TimelineEntryRepresentation) }, { description: 'Status changes of the order, oldest first (version order)' }),
);

const orderListResponse = plainJsonSchema(
  Type.Object(
    {
      items: Type.Array(OrderRepresentation),
      limit: Type.Integer(),
      nextCursor: Nullable(Type.String({ description: 'pass as ?cursor= for the next page; null on the last page' })),
    },
    { description: 'Orders, newest first' },
  ),
);

const commandStatusResponse = plainJsonSchema(
  Type.Object(
    {
      commandId: Type.String(),
      orderId: Type.Optional(Type.String()),
      commandType: Type.Optional(Type.String()),
      status: Type.Union([Type.Literal('pending'), Type.Literal('applied'), Type.Literal('rejected'), Type.Literal('dead_lettered')]),
      code: Type.Optional(Type.String({ description: 'rejection code, e.g. INVALID_TRANSITION; for dead_lettered the dead letter\'s x-dlq-error-code, e.g. KEY_MISMATCH' })),
      reason: Type.Optional(Type.String()),
      version: Type.Optional(Type.Integer({ description: 'order version after the command' })),
    },
    { description: 'What became of the command' },
  ),
);

const acceptedBody = plainJsonSchema(
  Type.Object({ orderId: Type.String(), commandId: Type.String(), status: Type.Literal('pending') }, { description: 'The command is on Kafka; its outcome is not known yet' }),
);

/** With Prefer: wait, when the order could not be read back after the outcome. */
const appliedBody = plainJsonSchema(
  Type.Object({ orderId: Type.String(), commandId: Type.String(), status: Type.Literal('applied'), version: Type.Integer() }, { description: 'The command was applied' }),
);

/** Every answer of a command route: 202, or with Prefer: wait the outcome (201/200 or its rejection). */
export function commandResponses(type: CommandType): Record<string | number, unknown> {
  const applied = appliedStatus(type);
  return {
    202: answer('Accepted: the command is on Kafka (also with Prefer: wait, when the outcome did not come in time)', acceptedBody, ['location', 'preference-applied', 'idempotent-replayed']),
    [applied]: answer(
      `${applied === 201 ? 'Created' : 'Applied'} (Prefer: wait): the order after the command, or the short form when it could not be read back`,
      { anyOf: [orderResponse, appliedBody] },
      ['location', 'etag', 'preference-applied', 'idempotent-replayed'],
    ),
    // A create cannot meet an unknown order.
    ...problems(type === 'CreateOrder' ? COMMAND_PROBLEMS.filter((s) => s !== 404) : COMMAND_PROBLEMS),
  };
}

/** GET of one order or its history: 200 with the ETag, 304 when If-None-Match is current. */
const conditionalRead = (description: string, body: Record<string, unknown>) => ({
  200: answer(description, body, ['etag', 'cache-control']),
  304: answer('Not Modified: the If-None-Match ETag is current', undefined, ['etag', 'cache-control']),
  ...problems([...ANY_REQUEST, 404]),
});

export const orderResponses = conditionalRead('The order', orderResponse);
export const orderHistoryResponses = conditionalRead('Status changes of the order, oldest first (version order)', orderHistoryResponse);
export const orderListResponses = { 200: answer('Orders, newest first', orderListResponse), ...problems(ANY_REQUEST) };
export const commandStatusResponses = { 200: answer('What became of the command', commandStatusResponse), ...problems(ANY_REQUEST) };
