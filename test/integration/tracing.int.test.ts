// Traces on the real stack (docs/tracing.md): a real edge (this process) and a real
// processor (its own process) export to a real OTLP/HTTP receiver; one request is one
// trace from the edge's server span to the processor's MongoDB write and Kafka
// transaction, and the records in between carry traceparents naming the right spans.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCommandJson, type Command } from '../../src/schemas/index.js';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka, createProducer, ensureTopics, type Producer } from '../../src/shared/kafka.js';
import { createLogger } from '../../src/shared/logger.js';
import { startTracing, type Tracing } from '../../src/shared/tracing.js';
import { createOrder, waitFor } from '../support/commands.js';
import { SEED_CREATE_BODY, json, startEdge, untilReady, type EdgeHarness } from '../support/edge-harness.js';
import { consumeAll, type Seen } from '../support/kafka-read.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { exited, replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

describe('tracing: one trace from the HTTP request to the event', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let edge: EdgeHarness;
  let replica: ReplicaProcess;
  let producer: Producer;
  const logLines: Array<Record<string, unknown>> = [];
  let env: Record<string, string>;
  const backlog = Array.from({ length: 40 }, () => ({
    command: createOrder(`ORD-TRACE-${randomBytes(4).toString('hex')}`),
    parent: { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') },
  }));

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    env = { ...isolatedEnv('tracing', 2), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    // A backlog of commands, each from another producer trace, written before the
    // processor runs, so that it reaches the processor in batches of many records.
    const kafka = createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: 'tracing-test' });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [env.TOPIC_COMMANDS!, env.TOPIC_EVENTS!, env.TOPIC_OUTCOMES!, env.TOPIC_DLQ!].map((topic) => ({ topic, numPartitions: 2 })));
    await admin.disconnect();
    const backlogProducer = createProducer(kafka);
    await backlogProducer.connect();
    await backlogProducer.send({
      topic: env.TOPIC_COMMANDS!,
      messages: backlog.map(({ command: c, parent }) => ({ key: c.orderId, value: encodeCommandJson(c), headers: { traceparent: `00-${parent.traceId}-${parent.spanId}-01` } })),
    });
    await backlogProducer.disconnect();
    replica = await spawnReplica(env);
    await waitFor(async () => (await replicaReadiness(replica))?.status === 200, 60_000, 'processor ready');
    // The backlog done first, so that the tests' own commands come in batches of their own.
    for (const { parent } of backlog) await processorSpans(reaching(parent), 60_000);
    tracing = startTracing(loadConfig(env).tracing, 'order-service-edge');
    const logs = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    edge = await startEdge({ env, createTopics: false, deps: { logger: createLogger('order-service-edge', 'info', logs) } });
    await untilReady(edge.base);
    producer = createProducer(edge.kafka);
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await edge?.close();
    await tracing?.shutdown();
    replica?.child.kill('SIGTERM');
    if (replica) await exited(replica.child);
    await receiver?.close();
  });

  const spansOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
  const one = (spans: ReceivedSpan[], match: (s: ReceivedSpan) => boolean, what: string): ReceivedSpan => {
    const found = spans.filter(match);
    if (found.length !== 1) throw new Error(`${found.length} spans for ${what}: ${JSON.stringify(spans.map((s) => [s.service, s.name, s.spanId, s.parentSpanId]))}`);
    return found[0]!;
  };
  /** The processor's batch span and its two children, once all three arrived. */
  const processorSpans = (match: (s: ReceivedSpan) => boolean, timeoutMs = 30_000) =>
    waitFor(
      async () => {
        const batch = receiver.spans.find((s) => s.service === 'order-service-processor' && s.kind === CONSUMER && match(s));
        if (!batch) return undefined;
        const children = receiver.spans.filter((s) => s.parentSpanId === batch.spanId && s.traceId === batch.traceId);
        const write = children.find((s) => s.name === 'mongodb write');
        const transaction = children.find((s) => s.name === 'kafka transaction');
        return write && transaction ? { batch, write, transaction } : undefined;
      },
      timeoutMs,
      'processor spans',
    );
  /** A processor span that is a child of `p` or links to it. */
  const reaching = (p: { traceId: string; spanId: string }) => (s: ReceivedSpan) =>
    (s.traceId === p.traceId && s.parentSpanId === p.spanId) || s.links.some((l) => l.traceId === p.traceId && l.spanId === p.spanId);
  const recordsOf = async (topic: string, orderIds: string[]): Promise<Seen[]> => {
    const all = await consumeAll(edge.kafka, topic, 1, 'read_committed', 1500);
    return all.filter((r) => orderIds.includes(r.key));
  };
  const traceparent = (s: ReceivedSpan) => `00-${s.traceId}-${s.spanId}-01`;
  const sendCommand = (c: Command, headers: Record<string, string> = {}) =>
    producer.send({ topic: env.TOPIC_COMMANDS!, messages: [{ key: c.orderId, value: encodeCommandJson(c), headers }] });

  it('links edge server span → produce span → processor span → MongoDB write and Kafka transaction, and the records name them', async () => {
    const res = await fetch(`${edge.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { prefer: 'wait=10', 'x-correlation-id': 'trace-corr-1' }));
    expect(res.status).toBe(201);
    const { orderId } = (await res.json()) as { orderId: string };

    const server = await waitFor(async () => receiver.spans.find((s) => s.service === 'order-service-edge' && s.kind === SERVER && s.attributes['order.id'] === orderId), 30_000, 'edge server span');
    expect(server).toMatchObject({ name: 'POST /api/v1/orders', parentSpanId: '' });
    const trace = spansOf(server.traceId);
    const produce = one(trace, (s) => s.kind === PRODUCER, 'the produce span');
    expect(produce).toMatchObject({ service: 'order-service-edge', parentSpanId: server.spanId, name: `send ${env.TOPIC_COMMANDS}` });

    // One command in the batch: the processor's span is a child of the produce span.
    const { batch, write, transaction } = await processorSpans((s) => s.traceId === server.traceId);
    expect(batch).toMatchObject({ parentSpanId: produce.spanId, name: `process ${env.TOPIC_COMMANDS}`, links: [] });
    expect(batch.attributes).toMatchObject({ 'order.id': orderId, 'correlation.id': 'trace-corr-1' });
    expect([write.service, transaction.service]).toEqual(['order-service-processor', 'order-service-processor']);

    // The command record names the produce span; the event (CloudEvents extension and
    // plain W3C header) and the outcome name the processor's span.
    const [commandRecord] = await recordsOf(env.TOPIC_COMMANDS!, [orderId]);
    expect(commandRecord!.headers.traceparent).toBe(traceparent(produce));
    const [event] = await recordsOf(env.TOPIC_EVENTS!, [orderId]);
    expect(event!.headers).toMatchObject({ ce_traceparent: traceparent(batch), traceparent: traceparent(batch) });
    const [outcome] = await recordsOf(env.TOPIC_OUTCOMES!, [orderId]);
    expect(outcome!.headers.traceparent).toBe(traceparent(batch));

    // Correlation id, trace id and command id on one log line.
    const ack = logLines.find((l) => l.msg === 'command acknowledged by Kafka' && l.orderId === orderId);
    expect(ack).toMatchObject({ correlationId: 'trace-corr-1', traceId: server.traceId, commandId: server.attributes['command.id'] });
  }, 90_000);

  it("continues a caller's traceparent: the server span joins the caller's trace, and so do the command, event and outcome", async () => {
    const callerTrace = randomBytes(16).toString('hex');
    const res = await fetch(`${edge.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY, { prefer: 'wait=10', traceparent: `00-${callerTrace}-${randomBytes(8).toString('hex')}-01` }));
    expect(res.status).toBe(201);
    const { orderId } = (await res.json()) as { orderId: string };
    const traceIdOf = (r: Seen | undefined, header = 'traceparent') => r?.headers[header]?.split('-')[1];
    expect(traceIdOf((await recordsOf(env.TOPIC_COMMANDS!, [orderId]))[0])).toBe(callerTrace);
    const [event] = await recordsOf(env.TOPIC_EVENTS!, [orderId]);
    expect([traceIdOf(event), traceIdOf(event, 'ce_traceparent')]).toEqual([callerTrace, callerTrace]);
    expect(traceIdOf((await recordsOf(env.TOPIC_OUTCOMES!, [orderId]))[0])).toBe(callerTrace);
  }, 60_000);

  it('continues the trace of a command written straight to Kafka with a traceparent, and starts one without', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const joined = createOrder(`ORD-TRACE-${randomBytes(4).toString('hex')}`);
    await sendCommand(joined, { traceparent: `00-${traceId}-${parentId}-01` });
    const { batch } = await processorSpans((s) => s.traceId === traceId);
    expect(batch.parentSpanId).toBe(parentId);
    const [event] = await recordsOf(env.TOPIC_EVENTS!, [joined.orderId]);
    expect(event!.headers.ce_traceparent).toBe(traceparent(batch));

    const untraced = createOrder(`ORD-TRACE-${randomBytes(4).toString('hex')}`);
    await sendCommand(untraced);
    const fresh = await processorSpans((s) => s.attributes['order.id'] === untraced.orderId);
    expect(fresh.batch.parentSpanId).toBe('');
    const [freshEvent] = await recordsOf(env.TOPIC_EVENTS!, [untraced.orderId]);
    expect(freshEvent!.headers.ce_traceparent).toBe(traceparent(fresh.batch));
  }, 90_000);

  it('links a span over a batch of many records to each record\'s trace, and reaches every producer trace', async () => {
    // The backlog written before the processor started; the consumer hands over a few
    // records first and then larger batches (its fetch grows), so both kinds occur.
    // (beforeAll waited until every record's trace was reached.)
    const { batch, write, transaction } = await processorSpans((s) => s.links.length > 1);
    expect(batch.parentSpanId).toBe('');
    expect(batch.attributes['messaging.batch.message_count']).toBe(batch.links.length);
    expect([write.traceId, transaction.traceId]).toEqual([batch.traceId, batch.traceId]);
    const linked = backlog.filter(({ parent }) => batch.links.some((l) => l.spanId === parent.spanId)).map(({ command: c }) => c.orderId);
    expect(linked).toHaveLength(batch.links.length);
    const events = await recordsOf(env.TOPIC_EVENTS!, linked);
    expect(events.map((e) => e.headers.ce_traceparent)).toEqual(linked.map(() => traceparent(batch)));
  }, 90_000);
});
