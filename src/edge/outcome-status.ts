// The one place a command's outcome becomes an HTTP answer: applied → 201 (create) or
// 200, rejected → the status of its code. The same mapping serves rejections the edge
// finds itself (the domain's precheck, before producing) and those the processor reports
// (Prefer: wait), so a client sees the same status and code either way.
import type { RejectedField, RejectionCode } from '../domain/index.js';
import type { CommandType } from '../schemas/index.js';
import { problem, type FieldError, type Problem } from './errors.js';

const REJECTION_HTTP_STATUS: Readonly<Record<RejectionCode, number>> = {
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
  RECORD_TOO_LARGE: 422,
};

/** HTTP status of an applied command's answer. */
export const appliedStatus = (type: CommandType): 200 | 201 => (type === 'CreateOrder' ? 201 : 200);

/** HTTP status of a rejection code; a code this edge does not know (a newer processor) is a 422. */
export const rejectionStatus = (code: string): number => (Object.hasOwn(REJECTION_HTTP_STATUS, code) ? REJECTION_HTTP_STATUS[code as RejectionCode] : 422);

/** The problem+json answer of a rejection; field problems become `errors` entries of the body. */
export function rejectionProblem(rejection: { code: string; reason: string; fields?: readonly RejectedField[] }, extra: Record<string, unknown> = {}): Problem {
  const errors: FieldError[] | undefined = rejection.fields?.map((f) => ({ in: 'body', pointer: f.pointer, detail: f.detail }));
  return problem(rejectionStatus(rejection.code), rejection.code, rejection.reason, { ...(errors ? { errors } : {}), ...extra });
}
