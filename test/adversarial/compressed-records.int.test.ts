// Producer habit: compressed record batches and repeated header names (issue 21, "Also").
// Producers in other languages compress by default (Java's `compression.type`, Sarama,
// franz-go, kcat -z) and some write one header name several times (tracing baggage,
// routing hops). Each codec Kafka knows must be read like an uncompressed batch, and a
// dead letter must keep every value of a repeated header — the original record, as
// written — not only the first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '../../src/processor/messages.js';
import { encodeCommandJson } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { createOrder, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { uniqueName } from '../support/stack-env.js';

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;

describe('records from producers that compress, with repeated header names', () => {
  const env = isolatedEnv('compressed', 2);
  let p: RunningProcessor;
  beforeAll(async () => {
    p = await startProcessor(env);
  });
  afterAll(async () => {
    await p?.stop();
  });

  for (const codec of CODECS) {
    it(`${codec}: applies every command and dead-letters a poison record with its original bytes and every header value`, async () => {
      const producer = createProducer(p.kafka, { librdkafka: { 'compression.type': codec, 'linger.ms': 20 } });
      await producer.connect();
      const creates = Array.from({ length: 20 }, () => createOrder(uniqueName(`ORD-${codec}`)));
      const poisonKey = uniqueName(`ORD-${codec}-poison`);
      const poison = Buffer.from(`{"type":"CreateOrder","orderId":"${poisonKey}",`); // cut short: not JSON
      await producer.send({
        topic: env.TOPIC_COMMANDS!,
        messages: [
          ...creates.map((c) => ({ key: c.orderId, value: encodeCommandJson(c), headers: { hop: ['edge-a', 'edge-b'] } })),
          { key: poisonKey, value: poison, headers: { hop: ['gateway', 'router', 'gateway'], team: 'pricing' } },
        ],
      });
      await producer.disconnect();

      for (const c of creates) expect((await waitFor(() => findOutcome(p.db, c.commandId), 60_000, `outcome of ${c.orderId}`)).status).toBe('applied');
      const letters = await consumeAll(p.kafka, env.TOPIC_DLQ!, 1, 'read_committed', 1000);
      const letter = letters.find((l) => l.key === poisonKey);
      expect(letter, 'the poison record is dead-lettered').toBeDefined();
      expect(letter!.value.equals(poison)).toBe(true);
      expect(letter!.allHeaders.hop).toEqual(['gateway', 'router', 'gateway']);
      expect(letter!.allHeaders.team).toEqual(['pricing']);
      expect(letter!.headers[DLQ_HEADERS.errorCode]).toBe('MALFORMED');
    }, 90_000);
  }
});
