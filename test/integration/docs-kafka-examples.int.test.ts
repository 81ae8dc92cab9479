// The examples of docs/kafka-commands.md and docs/kafka-events.md are shown verbatim and
// work against the real stack: docs/examples/produce-avro.ts writes an Avro CreateOrder a real processor
// applies, docs/examples/consume-events.ts and the kcat line read back its OrderReceived.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { runCli } from '../support/cli-process.js';
import { waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { markedBlocks, readDoc } from '../support/doc-blocks.js';
import { uniqueName } from '../support/stack-env.js';

const example = (name: string) => fileURLToPath(new URL(`../../docs/examples/${name}`, import.meta.url));
const COMMANDS_PAGE = 'docs/kafka-commands.md';
const EVENTS_PAGE = 'docs/kafka-events.md';
const oneBlock = (page: string, marker: string): string => {
  const blocks = markedBlocks(readDoc(page), marker);
  expect(blocks, `one fenced block after <!-- ${marker} --> in ${page}`).toHaveLength(1);
  return blocks[0]!;
};
/** Runs a command to its end; resolves with its exit code and interleaved output. */
async function run(command: string, args: string[], env: Record<string, string>) {
  const child = runCli(command, args, { env: { ...process.env, ...env } });
  const { code } = await child.exited;
  return { code, out: child.output() };
}

describe('docs: talking to Kafka directly', () => {
  it('shows docs/examples/produce-avro.ts and consume-events.ts verbatim after their markers', () => {
    expect(oneBlock(COMMANDS_PAGE, 'example: produce-avro')).toBe(readFileSync(example('produce-avro.ts'), 'utf8').trimEnd());
    expect(oneBlock(EVENTS_PAGE, 'example: consume-events')).toBe(readFileSync(example('consume-events.ts'), 'utf8').trimEnd());
  });

  describe('against a real processor', () => {
    const env = isolatedEnv('kafka-examples', 3);
    const endpoints = { KAFKA_BROKERS: env.KAFKA_BROKERS!, SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL!, TOPIC_COMMANDS: env.TOPIC_COMMANDS!, TOPIC_EVENTS: env.TOPIC_EVENTS! };
    const orderId = uniqueName('ORD-AVRO');
    let processor: RunningProcessor;

    beforeAll(async () => {
      processor = await startProcessor(env);
    });
    afterAll(async () => {
      await processor?.db.dropDatabase().catch(() => undefined);
      await processor?.stop();
    });

    it('produce-avro.ts: the Avro CreateOrder is applied and stored', async () => {
      const produced = await run('npx', ['tsx', example('produce-avro.ts')], { ...endpoints, ORDER_ID: orderId });
      expect(produced.code, `produce-avro.ts failed:\n${produced.out}`).toBe(0);
      const commandId = new RegExp(`CreateOrder (\\S+) for ${orderId} written to ${env.TOPIC_COMMANDS}`).exec(produced.out)?.[1];
      expect(commandId, produced.out).toBeDefined();

      const outcome = await waitFor(() => findOutcome(processor.db, commandId!), 60_000, `outcome of ${commandId}`);
      expect(outcome).toMatchObject({ orderId, commandType: 'CreateOrder', status: 'applied', version: 1 });
      const order = await ordersCollection(processor.db).findOne({ _id: orderId });
      expect(order?.order).toMatchObject({ status: 'received', customerId: 'CUST-001', totalAmount: { amountMinor: 5998, currency: 'USD' } });
      // Confluent wire format on the topic, keyed by the orderId.
      const [record] = (await consumeAll(processor.kafka, env.TOPIC_COMMANDS!, 1, 'read_committed', 500)).filter((r) => r.key === orderId);
      expect(record?.value[0]).toBe(0);
      expect(record?.headers).toMatchObject({ 'content-type': 'application/avro', 'command-type': 'CreateOrder', 'correlation-id': commandId });
    });

    it('consume-events.ts prints the OrderReceived of that order', async () => {
      const consumed = await run('npx', ['tsx', example('consume-events.ts')], { ...endpoints, MAX_EVENTS: '1', GROUP_ID: `consume-events-${randomUUID()}` });
      expect(consumed.code, `consume-events.ts failed:\n${consumed.out}`).toBe(0);
      expect(consumed.out).toContain(`wms.order.received ${orderId} 1\n`);
    });

    it("the kcat line (Debian's kcat, no Avro) shows the event's key and CloudEvents headers", async () => {
      const kcat = await run('sh', ['-c', oneBlock(EVENTS_PAGE, 'example: kcat-consume-events')], endpoints);
      expect(kcat.code, `kcat failed (apt-get install kcat; npm test installs it as root):\n${kcat.out}`).toBe(0);
      expect(kcat.out).toMatch(new RegExp(`^${orderId} .*ce_type=wms\\.order\\.received`, 'm'));
    });

    it('the Avro-decoding kcat line: decodes where kcat has Avro support, and the page says where it has not', async () => {
      const kcat = await run('sh', ['-c', oneBlock(EVENTS_PAGE, 'example: kcat-consume-avro')], { ...endpoints, SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL! });
      if (/lacks Avro\/Schema-Registry support/.test(kcat.out)) {
        expect(readDoc(EVENTS_PAGE)).toContain("Debian's kcat is built without Avro support");
      } else {
        expect(kcat.code, kcat.out).toBe(0);
        expect(kcat.out).toMatch(new RegExp(`^${orderId} \\{.*"orderId": ?"${orderId}"`, 'm'));
      }
    });
  });
});
