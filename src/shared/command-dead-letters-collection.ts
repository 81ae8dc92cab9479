// The `command_dead_letters` collection: commands the processor dead-lettered, by
// commandId, so `GET /api/v1/commands/{commandId}` can say so instead of "pending"
// forever. Only records whose commandId could be read have one (a record that is not a
// command at all has no id to ask about). Not an idempotency record: a replayed dead
// letter is processed like any new command, and its outcome, once recorded, answers.
import type { Collection, Db } from 'mongodb';
import type { Logger } from 'pino';
import { ensureExpiry, type Expiry } from './expiry.js';
import { insertOnce } from './mongo.js';
import { outcomeKey } from './outcomes-collection.js';

export const COMMAND_DEAD_LETTERS_COLLECTION = 'command_dead_letters';

/** What the processor knows of a dead-lettered command. */
export interface CommandDeadLetter {
  commandId: string;
  orderId: string;
  code: string;
  reason: string;
}

interface CommandDeadLetterDocument extends CommandDeadLetter {
  _id: string; // outcomeKey(commandId)
  recordedAt: Date;
}

const collection = (db: Db): Collection<CommandDeadLetterDocument> => db.collection<CommandDeadLetterDocument>(COMMAND_DEAD_LETTERS_COLLECTION);

/** Kept as long as outcomes (OUTCOME_RETENTION_SECONDS): the window in which a replay is recognised. */
export function ensureCommandDeadLetterIndexes(db: Db, log: Pick<Logger, 'warn' | 'info'>, retentionSeconds: number): Promise<Expiry> {
  return ensureExpiry(collection(db), 'recordedAt', retentionSeconds, log, 'command dead letters');
}

/** Written before the dead letters' Kafka transaction; a batch written again keeps the first. */
export function recordCommandDeadLetters(db: Db, letters: CommandDeadLetter[], at: Date): Promise<void> {
  const unique = [...new Map(letters.map((l) => [outcomeKey(l.commandId), l])).values()];
  return insertOnce(collection(db), unique.map((l) => ({ _id: outcomeKey(l.commandId), ...l, recordedAt: at })));
}

export async function findCommandDeadLetter(db: Db, commandId: string): Promise<CommandDeadLetter | undefined> {
  const doc = await collection(db).findOne({ _id: outcomeKey(commandId) });
  if (!doc) return undefined;
  const { commandId: id, orderId, code, reason } = doc;
  return { commandId: id, orderId, code, reason };
}
