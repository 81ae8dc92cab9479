// Command contract (docs/design.md §3): one definition per payload, instantiated twice — for HTTP
// bodies (amount as JSON number or string) and for command records (amount as an exact
// decimal string, which is what JSON and Avro command values both carry after decoding).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Address, CorrelationId, DateTime, DecimalAmount, HttpAmount, IssuedBy, MAX_ITEMS, OrderId, Priority, Text, Uuid, itemInput, orderInputFields } from './fields.js';

export const COMMAND_TYPES = [
  'CreateOrder',
  'ModifyOrder',
  'ValidateOrder',
  'AssignWave',
  'StartPicking',
  'MarkPacked',
  'MarkShipped',
  'CompleteOrder',
  'CancelOrder',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

export const isCommandType = (t: unknown): t is CommandType => typeof t === 'string' && (COMMAND_TYPES as readonly string[]).includes(t);

const empty = (name: string) => Type.Object({}, { additionalProperties: false, avroName: name });

const payloadShapes = <A extends TSchema>(amount: A, ns: string) => ({
  CreateOrder: Type.Object(orderInputFields(amount, ns), { additionalProperties: false, avroName: `${ns}.CreateOrderPayload` }),
  ModifyOrder: Type.Object(
    {
      shippingAddress: Type.Optional(Address),
      priority: Type.Optional(Priority),
      items: Type.Optional(Type.Array(itemInput(amount, ns), { minItems: 1, maxItems: MAX_ITEMS })),
      promisedDeliveryAt: Type.Optional(DateTime),
    },
    { additionalProperties: false, minProperties: 1, avroName: `${ns}.ModifyOrderPayload` },
  ),
  ValidateOrder: empty(`${ns}.ValidateOrderPayload`),
  AssignWave: Type.Object({ waveId: Text(64) }, { additionalProperties: false, avroName: `${ns}.AssignWavePayload` }),
  StartPicking: empty(`${ns}.StartPickingPayload`),
  MarkPacked: empty(`${ns}.MarkPackedPayload`),
  MarkShipped: Type.Object(
    { trackingNumber: Text(64), carrier: Text(64) },
    { additionalProperties: false, avroName: `${ns}.MarkShippedPayload` },
  ),
  CompleteOrder: Type.Object({ deliveredAt: DateTime }, { additionalProperties: false, avroName: `${ns}.CompleteOrderPayload` }),
  CancelOrder: Type.Object({ reason: Text(500) }, { additionalProperties: false, avroName: `${ns}.CancelOrderPayload` }),
});

/** Payload schemas as carried inside command records. */
export const CommandPayloadSchemas = payloadShapes(DecimalAmount, 'wms.orders.commands');

/**
 * JSON Schemas of the HTTP request bodies (additionalProperties: false everywhere).
 * ValidateOrder/StartPicking/MarkPacked take no body (or `{}`).
 */
export const HttpBodySchemas = payloadShapes(HttpAmount, 'wms.orders.http');

export type CommandPayload<T extends CommandType> = Static<(typeof CommandPayloadSchemas)[T]>;
export type HttpBody<T extends CommandType> = Static<(typeof HttpBodySchemas)[T]>;

const commandRecord = <T extends CommandType>(type: T) =>
  Type.Object(
    {
      commandId: Uuid,
      type: Type.Literal(type),
      orderId: OrderId,
      issuedAt: DateTime,
      correlationId: CorrelationId,
      source: Text(100),
      payload: CommandPayloadSchemas[type],
      // Added last and optional (Avro default null): records of the released schema still read.
      issuedBy: Type.Optional(IssuedBy),
    },
    { additionalProperties: false, avroName: `wms.orders.commands.${type}` },
  );

/** One record schema per command type; the Avro record name is `wms.orders.commands.<Type>`. */
export const CommandSchemas = {
  CreateOrder: commandRecord('CreateOrder'),
  ModifyOrder: commandRecord('ModifyOrder'),
  ValidateOrder: commandRecord('ValidateOrder'),
  AssignWave: commandRecord('AssignWave'),
  StartPicking: commandRecord('StartPicking'),
  MarkPacked: commandRecord('MarkPacked'),
  MarkShipped: commandRecord('MarkShipped'),
  CompleteOrder: commandRecord('CompleteOrder'),
  CancelOrder: commandRecord('CancelOrder'),
} as const satisfies Record<CommandType, TSchema>;

export type CommandOf<T extends CommandType> = Static<(typeof CommandSchemas)[T]>;
/** A command record (JSON or Avro value after decoding), discriminated by `type`. */
export type Command = { [T in CommandType]: CommandOf<T> }[CommandType];
/** Envelope fields shared by every command. */
export type CommandEnvelope = Omit<Command, 'type' | 'payload'>;
