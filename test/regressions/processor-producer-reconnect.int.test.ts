// Regression: a transactional producer left disconnected stalled its replica for good.
// When a transaction failed and its abort failed too (a fenced or broken producer), the
// committer dropped the producer and connected a new one at once; if that connect failed
// as well (the broker busy or down: initTransactions times out while the coordinator
// still aborts the previous incarnation's transaction), it kept the dropped producer,
// and every later attempt failed on it ("Cannot start transaction without awaiting
// connect()") — an outage retried forever that no broker recovery could end. The
// failpoints put the three failures exactly there: the MongoDB write throws, the abort
// fails, the reconnect fails. Pinned: the replica recovers on its own and applies every
// command exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { ensureCommandsTopic, produceCommands } from '../support/command-feed.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('a failed abort followed by a failed reconnect', () => {
  const base = isolatedEnv('producer-reconnect', 1);
  const config = loadConfig(base);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'producer-reconnect-test' });
  let p: RunningProcessor | undefined;
  afterAll(() => p?.stop());

  it('leaves the replica able to commit once the broker answers again', async () => {
    await ensureCommandsTopic(kafka, config);
    const orders = Array.from({ length: 10 }, (_, i) => lifecycle(`ORD-reconnect-${i}`));
    const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
    const victim = commands[15]!.commandId;
    p = await startProcessor({ ...base, ORDER_SERVICE_FAILPOINTS: `after-mongo-write=throw@${victim}*1,abort=outage*1,producer-reconnect=outage*1` });
    await produceCommands(kafka, config.topics.commands, commands.slice(0, 10));
    await waitFor(async () => (await countOutcomes(p!.db)) === 10, 60_000, 'the first commands');
    await produceCommands(kafka, config.topics.commands, commands.slice(10));
    await waitFor(async () => (await countOutcomes(p!.db)) === commands.length, 60_000, "every command applied");
    await verifyExactlyOnce(kafka, p.db, config, schemaResolver(config.schemaRegistryUrl), commands.length);
    expect((await p.metrics.transactionAborts.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
