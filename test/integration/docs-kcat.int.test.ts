// The kcat example (docs/examples/kcat-create-order.sh) is shown verbatim in
// docs/kafka-commands.md and works: run against the real broker while a real processor consumes, the JSON
// CreateOrder is applied, lands in MongoDB and gets its outcome on Kafka.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeOutcome } from '../../src/schemas/index.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { schemaResolver } from '../../src/shared/registry.js';
import { waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor } from '../support/processor-harness.js';
import { markedBlocks, readDoc } from '../support/doc-blocks.js';
import { uniqueName } from '../support/stack-env.js';

const scriptPath = fileURLToPath(new URL('../../docs/examples/kcat-create-order.sh', import.meta.url));
const PAGE = 'docs/kafka-commands.md';
/** What the page shows: the script without its comment lines. */
const scriptCommand = () =>
  readFileSync(scriptPath, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .trim();

function requireKcat(): void {
  const r = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('kcat is not installed, and the example in docs/kafka-commands.md needs it: apt-get install kcat (npm test installs it when run as root)');
  }
}

describe(`${PAGE}: producing a command straight to Kafka with kcat`, () => {
  it('shows docs/examples/kcat-create-order.sh verbatim after its marker', () => {
    const blocks = markedBlocks(readDoc(PAGE), 'example: kcat-create-order');
    expect(blocks, `one fenced block after <!-- example: kcat-create-order --> in ${PAGE}`).toHaveLength(1);
    expect(blocks[0]).toBe(scriptCommand());
  });

  it('the produced CreateOrder is applied by a real processor', async () => {
    requireKcat();
    const env = isolatedEnv('kcat', 12);
    const processor = await startProcessor(env);
    try {
      const orderId = uniqueName('ORD-KCAT');
      const commandId = randomUUID();
      const run = spawnSync('sh', [scriptPath], {
        encoding: 'utf8',
        env: { ...process.env, KAFKA_BROKERS: env.KAFKA_BROKERS, TOPIC_COMMANDS: env.TOPIC_COMMANDS, ORDER_ID: orderId, COMMAND_ID: commandId },
      });
      expect(run.status, `kcat-create-order.sh failed:\n${run.stderr}`).toBe(0);

      const outcome = await waitFor(() => findOutcome(processor.db, commandId), 60_000, `outcome of ${commandId}`);
      expect(outcome).toMatchObject({ orderId, commandType: 'CreateOrder', status: 'applied', version: 1, correlationId: commandId });
      const order = await ordersCollection(processor.db).findOne({ _id: orderId });
      expect(order?.order).toMatchObject({ status: 'received', customerId: 'CUST-001', totalAmount: { amountMinor: 5998, currency: 'USD' } });

      const [command] = (await consumeAll(processor.kafka, env.TOPIC_COMMANDS!, 1, 'read_committed', 500)).filter((r) => r.key === orderId);
      expect(command?.headers).toMatchObject({ 'content-type': 'application/json', 'command-type': 'CreateOrder', 'correlation-id': commandId });
      const [outcomeRecord] = (await consumeAll(processor.kafka, env.TOPIC_OUTCOMES!, 1, 'read_committed', 500)).filter((r) => r.key === orderId);
      expect(await decodeOutcome(outcomeRecord!.value, schemaResolver(env.SCHEMA_REGISTRY_URL!))).toMatchObject({ commandId, status: 'applied' });
      // murmur2 in the example: the command sits in the partition our producers use for its key.
      expect(command!.partition).toBe(outcomeRecord!.partition);
    } finally {
      await processor.db.dropDatabase().catch(() => undefined);
      await processor.stop();
    }
  });
});
