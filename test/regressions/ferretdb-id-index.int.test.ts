// Regression: FerretDB v1.24/SQLite filtered by `_ferretdb_sjson->'$._id'` but indexed
// `_ferretdb_sjson->"_id"`; SQLite uses an expression index only for the identical
// expression, so every find/update by _id scanned the table (a replace by _id: 44 ms at
// 4,000 orders and growing). That made the processor slow down as orders accumulated and
// kept the full-size crash test out of reach. stack/ferretdb/patches.mjs fixes the build;
// this test runs the SQL our FerretDB really issues (its debug log) through SQLite's
// EXPLAIN QUERY PLAN and requires the _id index, without asserting any timing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferretdbBinary } from '../../stack/provision.mjs';
import { freePort } from '../support/ports.js';

const sqlite3 = (dbFile: string, sql: string): string => {
  const r = spawnSync('sqlite3', [dbFile, sql], { encoding: 'utf8' });
  if (r.error) throw new Error(`sqlite3 is needed for this test (Debian package sqlite3; npm test installs it as root): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
  return r.stdout;
};

describe('FerretDB finds and updates by _id through the _id index', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferretdb-id-index-'));
  let server: ChildProcess;
  let log = '';
  let client: MongoClient;

  beforeAll(async () => {
    const port = await freePort();
    server = spawn(ferretdbBinary(), ['-listen', `127.0.0.1:${port}`, '-data', dataDir, '-log-level', 'debug'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DO_NOT_TRACK: '1' },
    });
    server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    client = new MongoClient(`mongodb://127.0.0.1:${port}/`, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    server?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses the index for the SELECT and UPDATE behind findOne and replaceOne by _id', async () => {
    const orders = client.db('regr').collection<{ _id: string; n: number }>('orders');
    await orders.insertMany(Array.from({ length: 50 }, (_, n) => ({ _id: `order-${n}`, n })));
    log = '';
    await orders.findOne({ _id: 'order-7' });
    await orders.replaceOne({ _id: 'order-7' }, { n: 700 });
    expect(await orders.findOne({ _id: 'order-7' })).toEqual({ _id: 'order-7', n: 700 });

    // The debug log quotes each statement as msg=">>> SQL"; keep those on the orders table.
    const statements = [...log.matchAll(/msg=">>> ((?:[^"\\]|\\.)*)"/g)]
      .map((m) => m[1]!.replace(/\\"/g, '"'))
      .filter((sql) => /^(SELECT|UPDATE)\b/.test(sql) && sql.includes('orders_') && sql.includes('WHERE'));
    expect(statements.some((s) => s.startsWith('SELECT'))).toBe(true);
    expect(statements.some((s) => s.startsWith('UPDATE'))).toBe(true);

    const dbFile = join(dataDir, readdirSync(dataDir).find((f) => f === 'regr.sqlite')!);
    for (const sql of new Set(statements)) {
      const plan = sqlite3(dbFile, `EXPLAIN QUERY PLAN ${sql.replace(/\?/g, "'\"order-7\"'")}`);
      expect(plan, sql).toMatch(/USING INDEX orders_\w+__id_/);
    }
  });
});
