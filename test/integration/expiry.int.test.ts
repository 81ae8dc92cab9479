// Outcomes and idempotency keys expire after their retention on every server: a TTL
// index on MongoDB, the service's own sweeper on FerretDB v1 (no TTL there). Before,
// on FerretDB they were kept forever ("prune by hand"). Retention made short here.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureExpiry } from '../../src/shared/expiry.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { outcomesCollection } from '../../src/shared/outcomes-collection.js';
import { command, waitFor } from '../support/commands.js';
import { ensureCommandsTopic, produceCommands } from '../support/command-feed.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { createKafka } from '../../src/shared/kafka.js';
import { loadConfig } from '../../src/shared/config.js';

describe('expiry of records', () => {
  const client = createMongoClient(stackEnv().mongodbUri);
  const db = client.db(uniqueName('expiry').replace(/-/g, '_'));
  let p: RunningProcessor | undefined;

  afterAll(async () => {
    await p?.stop();
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  });

  it('deletes what is older than the retention and keeps the rest', async () => {
    const records = db.collection<{ _id: string; at: Date }>('records');
    await records.insertMany([
      { _id: 'old', at: new Date(Date.now() - 60_000) },
      { _id: 'new', at: new Date(Date.now() + 3_600_000) },
    ]);
    const expiry = await ensureExpiry(records, 'at', 5, pino({ level: 'silent' }), 'records');
    try {
      // TTL monitors run once a minute on MongoDB; the sweeper every retention / 10 (≥ 1 s).
      await waitFor(async () => (await records.countDocuments({ _id: 'old' })) === 0, expiry.kind === 'ttl' ? 120_000 : 15_000, 'expired record deleted');
      expect(await records.countDocuments({ _id: 'new' })).toBe(1);
    } finally {
      expiry.stop();
    }
  }, 150_000);

  it('deletes a command outcome OUTCOME_RETENTION_SECONDS after it was recorded', async () => {
    const env = { ...isolatedEnv('expiry-outcomes', 1), OUTCOME_RETENTION_SECONDS: '2', IDEMPOTENCY_RETENTION_SECONDS: '1' };
    const config = loadConfig(env);
    const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'expiry-test' });
    await ensureCommandsTopic(kafka, config);
    p = await startProcessor(env);
    const orphan = command('ValidateOrder', 'ORD-expiry-1');
    await produceCommands(kafka, config.topics.commands, [orphan]);
    const outcomes = outcomesCollection(p.db);
    await waitFor(async () => (await outcomes.countDocuments({ _id: orphan.commandId })) === 1, 30_000, 'outcome recorded');
    await waitFor(async () => (await outcomes.countDocuments({ _id: orphan.commandId })) === 0, 30_000, 'outcome expired');
  }, 90_000);
});
