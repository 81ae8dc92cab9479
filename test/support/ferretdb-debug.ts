// A FerretDB of our build (stack/ferretdb, patches applied) started by a test with its
// debug log, which quotes every SQL statement it runs, plus SQLite's query planner over
// that SQL: tests check index use on the plan, never on timing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { ferretdbBinary } from '../../stack/provision.mjs';
import { freePort } from './ports.js';

export interface DebugFerretDB {
  client: MongoClient;
  /** The SQL statements run since the previous call, in order, once one matching `last` is among them. */
  takeStatements(last: RegExp): Promise<string[]>;
  /** SQLite's EXPLAIN QUERY PLAN of `sql` in database `db`, each `?` bound to `value` (SQL literal). */
  queryPlan(db: string, sql: string, value?: string): string;
  stop(): Promise<void>;
}

const sqlite3 = (dbFile: string, sql: string): string => {
  const r = spawnSync('sqlite3', [dbFile, sql], { encoding: 'utf8' });
  if (r.error) throw new Error(`sqlite3 is needed for this test (Debian package sqlite3; npm test installs it as root): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
  return r.stdout;
};

export async function startDebugFerretDB(name: string): Promise<DebugFerretDB> {
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const port = await freePort();
  const server = spawn(ferretdbBinary(), ['-listen', `127.0.0.1:${port}`, '-data', dataDir, '-log-level', 'debug'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DO_NOT_TRACK: '1' },
  });
  let log = '';
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return {
    client,
    async takeStatements(last) {
      // The debug log quotes each statement as msg=">>> SQL".
      const statements = () => [...log.matchAll(/msg=">>> ((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\"/g, '"'));
      // The log comes through a pipe that can lag behind the server's reply.
      for (let waited = 0; !statements().some((sql) => last.test(sql)); waited += 20) {
        if (waited >= 10_000) throw new Error(`FerretDB logged no statement matching ${last}`);
        await setTimeout(20);
      }
      const taken = statements();
      log = '';
      return taken;
    },
    queryPlan: (db, sql, value = "'\"order-7\"'") => sqlite3(join(dataDir, `${db}.sqlite`), `EXPLAIN QUERY PLAN ${sql.replace(/\?/g, value)}`),
    async stop() {
      await client.close();
      server.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
