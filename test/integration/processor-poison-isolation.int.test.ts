// Pins issue 11 hole 2: any error after decoding (here an exception while planning one
// command, failpoint plan=throw@<commandId>) retried the whole group forever, and every
// partition of the replica stopped. Now the record behind it is found by splitting the
// batch, dead-lettered as PROCESSING_FAILED with its original bytes, and the rest goes on.
import { afterAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '../../src/processor/messages.js';
import { encodeCommandJson } from '../../src/schemas/index.js';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { ensureCommandsTopic, produceCommands } from '../support/command-feed.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { verifyExactlyOnce } from '../support/verify-exactly-once.js';

describe('a record that fails after decoding', () => {
  const orders = Array.from({ length: 30 }, (_, i) => lifecycle(`ORD-poison-${i}`));
  const poison = orders[7]![1]!; // a ValidateOrder in the middle of the stream
  const env = { ...isolatedEnv('fp-poison', 3), ORDER_SERVICE_FAILPOINTS: `plan=throw@${poison.commandId}` };
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'fp-poison-test' });
  let p: RunningProcessor | undefined;

  afterAll(async () => {
    await p?.stop();
  });

  it('is dead-lettered as PROCESSING_FAILED and every other command is applied exactly once', async () => {
    await ensureCommandsTopic(kafka, config);
    const commands = [0, 1, 2, 3, 4].flatMap((r) => orders.map((o) => o[r]!));
    await produceCommands(kafka, config.topics.commands, commands);
    p = await startProcessor(env);

    const [letter] = await consumeAll(kafka, config.topics.deadLetters, 1, 'read_committed', 2000, 90_000);
    expect(letter?.headers[DLQ_HEADERS.errorCode]).toBe('PROCESSING_FAILED');
    expect(letter?.headers[DLQ_HEADERS.errorMessage]).toContain(poison.commandId);
    expect(letter?.value.equals(encodeCommandJson(poison))).toBe(true);
    expect(letter?.key).toBe(poison.orderId);

    await verifyExactlyOnce(kafka, p.db, config, schemaResolver(config.schemaRegistryUrl), commands.length, { deadLettered: new Set([poison.commandId]) });
    // Exactly one dead letter, and the replica is ready again (it moved on).
    expect(await consumeAll(kafka, config.topics.deadLetters, 1, 'read_committed', 2000, 10_000)).toHaveLength(1);
    await waitFor(async () => p!.processor.ready().ready, 10_000, 'ready again');
  }, 240_000);
});
