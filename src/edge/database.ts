// Every MongoDB call of the edge goes through here. Each has a deadline
// (EDGE_MONGO_TIMEOUT_MS): a MongoDB that stops answering (frozen, a network partition)
// turns into 503 + Retry-After within it, instead of holding the request until the
// driver's own timeouts (the driver has no per-operation deadline since CSOT's removal).
// Infrastructure failures become 503 too; the edge's own coded errors pass through.
import type { Db } from 'mongodb';
import { Errors, edgeError } from './errors.js';

/** Runs `call` against the edge's database within the deadline; failures → 503 DEPENDENCY_UNAVAILABLE. */
export type Database = <T>(call: (db: Db) => Promise<T>) => Promise<T>;

export function boundedDatabase(db: Db, deadlineMs: number): Database {
  return async <T>(call: (db: Db) => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const running = call(db);
    // The call may still fail after the deadline answered: that is not an unhandled rejection.
    running.catch(() => undefined);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`MongoDB did not answer within ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      return await Promise.race([running, deadline]);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code in Errors) throw err;
      throw Object.assign(edgeError('DEPENDENCY_UNAVAILABLE', 'MongoDB'), { cause: err });
    } finally {
      clearTimeout(timer);
    }
  };
}
