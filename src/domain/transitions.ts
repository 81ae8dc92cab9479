// docs/design.md §2 transition table as data: decide() enforces it, tests enumerate it.
import type { CommandType } from '../schemas/commands.js';
import type { EventType, OrderEvent } from '../schemas/events.js';
import type { OrderStatus } from '../schemas/fields.js';

export interface Transition {
  /** Statuses the command is accepted in; `null` means "order does not exist yet". */
  from: readonly OrderStatus[] | null;
  /** Possible statuses afterwards. */
  to: readonly OrderStatus[];
  events: readonly EventType[];
}

export const TRANSITIONS: Readonly<Record<CommandType, Transition>> = {
  CreateOrder: { from: null, to: ['received'], events: ['OrderReceived'] },
  ModifyOrder: { from: ['received', 'validated'], to: ['received'], events: ['OrderModified'] },
  ValidateOrder: { from: ['received'], to: ['validated', 'cancelled'], events: ['OrderValidated', 'OrderCancelled'] },
  AssignWave: { from: ['validated'], to: ['wave_assigned'], events: ['OrderWaveAssigned'] },
  StartPicking: { from: ['wave_assigned'], to: ['picking'], events: ['OrderPickingStarted'] },
  MarkPacked: { from: ['picking'], to: ['packed'], events: ['OrderPacked'] },
  MarkShipped: { from: ['packed'], to: ['shipped'], events: ['OrderShipped'] },
  CompleteOrder: { from: ['shipped'], to: ['completed'], events: ['OrderCompleted'] },
  CancelOrder: {
    from: ['received', 'validated', 'wave_assigned', 'picking', 'packed'],
    to: ['cancelled'],
    events: ['OrderCancelled'],
  },
};

/** Per event type, the one command that makes it; OrderCancelled is CancelOrder's unless commandTypeOf says otherwise. */
const COMMAND_OF_EVENT = new Map<EventType, CommandType>(
  (Object.entries(TRANSITIONS) as [CommandType, Transition][]).flatMap(([type, t]) => t.events.filter((e) => !(type === 'ValidateOrder' && e === 'OrderCancelled')).map((e) => [e, type] as const)),
);

/**
 * The command an event answers. Every accepted command makes exactly one event (decide),
 * so the history entry of an event is the record of its command having been applied.
 * A cancellation that names the failed validation rule is ValidateOrder's.
 */
export function commandTypeOf(event: Pick<OrderEvent, 'type'> & { failedRule?: string }): CommandType {
  if (event.type === 'OrderCancelled' && event.failedRule !== undefined) return 'ValidateOrder';
  return COMMAND_OF_EVENT.get(event.type)!;
}

/** Statuses in which the order can no longer be changed by ModifyOrder/CancelOrder. */
export const SHIPPED_STATUSES: readonly OrderStatus[] = ['shipped', 'completed'];
