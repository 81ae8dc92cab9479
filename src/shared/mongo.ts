// The one place MongoDB clients are made.
import { MongoClient } from 'mongodb';

export function createMongoClient(uri: string, appName = 'order-service'): MongoClient {
  return new MongoClient(uri, {
    appName,
    // Fail fast when the server is gone, so callers can pause and retry (G4).
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
  });
}

export const DUPLICATE_KEY = 11000;
