// Idempotency keys in real MongoDB (FerretDB here): claims are race-safe through the
// unique _id, a retry after a failed attempt reuses the first commandId, and replicas
// sharing the collection give the same answers.
import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginIdempotent, type IdempotentRequest } from '../../src/edge/idempotency.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { SEED_CREATE_BODY, json, startEdge, type EdgeHarness } from '../support/edge-harness.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

describe('idempotency keys in MongoDB', () => {
  let mongo: MongoClient;
  let db: Db;
  beforeAll(async () => {
    mongo = createMongoClient(stackEnv().mongodbUri);
    await mongo.connect();
    db = mongo.db(uniqueName('idem').replace(/-/g, '_'));
  });
  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await mongo?.close();
  });

  const request = (key: string, hash = 'h1'): IdempotentRequest => ({
    scope: 'POST /api/v1/orders',
    key,
    hash,
    orderId: `ORD-${randomUUID()}`,
    commandId: randomUUID(),
    leaseMs: 10_000,
  });

  it('claims, then replays the stored answer; another body → IDEMPOTENCY_KEY_REUSED', async () => {
    const first = request('k1');
    const start = await beginIdempotent(db, first);
    expect(start).toMatchObject({ kind: 'proceed', orderId: first.orderId, commandId: first.commandId });
    if (start.kind !== 'proceed') throw new Error('unreachable');
    const response = { status: 202, headers: { location: `/api/v1/orders/${first.orderId}` }, body: { orderId: first.orderId, commandId: first.commandId, status: 'pending' } };
    await start.complete(response);
    expect(await beginIdempotent(db, request('k1'))).toEqual({ kind: 'replay', response });
    await expect(beginIdempotent(db, request('k1', 'h2'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', statusCode: 422 });
  });

  it('an attempt in progress → 409; released or expired → the retry proceeds with the first ids', async () => {
    const first = request('k2');
    const start = await beginIdempotent(db, first);
    await expect(beginIdempotent(db, request('k2'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS', statusCode: 409 });
    if (start.kind !== 'proceed') throw new Error('unreachable');
    await start.release(); // e.g. Kafka answered 503
    expect(await beginIdempotent(db, request('k2'))).toMatchObject({ kind: 'proceed', orderId: first.orderId, commandId: first.commandId });
    // That retry's replica died: after its lease, a third attempt takes over, same ids again.
    const later = new Date(Date.now() + 60_000);
    expect(await beginIdempotent(db, request('k2'), later)).toMatchObject({ kind: 'proceed', commandId: first.commandId });
  });

  it('concurrent first requests: exactly one proceeds', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => beginIdempotent(db, request('k3'))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
  });
});

describe('idempotency across two edge replicas', () => {
  let a: EdgeHarness;
  let b: EdgeHarness;
  beforeAll(async () => {
    a = await startEdge();
    // Replica b shares a's database and topics.
    b = await startEdge({
      createTopics: false,
      env: { MONGODB_DATABASE: a.config.mongodbDatabase, TOPIC_COMMANDS: a.config.topics.commands, TOPIC_OUTCOMES: a.config.topics.outcomes },
    });
  });
  afterAll(async () => {
    await b?.app.close();
    await a?.close();
  });

  it('a retry on the other replica gets the same answer; simultaneous ones never get two commandIds', async () => {
    const key = randomUUID();
    const first = await fetch(`${a.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { 'idempotency-key': key }));
    const retry = await fetch(`${b.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { 'idempotency-key': key }));
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual(await first.json());

    const racing = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => fetch(`${(i % 2 ? a : b).base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { 'idempotency-key': racing }))),
    );
    const accepted = await Promise.all(answers.filter((r) => r.status === 202).map((r) => r.json() as Promise<{ commandId: string }>));
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((x) => x.commandId)).size).toBe(1);
    for (const r of answers) expect([202, 409]).toContain(r.status);
  });
});
