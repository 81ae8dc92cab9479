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
] as const satisfies readonly (string | MoneyErrorCode)[];

export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  kind: 'rejected';
  code: RejectionCode;
  /** Human-readable detail, safe to show to the caller. */
  reason: string;
}

export const reject = (code: RejectionCode, reason: string): Rejection => ({ kind: 'rejected', code, reason });

/** HTTP status the edge answers a rejection with (RFC 9457 problem `status`). */
export const REJECTION_HTTP_STATUS: Readonly<Record<RejectionCode, number>> = {
  ORDER_NOT_FOUND: 404,
  ORDER_ALREADY_EXISTS: 409,
  INVALID_TRANSITION: 409,
  ORDER_SHIPPED_IMMUTABLE: 409,
  VALIDATION_FAILED: 422,
  CURRENCY_MISMATCH: 422,
  TOO_MANY_DECIMALS: 422,
  UNSUPPORTED_CURRENCY: 422,
  INVALID_AMOUNT: 422,
  AMOUNT_OUT_OF_RANGE: 422,
};

// Compile-time check: every money error code is also a rejection code.
const _moneyCodesAreRejections: readonly RejectionCode[] = [] as MoneyErrorCode[];
void _moneyCodesAreRejections;
