// Public surface of the pure order model (no IO; time and ids are inputs).
export { decide, precheck, VALIDATION_RULES, type Accepted, type Decision, type DecideContext } from './decide.js';
export { handle, refuse, toOutcome, type HandleResult } from './handle.js';
export {
  initialState,
  evolve,
  replay,
  TERMINAL_STATUSES,
  timelineEntryOf,
  type CommandResult,
  type Order,
  type OrderState,
  type TimelineEntry,
} from './order.js';
export { TRANSITIONS, SHIPPED_STATUSES, commandTypeOf, type Transition } from './transitions.js';
export { REJECTION_CODES, reject, rejectFields, type RejectedField, type Rejection, type RejectionCode } from './rejections.js';
export {
  CURRENCY_DECIMALS,
  MAX_MINOR_UNITS,
  amountAsNumber,
  currencyDecimals,
  formatAmount,
  multiply,
  numberToDecimalString,
  parseAmount,
  sum,
  type Money,
  type MoneyErrorCode,
  type MoneyResult,
} from './money.js';
export { eventIdFor, uuidV5, EVENT_ID_NAMESPACE } from './event-id.js';
export { toInstant } from './instant.js';
export { MAX_ITEMS, MAX_QUANTITY, ORDER_STATUSES, PRIORITIES } from './vocabulary.js';
