// The closed set of reasons a command is rejected. A rejection is an outcome (reported on
// the outcomes topic and to HTTP callers), not an error.
import type { MoneyErrorCode } from './money.js';

export const REJECTION_CODES = [
  'ORDER_NOT_FOUND',
  'ORDER_ALREADY_EXISTS',
  'INVALID_TRANSITION',
  'ORDER_SHIPPED_IMMUTABLE',
  'VALIDATION_FAILED',
  'CURRENCY_MISMATCH',
  'TOO_MANY_DECIMALS',
  'UNSUPPORTED_CURRENCY',
  'INVALID_AMOUNT',
  'AMOUNT_OUT_OF_RANGE',
  // Not a business rule: an event or outcome of this command would exceed the largest
  // record the processor may write to Kafka (src/processor/record-limits.ts).
  'RECORD_TOO_LARGE',
] as const satisfies readonly (string | MoneyErrorCode)[];

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Which payload field broke a rule: a JSON Pointer into the command payload (= the HTTP body). */
export interface RejectedField {
  pointer: string;
  detail: string;
}

export interface Rejection {
  kind: 'rejected';
  code: RejectionCode;
  /** Human-readable detail, safe to show to the caller. */
  reason: string;
  /** The fields at fault, when the rule is about the payload (the edge's problem+json `errors`). */
  fields?: readonly RejectedField[];
}

export const reject = (code: RejectionCode, reason: string, fields?: readonly RejectedField[]): Rejection =>
  fields && fields.length > 0 ? { kind: 'rejected', code, reason, fields } : { kind: 'rejected', code, reason };

/** One rejection from several field problems: the reason lists them all, in order. */
export const rejectFields = (code: RejectionCode, fields: readonly RejectedField[]): Rejection => reject(code, fields.map((f) => f.detail).join('; '), fields);


// Compile-time check: every money error code is also a rejection code.
const _moneyCodesAreRejections: readonly RejectionCode[] = [] as MoneyErrorCode[];
void _moneyCodesAreRejections;
