// Command builders and canned histories for domain tests.
import { handle, initialState, type OrderState } from '../../../src/domain/index.js';
import type { Command, CommandOf, CommandPayload, CommandType, OrderEvent, OrderStatus } from '../../../src/schemas/index.js';

export const ORDER_ID = 'ORD-0193a1b2c3d4';
export const ISSUED_AT = '2026-11-25T12:00:00.000Z';
export const CORRELATION_ID = '550e8400-e29b-41d4-a716-446655440000';

/** The seed's create body, verbatim (amount as a JSON number). */
export const seedCreateBody = {
  customerId: 'CUST-001',
  priority: 'standard',
  items: [{ sku: 'SKU-001', productName: 'Widget A', quantity: 2, price: { amount: 29.99, currency: 'USD' } }],
  shippingAddress: { street: '123 Main St', city: 'New York', state: 'NY', zipCode: '10001', country: 'US' },
} as const;

/** The seed body as a command payload (amount as the exact decimal string). */
export const createPayload = (): CommandPayload<'CreateOrder'> => ({
  customerId: 'CUST-001',
  priority: 'standard',
  items: [{ sku: 'SKU-001', productName: 'Widget A', quantity: 2, price: { amount: '29.99', currency: 'USD' } }],
  shippingAddress: { street: '123 Main St', city: 'New York', state: 'NY', zipCode: '10001', country: 'US' },
});

let counter = 0;
/** A fresh, valid, deterministic-per-run UUID. */
export const nextUuid = (): string => `00000000-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`;

export const defaultPayloads: { [T in CommandType]: () => CommandPayload<T> } = {
  CreateOrder: createPayload,
  ModifyOrder: () => ({ priority: 'same_day' }),
  ValidateOrder: () => ({}),
  AssignWave: () => ({ waveId: 'WAVE-42' }),
  StartPicking: () => ({}),
  MarkPacked: () => ({}),
  MarkShipped: () => ({ trackingNumber: '1Z999AA10123456784', carrier: 'UPS' }),
  CompleteOrder: () => ({ deliveredAt: '2026-11-27T09:30:00Z' }),
  CancelOrder: () => ({ reason: 'Customer request' }),
};

export function command<T extends CommandType>(
  type: T,
  payload: CommandPayload<T> = defaultPayloads[type](),
  overrides: Partial<Omit<Command, 'type' | 'payload'>> = {},
): CommandOf<T> {
  return {
    commandId: nextUuid(),
    type,
    orderId: ORDER_ID,
    issuedAt: ISSUED_AT,
    correlationId: CORRELATION_ID,
    source: 'unit-test',
    payload,
    ...overrides,
  } as unknown as CommandOf<T>;
}

/** The happy path, and the commands that lead to each status. */
const PATH: Record<OrderStatus, CommandType[]> = {
  received: ['CreateOrder'],
  validated: ['CreateOrder', 'ValidateOrder'],
  wave_assigned: ['CreateOrder', 'ValidateOrder', 'AssignWave'],
  picking: ['CreateOrder', 'ValidateOrder', 'AssignWave', 'StartPicking'],
  packed: ['CreateOrder', 'ValidateOrder', 'AssignWave', 'StartPicking', 'MarkPacked'],
  shipped: ['CreateOrder', 'ValidateOrder', 'AssignWave', 'StartPicking', 'MarkPacked', 'MarkShipped'],
  completed: ['CreateOrder', 'ValidateOrder', 'AssignWave', 'StartPicking', 'MarkPacked', 'MarkShipped', 'CompleteOrder'],
  cancelled: ['CreateOrder', 'CancelOrder'],
};

/** Runs commands through handle() and returns every event and the final state; throws on a rejection. */
export function run(commands: readonly Command[], from: OrderState = initialState): { events: OrderEvent[]; state: OrderState } {
  let state = from;
  const events: OrderEvent[] = [];
  for (const c of commands) {
    const r = handle(state, c);
    if (r.result.status === 'rejected') throw new Error(`fixture command ${c.type} rejected: ${r.result.code} ${r.result.reason}`);
    events.push(...r.events);
    state = r.state;
  }
  return { events, state };
}

/** Events of an order that has reached `status` along the table. */
export const historyTo = (status: OrderStatus): OrderEvent[] => run(PATH[status].map((t) => command(t))).events;

/** The state of an order that has reached `status` along the table. */
export const stateAt = (status: OrderStatus): OrderState => run(PATH[status].map((t) => command(t))).state;
