// docs/design.md §2 transition table as data: decide() enforces it, tests enumerate it.
import type { CommandType } from '../schemas/commands.js';
import type { EventType } from '../schemas/events.js';
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

/** Statuses in which the order can no longer be changed by ModifyOrder/CancelOrder. */
export const SHIPPED_STATUSES: readonly OrderStatus[] = ['shipped', 'completed'];
