// The `command_outcomes` collection: what became of each command, by commandId. It is
// the idempotency record of the processor (a commandId found here is applied once, for
// as long as its outcome is kept) and the answer of `GET /api/v1/commands/{commandId}`.
// Written by the processor before the command's Kafka transaction, read by the edge.
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
 * for that long a resent commandId gets its first outcome and changes nothing.
 */
export async function ensureOutcomeIndexes(db: Db, log: Pick<Logger, 'warn' | 'info'>, retentionSeconds: number): Promise<Expiry> {
  const outcomes = outcomesCollection(db);
  await ensureIndexes(outcomes, [{ key: { orderId: 1 }, name: 'orderId' }]);
  return ensureExpiry(outcomes, 'recordedAt', retentionSeconds, log, 'command outcomes');
}

/** What became of a command, if the processor recorded it yet (GET /api/v1/commands/{id}). */
export async function findOutcome(db: Db, commandId: string): Promise<CommandOutcome | undefined> {
  const doc = await outcomesCollection(db).findOne({ _id: outcomeKey(commandId) });
  return doc ? fromOutcomeDocument(doc) : undefined;
}
