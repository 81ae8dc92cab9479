// The `order_history` collection: one document per event, `_id` = `<orderId>/<version>`.
// Insert-only, so recording history costs the same on an order's 1st and 10,000th
// command (it used to live in the order document, rewritten whole by every command).
// Written by the processor right after the order's own write, in the same batch; read
// by the edge next to the order document, by `_id` (no extra index).
import type { Collection, Db } from 'mongodb';
import { timelineEntryOf, type TimelineEntry } from '../domain/index.js';
import type { OrderEvent } from '../schemas/index.js';
import { insertOnce } from './mongo.js';

export const HISTORY_COLLECTION = 'order_history';

/** Entries an order representation carries: its creation and the most recent ones. */
export const MAX_TIMELINE = 200;

export interface HistoryDocument extends TimelineEntry {
  _id: string; // historyKey(orderId, version)
  orderId: string;
}

export const historyCollection = (db: Db): Collection<HistoryDocument> => db.collection<HistoryDocument>(HISTORY_COLLECTION);

export const historyKey = (orderId: string, version: number): string => `${orderId}/${version}`;

/** Inserts the entries of these events; a redelivered batch's entries are already there. */
export async function recordHistory(db: Db, events: readonly OrderEvent[]): Promise<void> {
  const unique = new Map(events.map((e) => [historyKey(e.orderId, e.version), e]));
  await insertOnce(historyCollection(db), [...unique].map(([_id, e]) => ({ _id, orderId: e.orderId, ...timelineEntryOf(e) })));
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
  for (const { _id: _key, orderId, ...entry } of docs) byOrder.get(orderId)?.push(entry);
  return new Map(
    [...byOrder].map(([orderId, entries]) => {
      entries.sort((a, b) => a.version - b.version);
      return [orderId, { entries, complete: entries.length === timelineVersions(orders.get(orderId)!).length }];
    }),
  );
}
