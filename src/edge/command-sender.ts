// Hands command records to Kafka and answers only after the broker acknowledged them
// (acks=all, idempotent producer) — or fails within the configured time (G5). In-flight
// produces are capped: beyond the cap the caller gets an error at once, so memory never
// grows with a stalled broker. librdkafka reconnects by itself once connected; a producer
// that never connected, or hit a fatal error, is dropped and the next send makes a new one.
import { encodeCommandJson, type Command } from '../schemas/index.js';
import { createProducer, type Kafka, type Producer } from '../shared/kafka.js';
import type { Logger } from '../shared/logger.js';
import { edgeError } from './errors.js';
import type { EdgeMetrics } from './metrics.js';

export interface CommandSender {
  /** Resolves once Kafka acknowledged the record; rejects with a 503 edge error otherwise. */
  send(command: Command): Promise<void>;
  inFlight(): number;
  close(): Promise<void>;
}

export interface CommandSenderOptions {
  kafka: Kafka;
  topic: string;
  timeoutMs: number;
  maxInFlight: number;
  metrics: EdgeMetrics;
  log: Logger;
}

export function createCommandSender(opts: CommandSenderOptions): CommandSender {
  const { kafka, topic, timeoutMs, maxInFlight, metrics, log } = opts;
  let connecting: Promise<Producer> | undefined;
  let inFlight = 0;
  let closed = false;

  const drop = (p: Promise<Producer>) => {
    if (connecting !== p) return;
    connecting = undefined;
    void p.then((producer) => producer.disconnect()).catch(() => undefined);
  };

  const producer = (): Promise<Producer> => {
    if (!connecting) {
      // The record gives up about when the caller does, so a 503 rarely hides a late delivery.
      const created = createProducer(kafka, { messageTimeoutMs: timeoutMs });
      const p: Promise<Producer> = created.connect().then(() => created);
      connecting = p;
      p.catch((err: Error) => {
        log.warn({ err: err.message }, 'Kafka producer could not connect; the next command retries');
        drop(p);
      });
    }
    return connecting;
  };

  const produce = async (command: Command): Promise<void> => {
    const p = producer();
    const ready = await p;
    try {
      await ready.send({
        topic,
        messages: [
          {
            key: command.orderId,
            value: encodeCommandJson(command),
            headers: { 'content-type': 'application/json', 'command-type': command.type, 'correlation-id': command.correlationId },
          },
        ],
      });
    } catch (err) {
      if ((err as { fatal?: boolean }).fatal) {
        log.error({ err: (err as Error).message }, 'Kafka producer hit a fatal error; replacing it');
        drop(p);
      }
      throw err;
    }
  };

  return {
    inFlight: () => inFlight,
    async send(command) {
      if (closed) throw edgeError('KAFKA_UNAVAILABLE', 'shutting down');
      if (inFlight >= maxInFlight) {
        metrics.produceErrors.inc({ reason: 'saturated' });
        throw edgeError('PRODUCER_SATURATED');
      }
      inFlight++;
      metrics.produceInFlight.set(inFlight);
      // The slot stays taken until Kafka settles the record, not when the caller gives up.
      const work = produce(command).finally(() => {
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
        metrics.produceErrors.inc({ reason: /acknowledgement within/.test(reason) ? 'timeout' : 'broker' });
        log.warn({ err: reason, commandId: command.commandId, orderId: command.orderId }, 'command not acknowledged by Kafka');
        throw edgeError('KAFKA_UNAVAILABLE', reason.slice(0, 200));
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closed = true;
      const p = connecting;
      connecting = undefined;
      if (p) await p.then((producer) => producer.disconnect()).catch(() => undefined);
    },
  };
}

/** A sender that acknowledges at once without Kafka: the benchmark's ceiling. */
export const nullCommandSender = (): CommandSender => ({ send: async () => undefined, inFlight: () => 0, close: async () => undefined });
