// Event contract (docs/design.md §3): one Avro record per event type, named `wms.orders.<Type>`,
// registered under subject `<events topic>-wms.orders.<Type>` (TopicRecordNameStrategy).
// Every record starts with the envelope, then the event's data. Money is integer minor
// units + currency (exact, language-neutral); timestamps are RFC 3339 strings.
import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { Address, CorrelationId, DateTime, IssuedBy, Money, OrderId, OrderLine, OrderStatus, Priority, Text, Uuid, MAX_ITEMS } from './fields.js';

const envelope = {
  eventId: Uuid,
  orderId: OrderId,
  version: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  occurredAt: DateTime,
  correlationId: CorrelationId,
  causationId: Uuid,
};

// `issuedBy` (the command's issuedBy) comes last: added after the first release, optional
// with Avro default null, so consumers holding the released schemas keep reading.
const eventRecord = <P extends TProperties>(type: string, data: P) =>
  Type.Object({ ...envelope, ...data, issuedBy: Type.Optional(IssuedBy) }, { additionalProperties: false, avroName: `wms.orders.${type}` });

const lines = Type.Array(OrderLine, { minItems: 1, maxItems: MAX_ITEMS });

export const EventSchemas = {
  OrderReceived: eventRecord('OrderReceived', {
    customerId: Text(64),
    priority: Priority,
    items: lines,
    shippingAddress: Address,
    promisedDeliveryAt: Type.Optional(DateTime),
    totalAmount: Money,
  }),
  OrderModified: eventRecord('OrderModified', {
    /** Which of the modifiable fields the command changed; the record carries all of them as they are now. */
    changedFields: Type.Array(Text(32), { maxItems: 4 }),
    priority: Priority,
    items: lines,
    shippingAddress: Address,
    promisedDeliveryAt: Type.Optional(DateTime),
    totalAmount: Money,
  }),
  OrderValidated: eventRecord('OrderValidated', {}),
  OrderWaveAssigned: eventRecord('OrderWaveAssigned', { waveId: Text(64) }),
  OrderPickingStarted: eventRecord('OrderPickingStarted', {}),
  OrderPacked: eventRecord('OrderPacked', {}),
  OrderShipped: eventRecord('OrderShipped', { trackingNumber: Text(64), carrier: Text(64) }),
  OrderCompleted: eventRecord('OrderCompleted', { deliveredAt: DateTime }),
  OrderCancelled: eventRecord('OrderCancelled', {
    reason: Text(500),
    previousStatus: OrderStatus,
    /** Set when ValidateOrder cancelled the order: the business rule that failed. */
    failedRule: Type.Optional(Text(64)),
  }),
} as const satisfies Record<string, TSchema>;

export type EventType = keyof typeof EventSchemas;
export const EVENT_TYPES = Object.keys(EventSchemas) as EventType[];

/** CloudEvents `type` per event (docs/design.md §2 table), for the `ce_type` Kafka header. */
export const CLOUDEVENT_TYPES: Readonly<Record<EventType, string>> = {
  OrderReceived: 'wms.order.received',
  OrderModified: 'wms.order.modified',
  OrderValidated: 'wms.order.validated',
  OrderWaveAssigned: 'wms.order.wave-assigned',
  OrderPickingStarted: 'wms.order.picking-started',
  OrderPacked: 'wms.order.packed',
  OrderShipped: 'wms.order.shipped',
  OrderCompleted: 'wms.order.completed',
  OrderCancelled: 'wms.order.cancelled',
};

/** Avro full name of an event type's record. */
export const eventRecordName = (type: EventType): string => `wms.orders.${type}`;

export type EventOf<T extends EventType> = { type: T } & Static<(typeof EventSchemas)[T]>;
/** A domain event: `type` (the Avro record name, not a field on the wire) + envelope + data. */
export type OrderEvent = { [T in EventType]: EventOf<T> }[EventType];
export type EventEnvelope = Pick<OrderEvent, 'eventId' | 'orderId' | 'version' | 'occurredAt' | 'correlationId' | 'causationId' | 'issuedBy'>;
