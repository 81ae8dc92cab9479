// Reusable field shapes. Each is a TypeBox schema: a JSON Schema object (what Fastify/ajv
// validates HTTP bodies with), a TypeScript type via Static<>, and, through `avroName`
// on named shapes, the input of the TypeBox → Avro translation in avro/from-typebox.ts.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_ITEMS, MAX_QUANTITY, ORDER_STATUSES, PRIORITIES } from '../domain/vocabulary.js';

export { MAX_ITEMS, MAX_QUANTITY, ORDER_STATUSES, PRIORITIES };

/** 1–64 characters of letters, digits, `-`, `_` (edge ids look like `ORD-<uuid v7>`). */
export const ORDER_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
/** RFC 3339 date-time with an explicit offset; the calendar check happens in the domain. */
export const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
/** Plain non-negative decimal, no exponent, as carried in commands ("29.99"). */
export const DECIMAL_PATTERN = '^\\d{1,20}(\\.\\d{1,20})?$';


/** Printable single-line text: no control characters. */
export const TEXT_PATTERN = '^[^\\u0000-\\u001F\\u007F]+$';

/** A printable single-line text (no control characters) of bounded length. */
export const Text = (maxLength: number, extra: Record<string, unknown> = {}) => Type.String({ minLength: 1, maxLength, pattern: TEXT_PATTERN, ...extra });

export const OrderId = Type.String({ pattern: ORDER_ID_PATTERN, description: 'letters, digits, - and _; 1–64 characters' });
export const Uuid = Type.String({ pattern: UUID_PATTERN, description: 'UUID' });
export const DateTime = Type.String({ pattern: DATE_TIME_PATTERN, maxLength: 40, description: 'RFC 3339 date-time' });
export const CorrelationId = Type.String({ pattern: '^[\\x21-\\x7E]{1,128}$', description: 'printable ASCII, 1–128 characters' });
/** Who issued a command: the authenticated caller's subject (JWT `sub`). Optional, added in v2 of every command and event record. */
export const IssuedBy = Text(256, { description: "the authenticated caller's subject (JWT sub, or api-token); absent when the API is open" });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 alphabetic code' });

export const Priority = Type.Union(PRIORITIES.map((p) => Type.Literal(p)), { avroName: 'wms.orders.Priority' });
export type Priority = Static<typeof Priority>;

export const OrderStatus = Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)), { avroName: 'wms.orders.OrderStatus' });
export type OrderStatus = Static<typeof OrderStatus>;

export const Address = Type.Object(
  {
    street: Text(200),
    city: Text(100),
    state: Text(100),
    zipCode: Text(20),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
  },
  { additionalProperties: false, avroName: 'wms.orders.Address' },
);
export type Address = Static<typeof Address>;

/**
 * Item lines are parameterised by how a price amount is written: HTTP bodies accept a JSON
 * number or a decimal string (the seed sends 29.99), command records always carry the
 * decimal string. One definition, two instantiations.
 */
export const itemInput = <A extends TSchema>(amount: A, avroNamespace: string) =>
  Type.Object(
    {
      sku: Text(64),
      productName: Text(200),
      quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }),
      price: Type.Object({ amount, currency: Currency }, { additionalProperties: false, avroName: `${avroNamespace}.PriceInput` }),
    },
    { additionalProperties: false, avroName: `${avroNamespace}.OrderItemInput` },
  );

/** Order fields a client supplies at creation, parameterised by the amount representation. */
export const orderInputFields = <A extends TSchema>(amount: A, avroNamespace: string) => ({
  customerId: Text(64),
  priority: Priority,
  items: Type.Array(itemInput(amount, avroNamespace), { minItems: 1, maxItems: MAX_ITEMS }),
  shippingAddress: Address,
  promisedDeliveryAt: Type.Optional(DateTime),
});

/** Amount in HTTP bodies: `29.99` or `"29.99"`. */
export const HttpAmount = Type.Union([
  Type.Number({ minimum: 0, maximum: 1e15 }),
  Type.String({ pattern: DECIMAL_PATTERN, maxLength: 41 }),
]);
/** Amount in command records: always the exact decimal string. */
export const DecimalAmount = Type.String({ pattern: DECIMAL_PATTERN, maxLength: 41 });

/** Money as events carry it: integer minor units + currency. */
export const Money = Type.Object(
  { amountMinor: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), currency: Currency },
  { additionalProperties: false, avroName: 'wms.orders.Money' },
);

export const OrderLine = Type.Object(
  {
    sku: Text(64),
    productName: Text(200),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }),
    unitPrice: Money,
    lineTotal: Money,
  },
  { additionalProperties: false, avroName: 'wms.orders.OrderLine' },
);
export type OrderLine = Static<typeof OrderLine>;
