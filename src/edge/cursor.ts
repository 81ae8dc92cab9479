// Opaque keyset cursor of the order list: base64url of the last row's (createdAt, orderId).
// Newest first, so the next page holds rows strictly "before" that pair.
import { DATE_TIME_PATTERN, ORDER_ID_PATTERN } from '../schemas/index.js';

export interface ListPosition {
  createdAt: string;
  orderId: string;
}

const DATE_TIME = new RegExp(DATE_TIME_PATTERN);
const ORDER_ID = new RegExp(ORDER_ID_PATTERN);

export const encodeCursor = (p: ListPosition): string => Buffer.from(JSON.stringify([p.createdAt, p.orderId]), 'utf8').toString('base64url');

/** The position a cursor stands for, or undefined when it is not one this service issued. */
export function decodeCursor(cursor: string): ListPosition | undefined {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [createdAt, orderId] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof orderId !== 'string') return undefined;
  if (!DATE_TIME.test(createdAt) || !ORDER_ID.test(orderId)) return undefined;
  return { createdAt, orderId };
}
