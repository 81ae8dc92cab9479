// Regression (issue 21, item 7): GET /api/v1/commands/{id} of a command the processor
// dead-lettered said "pending" forever — a client polling it never learnt that its command
// will not be applied. Now it says `dead_lettered` with the dead letter's code, for every
// dead letter whose commandId could be read: a record keyed by something else than its
// orderId (KEY_MISMATCH), and a command that fails processing (PROCESSING_FAILED).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCommandJson } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { createOrder, waitFor } from '../support/commands.js';
import { startEdgeAndProcessor, type EdgeAndProcessor } from '../support/edge-harness.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { uniqueName } from '../support/stack-env.js';

describe('GET /api/v1/commands/{id} of a dead-lettered command', () => {
  const failing = createOrder(uniqueName('ORD-dl-fails'));
  const env: Record<string, string> = { ...isolatedEnv('dl-status', 1), ORDER_SERVICE_FAILPOINTS: `plan=throw@${failing.commandId}` };
  let s: EdgeAndProcessor;
  beforeAll(async () => {
    s = await startEdgeAndProcessor(env);
  });
  afterAll(async () => {
    await s?.stop();
  });

  const statusOf = async (commandId: string) => (await (await fetch(`${s.edge.base}/api/v1/commands/${commandId}`)).json()) as Record<string, unknown>;

  it('says dead_lettered with the code, instead of pending forever', async () => {
    const mismatched = createOrder(uniqueName('ORD-dl-key'));
    const applied = createOrder(uniqueName('ORD-dl-ok'));
    const producer = createProducer(s.processor.kafka);
    await producer.connect();
    await producer.send({
      topic: env.TOPIC_COMMANDS!,
      messages: [
        { key: 'SOMETHING-ELSE', value: encodeCommandJson(mismatched) },
        { key: failing.orderId, value: encodeCommandJson(failing) },
        { key: applied.orderId, value: encodeCommandJson(applied) },
      ],
    });
    await producer.disconnect();

    await waitFor(async () => (await statusOf(applied.commandId)).status === 'applied', 60_000, 'the healthy command applied');
    expect(await waitFor(async () => ((await statusOf(mismatched.commandId)).status === 'dead_lettered' ? statusOf(mismatched.commandId) : undefined), 30_000, 'KEY_MISMATCH status'))
      .toMatchObject({ commandId: mismatched.commandId, orderId: mismatched.orderId, status: 'dead_lettered', code: 'KEY_MISMATCH' });
    expect(await waitFor(async () => ((await statusOf(failing.commandId)).status === 'dead_lettered' ? statusOf(failing.commandId) : undefined), 30_000, 'PROCESSING_FAILED status'))
      .toMatchObject({ commandId: failing.commandId, orderId: failing.orderId, status: 'dead_lettered', code: 'PROCESSING_FAILED' });
    expect((await statusOf(randomUUID())).status).toBe('pending');
  }, 120_000);
});
