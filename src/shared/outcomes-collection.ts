// The `command_outcomes` collection: what became of each rejected command, by commandId
// (an applied one's outcome is its history entry: history-collection.ts; entries here
// from before 0.3 hold applied ones too). With the history it is the idempotency record
// of the processor and the answer of `GET /api/v1/commands/{commandId}`
// (command-outcomes.ts). Written by the processor before the command's Kafka
// transaction, read by the edge.
import type { Collection, Db } from 'mongodb';
import type { Logger } from 'pino';
import type { CommandOutcome } from '../schemas/index.js';
import { ensureExpiry, type Expiry } from './expiry.js';
import { ensureIndexes } from './mongo.js';

export const OUTCOMES_COLLECTION = 'command_outcomes';


export interface OutcomeDocument extends Omit<CommandOutcome, 'commandId'> {
  _id: string; // outcomeKey(commandId)
  /** As the producer wrote it (absent on records written before 0.2). */
  commandId?: string;
  recordedAt: Date;
}

export const outcomesCollection = (db: Db): Collection<OutcomeDocument> => db.collection<OutcomeDocument>(OUTCOMES_COLLECTION);

/** commandIds are UUIDs and compare case-insensitively: the key is the lower-case form. */
export const outcomeKey = (commandId: string): string => commandId.toLowerCase();

export const toOutcomeDocument = (o: CommandOutcome, recordedAt: Date): OutcomeDocument => {
  const { commandId, ...rest } = o;
  return { _id: outcomeKey(commandId), commandId, ...rest, recordedAt };
};

export const fromOutcomeDocument = ({ _id, commandId, recordedAt: _at, ...rest }: OutcomeDocument): CommandOutcome => ({ commandId: commandId ?? _id, ...rest }) as CommandOutcome;

/**
 * Outcomes are deleted `retentionSeconds` after they were recorded (OUTCOME_RETENTION_SECONDS):
 * for that long a resent commandId that was rejected gets its first outcome and changes
 * nothing (one that was applied, for as long as its history entry is kept).
 */
export async function ensureOutcomeIndexes(db: Db, log: Pick<Logger, 'warn' | 'info'>, retentionSeconds: number): Promise<Expiry> {
  const outcomes = outcomesCollection(db);
  await ensureIndexes(outcomes, [{ key: { orderId: 1 }, name: 'orderId' }]);
  return ensureExpiry(outcomes, 'recordedAt', retentionSeconds, log, 'command outcomes');
}
