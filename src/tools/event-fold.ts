// One event of the log folded into its order's state, the same for `rebuild` and
// `verify`: the domain's own evolve() does the work; this only says what an event that
// does not follow the state means when the state comes from the log itself.
import { evolve, initialState, type OrderState } from '../domain/index.js';
import { decodeEvent, type OrderEvent, type SchemaResolver } from '../schemas/index.js';
import type { TopicRecord } from './topic-reader.js';

/**
 * - applied: the event moved the state on.
 * - already: its version is at or below the state's — an event read again (a rebuild
 *   resumed from a checkpoint written before its last chunk), or, in one read of the
 *   log, an event published twice (a G1 violation `verify` reports).
 */
export type FoldResult = { kind: 'applied'; state: OrderState } | { kind: 'already' };

/** An event that cannot follow the state: a hole in the log (retention deleted its start, or it is corrupt). */
export class LogGapError extends Error {
  constructor(
    readonly orderId: string,
    readonly expectedVersion: number,
    readonly foundVersion: number,
    readonly at: string,
  ) {
    super(`order ${orderId}: event version ${foundVersion} at ${at}, but the log so far has ${expectedVersion - 1} of its events: the log is incomplete (deleted by retention?) — it cannot be rebuilt`);
    this.name = 'LogGapError';
  }
}

export function foldEvent(state: OrderState | undefined, event: OrderEvent, at: string): FoldResult {
  const from = state ?? initialState;
  if (event.version <= from.version) return { kind: 'already' };
  if (event.version !== from.version + 1) throw new LogGapError(event.orderId, from.version + 1, event.version, at);
  return { kind: 'applied', state: evolve(from, event) };
}

export const recordPosition = (r: Pick<TopicRecord, 'topic' | 'partition' | 'offset'>): string => `${r.topic}[${r.partition}]@${r.offset}`;

/** Decodes an event record (any registered schema that resolves to ours); its key must be its orderId. */
export async function decodeEventRecord(r: TopicRecord, resolver: SchemaResolver): Promise<OrderEvent> {
  let event: OrderEvent;
  try {
    event = await decodeEvent(r.value, resolver);
  } catch (err) {
    throw new Error(`event at ${recordPosition(r)} cannot be read: ${(err as Error).message}`);
  }
  const key = r.key?.toString('utf8');
  if (key !== event.orderId) throw new Error(`event at ${recordPosition(r)} is keyed ${JSON.stringify(key ?? null)}, not by its orderId ${event.orderId}`);
  return event;
}
