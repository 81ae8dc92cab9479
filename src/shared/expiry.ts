// Records kept for a retention and then deleted: a TTL index where the server has them
// (MongoDB); where it has not (FerretDB v1 refuses `expireAfterSeconds`), the service
// deletes what expired itself, on a timer — the same retention either way.
import type { Collection, Document } from 'mongodb';
import type { Logger } from 'pino';
import { existingIndexNames } from './mongo.js';

export interface Expiry {
  kind: 'ttl' | 'sweeper';
  stop(): void;
}

/** Sweeps often enough that nothing outlives its retention by more than a tenth of it (at most a minute). */
const sweepEveryMs = (seconds: number): number => Math.max(1000, Math.min(60_000, (seconds * 1000) / 10));

export async function ensureExpiry<T extends Document>(
  collection: Collection<T>,
  field: string,
  seconds: number,
  log: Pick<Logger, 'warn' | 'info'>,
  what: string,
): Promise<Expiry> {
  const ttlName = `${field}_ttl`;
  const existing = await existingIndexNames(collection as unknown as Collection<Document>);
  if (existing.has(ttlName)) {
    // A retention changed in the configuration: MongoDB changes a TTL index in place.
    const current = (await collection.indexes()).find((i) => i.name === ttlName)?.expireAfterSeconds;
    if (current !== seconds) await collection.db.command({ collMod: collection.collectionName, index: { name: ttlName, expireAfterSeconds: seconds } });
    return { kind: 'ttl', stop: () => undefined };
  }
  if (!existing.has(field)) {
    try {
      await collection.createIndex({ [field]: 1 } as never, { name: ttlName, expireAfterSeconds: seconds });
      return { kind: 'ttl', stop: () => undefined };
    } catch (err) {
      log.info({ err: (err as Error).message }, `no TTL indexes on this server: ${what} are deleted after ${seconds} s by the service itself`);
      await collection.createIndex({ [field]: 1 } as never, { name: field });
    }
  }
  return startSweeper(collection, field, seconds, log, what);
}

/** Records deleted per statement (see sweep). */
const SWEEP_CHUNK = 500;

/**
 * Deletes what expired before `cutoff`, a chunk at a time: found through the field's
 * index, oldest first, and deleted by `_id` (still only if expired: an `_id` can be
 * written again). One `deleteMany` by the field read the whole collection on FerretDB
 * while holding its write lock: at 100,000 outcomes every order write waited 5 s.
 */
export async function sweep<T extends Document>(collection: Collection<T>, field: string, cutoff: Date): Promise<number> {
  const expired = { [field]: { $lt: cutoff } } as never;
  for (let deleted = 0; ; ) {
    const ids = (await collection.find(expired, { projection: { _id: 1 } }).sort({ [field]: 1 }).limit(SWEEP_CHUNK).toArray()).map((d) => d._id);
    const now = ids.length === 0 ? 0 : (await collection.deleteMany({ _id: { $in: ids }, [field]: { $lt: cutoff } } as never)).deletedCount;
    deleted += now;
    // A full chunk that deleted nothing would be found again: stop until the next sweep.
    if (ids.length < SWEEP_CHUNK || now === 0) return deleted;
  }
}

function startSweeper<T extends Document>(collection: Collection<T>, field: string, seconds: number, log: Pick<Logger, 'warn'>, what: string): Expiry {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const cutoff = new Date(Date.now() - seconds * 1000);
    sweep(collection, field, cutoff)
      .catch((err: Error) => log.warn({ err: err.message }, `could not delete expired ${what} (next try in ${sweepEveryMs(seconds) / 1000} s)`))
      .finally(() => {
        running = false;
      });
  }, sweepEveryMs(seconds));
  timer.unref();
  return { kind: 'sweeper', stop: () => clearInterval(timer) };
}
