// The one place MongoDB clients are made, and index creation that is safe on both
// MongoDB and FerretDB v1.
import { MongoClient, MongoServerError, type Collection, type Document, type IndexDescription } from 'mongodb';
import type { Logger } from 'pino';

export function createMongoClient(uri: string, appName = 'order-service'): MongoClient {
  return new MongoClient(uri, {
    appName,
    // Fail fast when the server is gone, so callers can pause and retry (G4).
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
  });
}

export const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;

async function existingIndexNames(collection: Collection<Document>): Promise<Set<string>> {
  try {
    return new Set((await collection.indexes()).map((i) => i.name as string));
  } catch (err) {
    if (err instanceof MongoServerError && err.code === NAMESPACE_NOT_FOUND) return new Set();
    throw err;
  }
}

/**
 * Creates the named indexes that do not exist yet. Never re-sends existing ones:
 * FerretDB v1.24 panics and drops the connection on a createIndexes that repeats
 * existing indexes next to compound ones ("slice bounds out of range"), which made
 * every second start of a service fail.
 */
export async function ensureIndexes<T extends Document>(collection: Collection<T>, specs: (IndexDescription & { name: string })[]): Promise<void> {
  const existing = await existingIndexNames(collection as unknown as Collection<Document>);
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length > 0) await collection.createIndexes(missing);
}

/**
 * Expiry on `field` after `seconds`: a TTL index on MongoDB. FerretDB v1 has no TTL
 * indexes: there a plain index on the field, and one log line saying that `what` will
 * not expire by itself.
 */
export async function ensureExpiryIndex<T extends Document>(
  collection: Collection<T>,
  field: string,
  seconds: number,
  log: Pick<Logger, 'warn'>,
  what: string,
): Promise<'ttl' | 'no-ttl'> {
  const existing = await existingIndexNames(collection as unknown as Collection<Document>);
  const ttlName = `${field}_ttl`;
  const warn = (detail: string) =>
    log.warn({ err: detail }, `this MongoDB server does not support TTL indexes: ${what} will not expire by themselves (plain index on ${field} instead; prune old ones by hand)`);
  if (existing.has(ttlName)) return 'ttl';
  if (existing.has(field)) {
    warn('TTL index missing (server without TTL support)');
    return 'no-ttl';
  }
  try {
    await collection.createIndex({ [field]: 1 }, { name: ttlName, expireAfterSeconds: seconds });
    return 'ttl';
  } catch (err) {
    warn((err as Error).message);
    await collection.createIndex({ [field]: 1 }, { name: field });
    return 'no-ttl';
  }
}
