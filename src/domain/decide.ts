// decide(command, state) → events | rejection. Pure: the only time is the command's
// issuedAt (or ctx.occurredAt), the only ids are derived from the commandId.
//
// The domain re-checks every invariant itself instead of trusting the decoder: the
// schemas catch malformed records (→ dead letter), the domain turns rule violations into
// rejections (→ outcome), and keeps holding when called directly.
import type { Command, CommandOf, CommandPayload } from '../schemas/commands.js';
import type { EventEnvelope, EventOf, OrderEvent } from '../schemas/events.js';
import type { OrderStatus } from '../schemas/fields.js';
import { eventIdFor } from './event-id.js';
import { NOT_AN_INSTANT, toInstant } from './instant.js';
import { multiply, parseAmount, sum, type Money } from './money.js';
import type { Order, OrderLine, OrderState } from './order.js';
import { reject, rejectFields, type RejectedField, type Rejection } from './rejections.js';
import { SHIPPED_STATUSES, TRANSITIONS } from './transitions.js';
import { MAX_ITEMS, MAX_QUANTITY, PRIORITIES } from './vocabulary.js';

export interface DecideContext {
  /** occurredAt of the resulting events; defaults to the command's issuedAt. */
  occurredAt?: string;
}

export interface Accepted {
  kind: 'accepted';
  /** Exactly one: an order's history entry is the record of the command applied (commandTypeOf). */
  events: [OrderEvent];
}
export type Decision = Accepted | Rejection;

/**
 * Business rules ValidateOrder checks; a failure cancels the order (it is not a rejection:
 * the order really is invalid). `at` is the command's issuedAt.
 */
export const VALIDATION_RULES: readonly { id: string; description: string; fails: (order: Order, at: string) => string | undefined }[] = [
  {
    id: 'PROMISED_DELIVERY_IN_PAST',
    description: 'promisedDeliveryAt, when set, must be later than the time of validation',
    fails: (o, at) => (o.promisedDeliveryAt !== null && o.promisedDeliveryAt <= at ? `promised delivery ${o.promisedDeliveryAt} is not after ${at}` : undefined),
  },
  {
    id: 'ZERO_TOTAL',
    description: 'the order total must be greater than zero',
    fails: (o) => (o.totalAmount.amountMinor === 0 ? 'order total is zero' : undefined),
  },
];

type ItemInput = CommandPayload<'CreateOrder'>['items'][number];
type Address = CommandPayload<'CreateOrder'>['shippingAddress'];
/** Field problems found so far: JSON Pointer into the payload + the detail (also the rejection's reason text). */
type Problems = RejectedField[];
const problem = (pointer: string, detail: string): RejectedField => ({ pointer, detail });

const blank = (v: unknown): boolean => typeof v !== 'string' || v.trim().length === 0;

function checkAddress(address: Address | undefined, problems: Problems): void {
  if (!address || typeof address !== 'object') {
    problems.push(problem('/shippingAddress', 'shippingAddress is required'));
    return;
  }
  for (const field of ['street', 'city', 'state', 'zipCode', 'country'] as const) {
    if (blank(address[field])) problems.push(problem(`/shippingAddress/${field}`, `shippingAddress.${field} is required`));
  }
  if (!blank(address.country) && !/^[A-Z]{2}$/.test(address.country)) problems.push(problem('/shippingAddress/country', 'shippingAddress.country must be an ISO 3166-1 alpha-2 code'));
}

function checkPriority(priority: unknown, problems: Problems): void {
  if (!(PRIORITIES as readonly unknown[]).includes(priority)) problems.push(problem('/priority', `priority must be one of ${PRIORITIES.join(', ')}`));
}

function checkInstant(field: string, value: string | undefined, problems: Problems): string | undefined {
  if (value === undefined) return undefined;
  const instant = toInstant(value);
  if (!instant) problems.push(problem(`/${field}`, `${field} ${NOT_AN_INSTANT}`));
  return instant;
}

/** Prices the lines exactly; the order's currency is `currency` or, for a new order, the first line's. */
function priceLines(items: readonly ItemInput[] | undefined, currency?: string): { lines: OrderLine[]; total: Money } | Rejection {
  if (!Array.isArray(items) || items.length === 0) return rejectFields('VALIDATION_FAILED', [problem('/items', 'an order needs at least one item')]);
  if (items.length > MAX_ITEMS) return rejectFields('VALIDATION_FAILED', [problem('/items', `an order has at most ${MAX_ITEMS} items`)]);
  const problems: Problems = [];
  const skus = new Set<string>();
  items.forEach((item, i) => {
    if (blank(item.sku)) problems.push(problem(`/items/${i}/sku`, `items[${i}].sku is required`));
    else if (skus.has(item.sku)) problems.push(problem(`/items/${i}/sku`, `items[${i}].sku ${item.sku} appears on more than one line`));
    else skus.add(item.sku);
    if (blank(item.productName)) problems.push(problem(`/items/${i}/productName`, `items[${i}].productName is required`));
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      problems.push(problem(`/items/${i}/quantity`, `items[${i}].quantity must be an integer from 1 to ${MAX_QUANTITY}`));
    }
  });
  if (problems.length > 0) return rejectFields('VALIDATION_FAILED', problems);

  const orderCurrency = currency ?? items[0]?.price.currency ?? '';
  const lines: OrderLine[] = [];
  for (const [i, item] of items.entries()) {
    if (item.price.currency !== orderCurrency) {
      return rejectFields('CURRENCY_MISMATCH', [
        problem(`/items/${i}/price/currency`, `items[${i}] is priced in ${item.price.currency} but the order is in ${orderCurrency}: one currency per order`),
      ]);
    }
    const unit = parseAmount(item.price.amount, item.price.currency);
    if (!unit.ok) return rejectFields(unit.code, [problem(`/items/${i}/price/${unit.code === 'UNSUPPORTED_CURRENCY' ? 'currency' : 'amount'}`, `items[${i}].price: ${unit.reason}`)]);
    const lineTotal = multiply(unit.value, item.quantity);
    if (!lineTotal.ok) return rejectFields(lineTotal.code, [problem(`/items/${i}`, `items[${i}]: ${lineTotal.reason}`)]);
    lines.push({ sku: item.sku, productName: item.productName, quantity: item.quantity, unitPrice: unit.value, lineTotal: lineTotal.value });
  }
  const total = sum(
    lines.map((l) => l.lineTotal),
    orderCurrency,
  );
  if (!total.ok) return rejectFields(total.code, [problem('/items', total.reason)]);
  return { lines, total: total.value };
}

const isRejection = (v: object): v is Rejection => (v as { kind?: unknown }).kind === 'rejected';

function envelope(command: Command, state: OrderState, occurredAt: string, index = 0): EventEnvelope {
  const version = state.version + index + 1;
  return {
    eventId: eventIdFor(command.commandId, command.orderId, version),
    orderId: command.orderId,
    version,
    occurredAt,
    correlationId: command.correlationId,
    causationId: command.commandId,
    ...(command.issuedBy !== undefined ? { issuedBy: command.issuedBy } : {}),
  };
}

const accepted = (event: OrderEvent): Accepted => ({ kind: 'accepted', events: [event] });

interface CheckedCreate {
  priced: { lines: OrderLine[]; total: Money };
  promised: string | undefined;
}

function checkCreate(p: CommandPayload<'CreateOrder'>): CheckedCreate | Rejection {
  const problems: Problems = [];
  if (blank(p.customerId)) problems.push(problem('/customerId', 'customerId is required'));
  checkPriority(p.priority, problems);
  checkAddress(p.shippingAddress, problems);
  const promised = checkInstant('promisedDeliveryAt', p.promisedDeliveryAt, problems);
  if (problems.length > 0) return rejectFields('VALIDATION_FAILED', problems);
  const priced = priceLines(p.items);
  return isRejection(priced) ? priced : { priced, promised };
}

interface CheckedModify {
  changedFields: ('shippingAddress' | 'priority' | 'items' | 'promisedDeliveryAt')[];
  priced: { lines: OrderLine[]; total: Money } | undefined;
  promised: string | undefined;
}

/** `currency` is the order's; without it (precheck) the lines only have to agree among themselves. */
function checkModify(p: CommandPayload<'ModifyOrder'>, currency: string | undefined): CheckedModify | Rejection {
  const changedFields = (['shippingAddress', 'priority', 'items', 'promisedDeliveryAt'] as const).filter((f) => p[f] !== undefined);
  if (changedFields.length === 0) return rejectFields('VALIDATION_FAILED', [problem('', 'nothing to modify: give shippingAddress, priority, items or promisedDeliveryAt')]);
  const problems: Problems = [];
  if (p.shippingAddress !== undefined) checkAddress(p.shippingAddress, problems);
  if (p.priority !== undefined) checkPriority(p.priority, problems);
  const promised = checkInstant('promisedDeliveryAt', p.promisedDeliveryAt, problems);
  if (problems.length > 0) return rejectFields('VALIDATION_FAILED', problems);
  const priced = p.items === undefined ? undefined : priceLines(p.items, currency);
  return priced && isRejection(priced) ? priced : { changedFields, priced, promised };
}

/** Stateless payload rules of the simple commands (required texts, dates). */
function checkSimplePayload(command: Command): Rejection | undefined {
  switch (command.type) {
    case 'AssignWave':
      return requireText({ waveId: command.payload.waveId });
    case 'MarkShipped':
      return requireText({ trackingNumber: command.payload.trackingNumber, carrier: command.payload.carrier });
    case 'CancelOrder':
      return requireText({ reason: command.payload.reason });
    case 'CompleteOrder': {
      const problems: Problems = [];
      if (command.payload.deliveredAt === undefined) problems.push(problem('/deliveredAt', 'deliveredAt is required'));
      else checkInstant('deliveredAt', command.payload.deliveredAt, problems);
      return problems.length > 0 ? rejectFields('VALIDATION_FAILED', problems) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The rules that need no order state, so the edge can answer 422 before producing
 * (e.g. too many decimals, mixed currencies, blank address). decide() applies them too.
 */
export function precheck(command: Command): Rejection | undefined {
  if (!toInstant(command.issuedAt)) return reject('VALIDATION_FAILED', `issuedAt ${JSON.stringify(command.issuedAt)} ${NOT_AN_INSTANT}`);
  if (command.type === 'CreateOrder') {
    const checked = checkCreate(command.payload);
    return isRejection(checked) ? checked : undefined;
  }
  if (command.type === 'ModifyOrder') {
    const checked = checkModify(command.payload, undefined);
    return isRejection(checked) ? checked : undefined;
  }
  return checkSimplePayload(command);
}

function decideCreate(command: CommandOf<'CreateOrder'>, state: OrderState, at: string): Decision {
  if (state.order) return reject('ORDER_ALREADY_EXISTS', `order ${command.orderId} already exists`);
  const checked = checkCreate(command.payload);
  if (isRejection(checked)) return checked;
  const p = command.payload;
  const event: EventOf<'OrderReceived'> = {
    type: 'OrderReceived',
    ...envelope(command, state, at),
    customerId: p.customerId,
    priority: p.priority,
    items: checked.priced.lines,
    shippingAddress: p.shippingAddress,
    ...(checked.promised ? { promisedDeliveryAt: checked.promised } : {}),
    totalAmount: checked.priced.total,
  };
  return accepted(event);
}

function decideModify(command: CommandOf<'ModifyOrder'>, state: OrderState, order: Order, at: string): Decision {
  const checked = checkModify(command.payload, order.totalAmount.currency);
  if (isRejection(checked)) return checked;
  const p = command.payload;
  const promised = checked.promised ?? order.promisedDeliveryAt;
  return accepted({
    type: 'OrderModified',
    ...envelope(command, state, at),
    changedFields: checked.changedFields,
    priority: p.priority ?? order.priority,
    items: checked.priced?.lines ?? order.items,
    shippingAddress: p.shippingAddress ?? order.shippingAddress,
    ...(promised ? { promisedDeliveryAt: promised } : {}),
    totalAmount: checked.priced?.total ?? order.totalAmount,
  });
}

function decideValidate(command: Command, state: OrderState, order: Order, at: string): Decision {
  const issuedAt = toInstant(command.issuedAt) ?? at;
  for (const rule of VALIDATION_RULES) {
    const failure = rule.fails(order, issuedAt);
    if (failure) {
      return accepted({
        type: 'OrderCancelled',
        ...envelope(command, state, at),
        reason: `validation failed: ${failure}`,
        previousStatus: order.status,
        failedRule: rule.id,
      });
    }
  }
  return accepted({ type: 'OrderValidated', ...envelope(command, state, at) });
}

function requireText(fields: Record<string, unknown>): Rejection | undefined {
  const missing = Object.entries(fields)
    .filter(([, v]) => blank(v))
    .map(([k]) => problem(`/${k}`, `${k} is required`));
  return missing.length > 0 ? rejectFields('VALIDATION_FAILED', missing) : undefined;
}

function checkTransition(command: Command, status: OrderStatus): Rejection | undefined {
  const allowed = TRANSITIONS[command.type].from ?? [];
  if (allowed.includes(status)) return undefined;
  if ((command.type === 'ModifyOrder' || command.type === 'CancelOrder') && SHIPPED_STATUSES.includes(status)) {
    return reject('ORDER_SHIPPED_IMMUTABLE', `order ${command.orderId} is ${status}: nothing changes after shipping`);
  }
  return reject('INVALID_TRANSITION', `${command.type} is not allowed when the order is ${status} (allowed from: ${allowed.join(', ')})`);
}

export function decide(command: Command, state: OrderState, ctx: DecideContext = {}): Decision {
  const at = toInstant(ctx.occurredAt ?? command.issuedAt);
  if (!at) return reject('VALIDATION_FAILED', `issuedAt ${JSON.stringify(command.issuedAt)} ${NOT_AN_INSTANT}`);
  if (state.order && state.order.orderId !== command.orderId) {
    return reject('VALIDATION_FAILED', `command for order ${command.orderId} applied to the state of order ${state.order.orderId}`);
  }
  if (command.type === 'CreateOrder') return decideCreate(command, state, at);
  const order = state.order;
  if (!order) return reject('ORDER_NOT_FOUND', `order ${command.orderId} does not exist`);
  const invalid = checkTransition(command, order.status) ?? checkSimplePayload(command);
  if (invalid) return invalid;

  switch (command.type) {
    case 'ModifyOrder':
      return decideModify(command, state, order, at);
    case 'ValidateOrder':
      return decideValidate(command, state, order, at);
    case 'AssignWave':
      return accepted({ type: 'OrderWaveAssigned', ...envelope(command, state, at), waveId: command.payload.waveId });
    case 'StartPicking':
      return accepted({ type: 'OrderPickingStarted', ...envelope(command, state, at) });
    case 'MarkPacked':
      return accepted({ type: 'OrderPacked', ...envelope(command, state, at) });
    case 'MarkShipped':
      return accepted({ type: 'OrderShipped', ...envelope(command, state, at), ...command.payload });
    case 'CompleteOrder':
      return accepted({ type: 'OrderCompleted', ...envelope(command, state, at), deliveredAt: toInstant(command.payload.deliveredAt) as string });
    case 'CancelOrder':
      return accepted({ type: 'OrderCancelled', ...envelope(command, state, at), reason: command.payload.reason, previousStatus: order.status });
  }
}
