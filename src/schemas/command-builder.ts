// HTTP body → command record. The edge validates the body with HttpBodySchemas, then
// builds the record here; JSON command values from other producers go through the same
// amount normalisation in the command codec, so both paths meet the same validation.
import { numberToDecimalString } from '../domain/money.js';
import type { CommandOf, CommandPayload, CommandType, HttpBody } from './commands.js';

/**
 * Rewrites numeric `items[].price.amount` as exact decimal strings (29.99 → "29.99"),
 * from the number's shortest representation — never through float arithmetic. Anything
 * that is not such a number is left alone for validation to judge.
 */
export function normalizeAmounts(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  const items = (payload as { items?: unknown }).items;
  if (!Array.isArray(items)) return payload;
  return {
    ...payload,
    items: items.map((item: unknown) => {
      const price = (item as { price?: unknown } | null)?.price as { amount?: unknown } | null | undefined;
      if (price === null || typeof price !== 'object' || typeof price.amount !== 'number') return item;
      const amount = numberToDecimalString(price.amount);
      return amount === undefined ? item : { ...(item as object), price: { ...price, amount } };
    }),
  };
}

/** The command payload for a validated HTTP body (`undefined` body → `{}` for body-less commands). */
export function toCommandPayload<T extends CommandType>(_type: T, body: HttpBody<T> | undefined): CommandPayload<T> {
  return normalizeAmounts(body ?? {}) as CommandPayload<T>;
}

export interface CommandMeta {
  commandId: string;
  orderId: string;
  issuedAt: string;
  correlationId: string;
  source: string;
  /** The authenticated caller's subject, when there is one. */
  issuedBy?: string;
}

/** Assembles a command record (field order as in the Avro schema). */
export function buildCommand<T extends CommandType>(type: T, meta: CommandMeta, payload: CommandPayload<T>): CommandOf<T> {
  const { commandId, orderId, issuedAt, correlationId, source, issuedBy } = meta;
  return { commandId, type, orderId, issuedAt, correlationId, source, payload, ...(issuedBy !== undefined ? { issuedBy } : {}) } as unknown as CommandOf<T>;
}

/** orderId as the edge makes them: `ORD-<uuid v7>` (the caller supplies the uuid). */
export const orderIdFromUuid = (uuid: string): string => `ORD-${uuid}`;
