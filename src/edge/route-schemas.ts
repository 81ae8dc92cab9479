// JSON Schemas of path params, query strings and headers, next to the body schemas from
// src/schemas: Fastify validates with them and @fastify/swagger publishes them, so the
// OpenAPI document and the validation can never disagree.
import { Type, type TSchema } from '@sinclair/typebox';
import { ORDER_ID_PATTERN, OrderStatus, Priority, Text, UUID_PATTERN, plainJsonSchema } from '../schemas/index.js';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency.js';

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

export const acceptedResponse = {
  description: 'Accepted: the command is on Kafka; its outcome is not known yet',
  type: 'object',
  properties: { orderId: { type: 'string' }, commandId: { type: 'string' }, status: { type: 'string', enum: ['pending'] } },
  required: ['orderId', 'commandId', 'status'],
} as const;

export const problemResponse = {
  description: 'Problem details (RFC 9457), application/problem+json',
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { in: { type: 'string' }, pointer: { type: 'string' }, detail: { type: 'string' } } },
    },
  },
  additionalProperties: true,
} as const;

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

export const orderResponse = plainJsonSchema(OrderRepresentation);

export const orderHistoryResponse = plainJsonSchema(
  Type.Object({ orderId: Type.String(), entries: Type.Array(TimelineEntryRepresentation) }, { description: 'Status changes of the order, oldest first (version order)' }),
);

export const orderListResponse = plainJsonSchema(
  Type.Object(
    {
      items: Type.Array(OrderRepresentation),
      limit: Type.Integer(),
      nextCursor: Nullable(Type.String({ description: 'pass as ?cursor= for the next page; null on the last page' })),
    },
    { description: 'Orders, newest first' },
  ),
);

export const commandStatusResponse = plainJsonSchema(
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
