// The `order_history` collection: one document per event, `_id` = `<orderId>/<version>`.
// Insert-only, so recording history costs the same on an order's 1st and 10,000th
// command (it used to live in the order document, rewritten whole by every command).
// Written by the processor right after the order's own write, in the same batch; read
// by the edge next to the order document, by `_id`.
//
// Each applied command makes exactly one event, so its entry is also the command's
// outcome (commandKey, commandType): the processor's idempotency record of an applied
// command and the answer of GET /commands/{id}, found by commandKey through an index.
// Only rejections keep a record in command_outcomes. One document per applied command
// instead of two; and an applied commandId is remembered for as long as the history.
import type { Collection, Db } from 'mongodb';
import { commandTypeOf, eventIdFor, timelineEntryOf, type TimelineEntry } from '../domain/index.js';
import type { CommandOutcome, CommandType, OrderEvent } from '../schemas/index.js';
import { ensureIndexes, insertOnce } from './mongo.js';
import { outcomeKey } from './outcomes-collection.js';

export const HISTORY_COLLECTION = 'order_history';

/** Entries an order representation carries: its creation and the most recent ones. */
export const MAX_TIMELINE = 200;

export interface HistoryDocument extends TimelineEntry {
  _id: string; // historyKey(orderId, version)
  orderId: string;
  /** outcomeKey(commandId) of the command the event answers (absent on entries written before 0.3). */
  commandKey?: string;
  commandType?: CommandType;
}

export const historyCollection = (db: Db): Collection<HistoryDocument> => db.collection<HistoryDocument>(HISTORY_COLLECTION);

export const historyKey = (orderId: string, version: number): string => `${orderId}/${version}`;

/** Inserts the entries of these events; a redelivered batch's entries are already there. */
export async function recordHistory(db: Db, events: readonly OrderEvent[]): Promise<void> {
  const unique = new Map(events.map((e) => [historyKey(e.orderId, e.version), e]));
  await insertOnce(
    historyCollection(db),
    [...unique].map(([_id, e]) => ({ _id, orderId: e.orderId, ...timelineEntryOf(e), commandKey: outcomeKey(e.causationId), commandType: commandTypeOf(e) })),
  );
}

/** The timeline entry a history document holds (without its key and the command it names). */
export const timelineEntryOfDocument = ({ _id: _key, orderId: _o, commandKey: _c, commandType: _t, ...entry }: HistoryDocument): TimelineEntry => entry;

export const ensureHistoryIndexes = (db: Db): Promise<void> => ensureIndexes(historyCollection(db), [{ key: { commandKey: 1 }, name: 'commandKey' }]);

/** The outcome an applied command had, as its entry records it. */
const appliedOutcomeOf = (d: HistoryDocument & { commandType: CommandType }): CommandOutcome => ({
  commandId: d.commandId,
  orderId: d.orderId,
  commandType: d.commandType,
  correlationId: d.correlationId,
  status: 'applied',
  version: d.version,
  eventIds: [eventIdFor(d.commandId, d.orderId, d.version)],
});

/**
 * The outcomes of the applied commands among these keys, by key: one `$in` read through
 * the commandKey index (sorted by it: our FerretDB build narrows such a read to the keys).
 */
export async function findAppliedOutcomes(db: Db, keys: readonly string[]): Promise<Map<string, CommandOutcome>> {
  const wanted = [...new Set(keys)];
  if (wanted.length === 0) return new Map();
  const docs = await historyCollection(db).find({ commandKey: { $in: wanted } }).sort({ commandKey: 1 }).toArray();
  return new Map(docs.flatMap((d) => (d.commandKey && d.commandType ? [[d.commandKey, appliedOutcomeOf({ ...d, commandType: d.commandType })] as const] : [])));
}

/** The versions an order at `version` shows: 1, then the most recent ones (MAX_TIMELINE in all). */
export function timelineVersions(version: number): number[] {
  const from = Math.max(2, version - MAX_TIMELINE + 2);
  return version < 1 ? [] : [1, ...Array.from({ length: Math.max(0, version - from + 1) }, (_, i) => from + i)];
}

export interface Timeline {
  entries: TimelineEntry[];
  /** false while the processor has written the order but not yet all of its entries (or crashed in between). */
  complete: boolean;
}

/** How long a reader waits before reading again when the history lags the order (one write behind it). */
const LAG_RETRY_MS = 25;

/**
 * The timelines of these orders (orderId → version) in one `_id` `$in` read, entries
 * oldest first. The processor writes an order, then its entries: a read between the two
 * finds the last entries missing, and reads again once.
 */
export async function readTimelines(db: Db, orders: ReadonlyMap<string, number>): Promise<Map<string, Timeline>> {
  const first = await readTimelinesOnce(db, orders);
  if ([...first.values()].every((t) => t.complete)) return first;
  await new Promise((r) => setTimeout(r, LAG_RETRY_MS));
  return readTimelinesOnce(db, orders);
}

async function readTimelinesOnce(db: Db, orders: ReadonlyMap<string, number>): Promise<Map<string, Timeline>> {
  const keys = [...orders].flatMap(([orderId, version]) => timelineVersions(version).map((v) => historyKey(orderId, v)));
  const docs = keys.length === 0 ? [] : await historyCollection(db).find({ _id: { $in: keys } }).toArray();
  const byOrder = new Map<string, TimelineEntry[]>([...orders.keys()].map((id) => [id, []]));
  for (const doc of docs) byOrder.get(doc.orderId)?.push(timelineEntryOfDocument(doc));
  return new Map(
    [...byOrder].map(([orderId, entries]) => {
      entries.sort((a, b) => a.version - b.version);
      return [orderId, { entries, complete: entries.length === timelineVersions(orders.get(orderId)!).length }];
    }),
  );
}
