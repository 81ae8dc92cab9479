// Hands command records to Kafka and answers only after the broker acknowledged them
// (acks=all, idempotent producer) — or fails within the configured time (G5). In-flight
// produces are capped: beyond the cap the caller gets an error at once, so memory never
// grows with a stalled broker. A producer that cannot connect, or hit a fatal error, is
// replaced on a later send (kafka-connection.ts), so the process recovers by itself.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Context } from '@opentelemetry/api';
import { encodeCommandJson, type Command } from '../schemas/index.js';
import { createProducer, type Kafka, type Producer } from '../shared/kafka.js';
import type { Logger } from '../shared/logger.js';
import { traceHeaders, tracer, tracingEnabled } from '../shared/tracing.js';
import { edgeError } from './errors.js';
import { brokerProbe } from './broker-probe.js';
import { LazyConnection } from './kafka-connection.js';
import type { EdgeMetrics } from './metrics.js';

export interface CommandSender {
  /**
   * Resolves once Kafka acknowledged the record; rejects with a 503 edge error otherwise.
   * `parent`: the request's trace context; the record carries it on (as the parent of a
   * produce span when tracing is on, as it came when it is off).
   */
  send(command: Command, parent?: Context): Promise<void>;
  inFlight(): number;
  close(): Promise<void>;
}

export interface CommandSenderOptions {
  kafka: Kafka;
  /** Bootstrap brokers of `kafka`, for the reachability probe. */
  brokers: readonly string[];
  topic: string;
  timeoutMs: number;
  maxInFlight: number;
  metrics: EdgeMetrics;
  log: Logger;
}

export function createCommandSender(opts: CommandSenderOptions): CommandSender {
  const { kafka, brokers, topic, timeoutMs, maxInFlight, metrics, log } = opts;
  let inFlight = 0;
  let closed = false;
  // The record gives up about when the caller does, so a 503 rarely hides a late delivery.
  // Every send is awaited by an HTTP request: linger 1 ms measured best on bench:edge at 32
  // connections (≈6200 req/s, p50 4 ms; 5 ms: ≈5000 req/s, p50 6 ms; 0 ms: ≈3000 req/s).
  const connection = new LazyConnection<Producer>(
    () => createProducer(kafka, { messageTimeoutMs: timeoutMs, lingerMs: 1 }),
    brokerProbe(brokers),
    (err) => log.warn({ err: err.message }, 'Kafka producer could not connect; the next command retries'),
  );

  const produce = async (command: Command, parent: Context): Promise<void> => {
    // A child of the request's span; its traceparent rides in the record (tracing off: the caller's).
    const span = tracingEnabled()
      ? tracer().startSpan(`send ${topic}`, {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': topic,
            'messaging.kafka.message.key': command.orderId,
            'command.id': command.commandId,
            'command.type': command.type,
          },
        }, parent)
      : undefined;
    try {
      const producer = await connection.get();
      await producer.send({
        topic,
        messages: [
          {
            key: command.orderId,
            value: encodeCommandJson(command),
            headers: { 'content-type': 'application/json', 'command-type': command.type, 'correlation-id': command.correlationId, ...traceHeaders(span ?? parent) },
          },
        ],
      });
    } catch (err) {
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      if ((err as { fatal?: boolean }).fatal) {
        log.error({ err: (err as Error).message }, 'Kafka producer hit a fatal error; replacing it');
        connection.drop();
      }
      throw err;
    } finally {
      span?.end();
    }
  };

  return {
    inFlight: () => inFlight,
    async send(command, parent = ROOT_CONTEXT) {
      if (closed) throw edgeError('KAFKA_UNAVAILABLE', 'shutting down');
      if (inFlight >= maxInFlight) {
        metrics.produceErrors.inc({ reason: 'saturated' });
        throw edgeError('PRODUCER_SATURATED');
      }
      inFlight++;
      metrics.produceInFlight.set(inFlight);
      // The slot stays taken until Kafka settles the record, not when the caller gives up.
      const work = produce(command, parent).finally(() => {
        inFlight--;
        metrics.produceInFlight.set(inFlight);
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no acknowledgement within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([work, timeout]);
        metrics.commandsProduced.inc({ type: command.type });
      } catch (err) {
        work.catch(() => undefined);
        const reason = (err as Error).message ?? 'unknown';
        metrics.produceErrors.inc({ reason: /acknowledgement within/.test(reason) ? 'timeout' : /^Kafka unreachable/.test(reason) ? 'unreachable' : 'broker' });
        log.warn({ err: reason, correlationId: command.correlationId, commandId: command.commandId, orderId: command.orderId }, 'command not acknowledged by Kafka');
        throw edgeError('KAFKA_UNAVAILABLE', reason.slice(0, 200));
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closed = true;
      await connection.close();
    },
  };
}

/** A sender that acknowledges at once without Kafka: the benchmark's ceiling. */
export const nullCommandSender = (): CommandSender => ({ send: async () => undefined, inFlight: () => 0, close: async () => undefined });
