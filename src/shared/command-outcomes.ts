// Where a command's outcome is found: a rejection in command_outcomes, an applied
// command as its history entry in order_history (see history-collection.ts). The
// processor reads both for a batch's commandIds (its idempotency records), the edge for
// GET /api/v1/commands/{commandId}.
import type { Db } from 'mongodb';
import type { CommandOutcome } from '../schemas/index.js';
import { findAppliedOutcomes, historyCollection } from './history-collection.js';
import { fromOutcomeDocument, outcomeKey, outcomesCollection } from './outcomes-collection.js';

/** The outcomes of these commandIds that are recorded, by outcomeKey; a stored record wins (the first outcome). */
export async function findOutcomes(db: Db, commandIds: readonly string[]): Promise<Map<string, CommandOutcome>> {
  const keys = [...new Set(commandIds.map(outcomeKey))];
  if (keys.length === 0) return new Map();
  const [stored, applied] = await Promise.all([outcomesCollection(db).find({ _id: { $in: keys } }).toArray(), findAppliedOutcomes(db, keys)]);
  for (const d of stored) applied.set(d._id, fromOutcomeDocument(d));
  return applied;
}

/** What became of a command, if the processor recorded it yet. */
export async function findOutcome(db: Db, commandId: string): Promise<CommandOutcome | undefined> {
  return (await findOutcomes(db, [commandId])).get(outcomeKey(commandId));
}

/**
 * Commands with a recorded outcome (one history entry per applied command, one record
 * per rejection), for tests and benchmarks; `estimated` reads the collections' counts
 * instead of counting their documents (cheap while a benchmark polls).
 */
export async function countOutcomes(db: Db, { estimated = false } = {}): Promise<number> {
  const count = (c: { countDocuments(): Promise<number>; estimatedDocumentCount(): Promise<number> }) => (estimated ? c.estimatedDocumentCount() : c.countDocuments());
  const [rejected, applied] = await Promise.all([count(outcomesCollection(db)), count(historyCollection(db))]);
  return rejected + applied;
}
