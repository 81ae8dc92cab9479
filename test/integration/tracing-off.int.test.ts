// Regression (issue 20): with no OTLP endpoint configured, a request's `traceparent` was
// dropped: the command record and the events it caused carried no trace context, so the
// caller's trace ended at our door. Propagation needs no exporter: with tracing off the
// command record carries the caller's traceparent as it came, and its event and outcome
// carry it on (the processor records no span of its own to put in between). A record
// written straight to Kafka with a traceparent is continued the same way; an invalid one
// is not passed on. (Tracing on: tracing.int.test.ts.)
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCommandJson } from '../../src/schemas/index.js';
import { createProducer } from '../../src/shared/kafka.js';
import { tracingEnabled } from '../../src/shared/tracing.js';
import { createOrder, waitFor } from '../support/commands.js';
import { SEED_CREATE_BODY, json, startEdgeAndProcessor, type EdgeAndProcessor } from '../support/edge-harness.js';
import { consumeAll, type Seen } from '../support/kafka-read.js';
import { isolatedEnv } from '../support/processor-harness.js';

const traceparentOf = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

describe('trace context with tracing off (no OTLP endpoint)', () => {
  let service: EdgeAndProcessor;
  const env = isolatedEnv('trace-off', 2);
  beforeAll(async () => {
    service = await startEdgeAndProcessor(env);
  });
  afterAll(async () => {
    await service?.stop();
  });

  const recordsOf = async (topic: string, orderId: string): Promise<Seen[]> =>
    waitFor(async () => {
      const found = (await consumeAll(service.edge.kafka, topic, 1, 'read_committed', 1000)).filter((r) => r.key === orderId);
      return found.length > 0 ? found : undefined;
    }, 30_000, `records of ${orderId} in ${topic}`);

  it('no SDK runs in this process', () => {
    expect(tracingEnabled()).toBe(false);
  });

  it("an HTTP caller's traceparent reaches the command record, the event and the outcome", async () => {
    const traceparent = traceparentOf();
    const res = await fetch(`${service.edge.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { prefer: 'wait=20', traceparent, tracestate: 'vendor=1' }));
    expect(res.status).toBe(201);
    const { orderId } = (await res.json()) as { orderId: string };
    const [command] = await recordsOf(env.TOPIC_COMMANDS!, orderId);
    expect(command!.headers).toMatchObject({ traceparent, tracestate: 'vendor=1' });
    const [event] = await recordsOf(env.TOPIC_EVENTS!, orderId);
    expect(event!.headers).toMatchObject({ traceparent, ce_traceparent: traceparent, tracestate: 'vendor=1' });
    const [outcome] = await recordsOf(env.TOPIC_OUTCOMES!, orderId);
    expect(outcome!.headers.traceparent).toBe(traceparent);
  }, 60_000);

  it("a direct producer's traceparent is carried on; an invalid one is not", async () => {
    const producer = createProducer(service.edge.kafka);
    await producer.connect();
    const traceparent = traceparentOf();
    const joined = createOrder(`ORD-${randomBytes(4).toString('hex')}`);
    const invalid = createOrder(`ORD-${randomBytes(4).toString('hex')}`);
    await producer.send({
      topic: env.TOPIC_COMMANDS!,
      messages: [
        { key: joined.orderId, value: encodeCommandJson(joined), headers: { traceparent } },
        { key: invalid.orderId, value: encodeCommandJson(invalid), headers: { traceparent: '00-not-a-trace-01' } },
      ],
    });
    await producer.disconnect();
    expect((await recordsOf(env.TOPIC_EVENTS!, joined.orderId))[0]!.headers.ce_traceparent).toBe(traceparent);
    const [event] = await recordsOf(env.TOPIC_EVENTS!, invalid.orderId);
    expect(event!.headers.traceparent).toBeUndefined();
    expect(event!.headers.ce_traceparent).toBeUndefined();
  }, 60_000);
});
