// Order state and evolve(). The state is a plain JSON object (no Map/Date/class): the
// processor stores it as one MongoDB document, so times are ISO strings, money is
// integer minor units, and "absent" is null.
import type { Address, OrderLine, OrderStatus, Priority } from '../schemas/fields.js';
import type { EventType, OrderEvent } from '../schemas/events.js';
import type { Money } from './money.js';
import type { RejectionCode } from './rejections.js';

export type { Address, OrderLine, OrderStatus, Priority };

/**
 * One entry per event: the order's history (status after the event, when, and why).
 * Not part of the state: the state is rewritten on every command, the history only
 * grows, so it is kept apart (an insert per event) and read next to the state.
 */
export interface TimelineEntry {
  status: OrderStatus;
  event: EventType;
  at: string;
  version: number;
  commandId: string;
  correlationId: string;
  /** Who issued the command (the caller's subject), when the API knew. */
  issuedBy?: string;
}

export interface Order {
  orderId: string;
  customerId: string;
  priority: Priority;
  items: OrderLine[];
  shippingAddress: Address;
  promisedDeliveryAt: string | null;
  totalAmount: Money;
  status: OrderStatus;
  waveId: string | null;
  trackingNumber: string | null;
  carrier: string | null;
  deliveredAt: string | null;
  cancellationReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What became of a command (the outcome record is built from it). */
export type CommandResult =
  | { status: 'applied'; version: number; eventIds: string[] }
  | { status: 'rejected'; code: RejectionCode; reason: string; version: number };

export interface OrderState {
  /** Aggregate version = number of events so far (0 before creation). */
  version: number;
  /** null until an OrderReceived event. */
  order: Order | null;
}

export const initialState: OrderState = Object.freeze({ version: 0, order: null }) as OrderState;

/** Terminal statuses: nothing leaves them. */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['completed', 'cancelled'];

const STATUS_AFTER: Record<Exclude<EventType, 'OrderReceived'>, OrderStatus> = {
  OrderModified: 'received',
  OrderValidated: 'validated',
  OrderWaveAssigned: 'wave_assigned',
  OrderPickingStarted: 'picking',
  OrderPacked: 'packed',
  OrderShipped: 'shipped',
  OrderCompleted: 'completed',
  OrderCancelled: 'cancelled',
};

/** The status an event leaves the order in. */
const statusAfter = (event: OrderEvent): OrderStatus => (event.type === 'OrderReceived' ? 'received' : STATUS_AFTER[event.type]);

/** The history entry of one event: which command (and request) moved the order where. */
export function timelineEntryOf(event: OrderEvent): TimelineEntry {
  return {
    status: statusAfter(event),
    event: event.type,
    at: event.occurredAt,
    version: event.version,
    commandId: event.causationId,
    correlationId: event.correlationId,
    ...(event.issuedBy !== undefined ? { issuedBy: event.issuedBy } : {}),
  };
}

/**
 * Applies one event. Events come from decide() on this very state, so an event that does
 * not fit (wrong version, no order yet) is a programming error and throws.
 */
export function evolve(state: OrderState, event: OrderEvent): OrderState {
  if (event.version !== state.version + 1) {
    throw new Error(`event version ${event.version} does not follow state version ${state.version}`);
  }
  let order: Order;
  if (event.type === 'OrderReceived') {
    if (state.order) throw new Error(`order ${event.orderId} already exists`);
    order = {
      orderId: event.orderId,
      customerId: event.customerId,
      priority: event.priority,
      items: event.items,
      shippingAddress: event.shippingAddress,
      promisedDeliveryAt: event.promisedDeliveryAt ?? null,
      totalAmount: event.totalAmount,
      status: 'received',
      waveId: null,
      trackingNumber: null,
      carrier: null,
      deliveredAt: null,
      cancellationReason: null,
      createdAt: event.occurredAt,
      updatedAt: event.occurredAt,
    };
  } else {
    if (!state.order) throw new Error(`${event.type} for order ${event.orderId} that does not exist`);
    order = { ...state.order, status: statusAfter(event), updatedAt: event.occurredAt };
    switch (event.type) {
      case 'OrderModified':
        order.priority = event.priority;
        order.items = event.items;
        order.shippingAddress = event.shippingAddress;
        order.promisedDeliveryAt = event.promisedDeliveryAt ?? null;
        order.totalAmount = event.totalAmount;
        break;
      case 'OrderWaveAssigned':
        order.waveId = event.waveId;
        break;
      case 'OrderShipped':
        order.trackingNumber = event.trackingNumber;
        order.carrier = event.carrier;
        break;
      case 'OrderCompleted':
        order.deliveredAt = event.deliveredAt;
        break;
      case 'OrderCancelled':
        order.cancellationReason = event.reason;
        break;
      default:
        break;
    }
  }
  return { ...state, version: event.version, order };
}

/** Folds events from the initial state (rebuilding an order from its event history). */
export const replay = (events: readonly OrderEvent[], from: OrderState = initialState): OrderState => events.reduce(evolve, from);
