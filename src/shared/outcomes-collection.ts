// The `command_outcomes` collection: what became of each command, by commandId, for
// `GET /api/v1/commands/{commandId}`. Written by the processor (idempotent upserts keyed
// by commandId), read by the edge.
import type { Collection, Db } from 'mongodb';
import type { Logger } from 'pino';
import type { CommandOutcome } from '../schemas/index.js';

export const OUTCOMES_COLLECTION = 'command_outcomes';

/** How long outcomes are kept on servers that support TTL indexes. */
export const OUTCOME_RETENTION_SECONDS = 7 * 24 * 3600;

export interface OutcomeDocument extends Omit<CommandOutcome, 'commandId'> {
  _id: string; // commandId
  recordedAt: Date;
}

export const outcomesCollection = (db: Db): Collection<OutcomeDocument> => db.collection<OutcomeDocument>(OUTCOMES_COLLECTION);

export const toOutcomeDocument = (o: CommandOutcome, recordedAt: Date): OutcomeDocument => {
  const { commandId, ...rest } = o;
  return { _id: commandId, ...rest, recordedAt };
};

export const fromOutcomeDocument = ({ _id, recordedAt: _at, ...rest }: OutcomeDocument): CommandOutcome => ({ commandId: _id, ...rest }) as CommandOutcome;

/**
 * Outcomes expire after a week on MongoDB (TTL index). FerretDB v1 has no TTL indexes:
 * there we keep a plain index on recordedAt and outcomes stay until pruned by hand
 * (`db.command_outcomes.deleteMany({recordedAt: {$lt: …}})`); one log line says so.
 */
export async function ensureOutcomeIndexes(db: Db, log: Pick<Logger, 'warn'>): Promise<'ttl' | 'no-ttl'> {
  const outcomes = outcomesCollection(db);
  await outcomes.createIndex({ orderId: 1 }, { name: 'orderId' });
  try {
    await outcomes.createIndex({ recordedAt: 1 }, { name: 'recordedAt_ttl', expireAfterSeconds: OUTCOME_RETENTION_SECONDS });
    return 'ttl';
  } catch (err) {
    log.warn(
      { err: (err as Error).message },
      'this MongoDB server does not support TTL indexes: command outcomes will not expire by themselves (plain index on recordedAt instead; prune old ones by hand)',
    );
    await outcomes.createIndex({ recordedAt: 1 }, { name: 'recordedAt' });
    return 'no-ttl';
  }
}

/** What became of a command, if the processor recorded it yet (GET /api/v1/commands/{id}). */
export async function findOutcome(db: Db, commandId: string): Promise<CommandOutcome | undefined> {
  const doc = await outcomesCollection(db).findOne({ _id: commandId });
  return doc ? fromOutcomeDocument(doc) : undefined;
}
