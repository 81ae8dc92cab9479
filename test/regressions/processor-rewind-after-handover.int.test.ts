// Pins a hole the pipelined processor would open (issue 15): a group's batches go back to
// the consumer once its MongoDB writes are done, before its Kafka transaction commits. If
// that transaction then fails for good — the group generation it carries is stale
// (ILLEGAL_GENERATION) while this consumer keeps its partitions — the consumer has
// already moved past those records; the next group of the partition would commit offsets
// beyond them and their events would never be published. The failpoint refuses exactly
// that commit (before-commit=membership). Pinned: the processor seeks the partition back
// to the first record that did not commit, and every command is applied exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { countOutcomes } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { ensureCommandsTopic, produceCommands } from '../support/command-feed.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('a group whose commit is refused after its batches went back to the consumer', () => {
  const base = isolatedEnv('rewind', 1);
  const config = loadConfig(base);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'rewind-test' });
  let p: RunningProcessor | undefined;
  afterAll(() => p?.stop());

  it('is delivered again, and nothing is lost or published twice', async () => {
    await ensureCommandsTopic(kafka, config);
    const orders = Array.from({ length: 10 }, (_, i) => lifecycle(`ORD-rewind-${i}`));
    const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
    const victim = commands[15]!.commandId;
    p = await startProcessor({ ...base, ORDER_SERVICE_FAILPOINTS: `before-commit=membership@${victim}*1` });
    await produceCommands(kafka, config.topics.commands, commands.slice(0, 10));
    await waitFor(async () => (await countOutcomes(p!.db)) === 10, 60_000, 'the first commands');
    await produceCommands(kafka, config.topics.commands, commands.slice(10, 30));
    await waitFor(async () => (await countOutcomes(p!.db)) === 30, 60_000, 'the commands around the refused commit');
    await produceCommands(kafka, config.topics.commands, commands.slice(30));
    await waitFor(async () => (await countOutcomes(p!.db)) === commands.length, 60_000, 'every command applied');
    await verifyExactlyOnce(kafka, p.db, config, schemaResolver(config.schemaRegistryUrl), commands.length);
    expect((await p.metrics.transactionAborts.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
