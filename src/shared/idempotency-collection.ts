// The `idempotency_keys` collection: one document per (scope, Idempotency-Key), written by
// the edge so that a retry — on this replica, another one, or after a restart — gets the
// same answer and, above all, the same commandId (which the processor dedupes on).
// Race-safe through the unique _id: the first request inserts, later ones read.
import type { Collection, Db } from 'mongodb';
import type { Logger } from 'pino';
import { ensureExpiry, type Expiry } from './expiry.js';
import { DUPLICATE_KEY } from './mongo.js';

export const IDEMPOTENCY_COLLECTION = 'idempotency_keys';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface IdempotencyDocument {
  _id: string; // `${scope} ${key}`
  requestHash: string;
  orderId: string;
  commandId: string;
  /** in-progress until the answer is stored; a stale lease may be taken over by a retry. */
  state: 'in-progress' | 'completed';
  leaseUntil: Date;
  createdAt: Date;
  response?: StoredResponse;
}

export const idempotencyCollection = (db: Db): Collection<IdempotencyDocument> => db.collection<IdempotencyDocument>(IDEMPOTENCY_COLLECTION);

/** Inserts the claim, or returns the document that already holds this key. */
export async function claimIdempotencyKey(db: Db, doc: IdempotencyDocument): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyDocument | null }> {
  try {
    await idempotencyCollection(db).insertOne(doc);
    return { claimed: true };
  } catch (err) {
    if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    return { claimed: false, existing: await idempotencyCollection(db).findOne({ _id: doc._id }) };
  }
}

/**
 * Takes over an in-progress claim whose lease ran out (its request failed or its replica
 * died). Conditional on the old lease; on FerretDB that condition is not an atomic
 * compare-and-set, so two simultaneous take-overs may both proceed — harmless, since both
 * reuse the stored commandId and the processor applies it once.
 */
export async function takeOverIdempotencyKey(db: Db, id: string, staleLease: Date, leaseUntil: Date): Promise<boolean> {
  const r = await idempotencyCollection(db).updateOne({ _id: id, state: 'in-progress', leaseUntil: staleLease }, { $set: { leaseUntil } });
  return r.modifiedCount === 1;
}

export async function completeIdempotencyKey(db: Db, id: string, response: StoredResponse): Promise<void> {
  await idempotencyCollection(db).updateOne({ _id: id }, { $set: { state: 'completed', response } });
}

/** Ends the lease at once so a retry can proceed (with the same commandId). */
export async function releaseIdempotencyKey(db: Db, id: string): Promise<void> {
  await idempotencyCollection(db).updateOne({ _id: id, state: 'in-progress' }, { $set: { leaseUntil: new Date(0) } });
}

/** Keys are deleted `retentionSeconds` after their first use (IDEMPOTENCY_RETENTION_SECONDS; a TTL index, or the service's own sweeper). */
export async function ensureIdempotencyIndexes(db: Db, log: Pick<Logger, 'warn' | 'info'>, retentionSeconds: number): Promise<Expiry> {
  return ensureExpiry(idempotencyCollection(db), 'createdAt', retentionSeconds, log, 'idempotency keys');
}
