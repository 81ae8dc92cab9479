// What a step left in its MongoDB database: documents and their BSON bytes per collection
// (mean size from up to `sample` documents). Every applied command rewrites its order
// document and inserts whatever else it stores, so the bytes written per command are the
// mean order document plus the other collections' bytes per command.
import { BSON, type Db } from 'mongodb';
import { ORDERS_COLLECTION } from '../src/shared/orders-collection.js';

export interface CollectionBytes {
  documents: number;
  meanBytes: number;
}

export async function databaseBytes(db: Db, sample = 2000): Promise<Record<string, CollectionBytes>> {
  const out: Record<string, CollectionBytes> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    const c = db.collection(name);
    const documents = await c.countDocuments();
    const docs = await c.find({}).limit(sample).toArray();
    const meanBytes = docs.length ? Math.round(docs.reduce((s, d) => s + BSON.calculateObjectSize(d), 0) / docs.length) : 0;
    out[name] = { documents, meanBytes };
  }
  return out;
}

export interface MongoPerCommand {
  /** Document writes per command: the order's rewrite plus the inserts of the other collections. */
  documentWrites: number;
  bytesWritten: number;
  /** Bytes left stored per command (every collection, documents × mean size). */
  bytesStored: number;
}

export function mongoPerCommand(collections: Record<string, CollectionBytes>, commands: number): MongoPerCommand {
  const others = Object.entries(collections).filter(([n]) => n !== ORDERS_COLLECTION);
  const orders = collections[ORDERS_COLLECTION] ?? { documents: 0, meanBytes: 0 };
  const otherDocs = others.reduce((s, [, c]) => s + c.documents, 0);
  const otherBytes = others.reduce((s, [, c]) => s + c.documents * c.meanBytes, 0);
  const n = Math.max(1, commands);
  return {
    documentWrites: Number((1 + otherDocs / n).toFixed(2)),
    bytesWritten: Math.round(orders.meanBytes + otherBytes / n),
    bytesStored: Math.round((orders.documents * orders.meanBytes + otherBytes) / n),
  };
}
