// The one place MongoDB clients are made, and index creation that is safe on both
// MongoDB and FerretDB v1 (expiring records: expiry.ts).
import { MongoBulkWriteError, MongoClient, MongoServerError, type Collection, type Document, type IndexDescription, type OptionalUnlessRequiredId } from 'mongodb';

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

/**
 * Inserts records that are written once and never change (outcomes, history entries):
 * one already there is the same record written again (a replayed batch), so its
 * duplicate key is ignored. Inserts, not upserts: one round trip, the first one stays.
 */
export async function insertOnce<T extends Document>(collection: Collection<T>, docs: OptionalUnlessRequiredId<T>[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await collection.insertMany(docs, { ordered: false });
  } catch (err) {
    const onlyDuplicates = err instanceof MongoBulkWriteError && [err.writeErrors].flat().every((e) => e.code === DUPLICATE_KEY);
    if (!onlyDuplicates) throw err;
  }
}

export async function existingIndexNames(collection: Collection<Document>): Promise<Set<string>> {
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
