// Pins issue 11 hole 3: a Kafka commit reported as failed although it succeeded (the
// client's commit timeout; failpoint commit=timeout-after-success). The batch was
// processed again from the consumer's position, and the orders' pending events were
// published a second time. Now the group's committed offsets decide what is left to do.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { ensureCommandsTopic, produceCommands } from '../support/command-feed.js';
import { lifecycle } from '../support/commands.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('commits reported failed that succeeded', () => {
  const env = { ...isolatedEnv('fp-commit', 3), ORDER_SERVICE_FAILPOINTS: 'commit=timeout-after-success*5' };
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'fp-commit-test' });
  let p: RunningProcessor | undefined;

  afterAll(async () => {
    await p?.stop();
  });

  it('publish each event once: what the coordinator committed is not processed again', async () => {
    await ensureCommandsTopic(kafka, config);
    const orders = Array.from({ length: 40 }, (_, i) => lifecycle(`ORD-fp-commit-${i}`));
    // Rounds of commands, so the five ambiguous commits fall on several batches.
    const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
    p = await startProcessor(env);
    for (let i = 0; i < commands.length; i += 40) await produceCommands(kafka, config.topics.commands, commands.slice(i, i + 40));
    await verifyExactlyOnce(kafka, p.db, config, schemaResolver(config.schemaRegistryUrl), commands.length);
    // The failpoint fired (on up to five commits: as many as there were transactions).
    expect((await p.metrics.batchRetries.get()).values.find((v) => v.labels.kind === 'outage')?.value).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
