// Prometheus metrics of one processor replica (own registry, served on /metrics).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createProcessorMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'order_processor_' });
  const registers = [registry];
  return {
    registry,
    commands: new Counter({ name: 'order_processor_commands_total', help: 'Command records handled, by command type and outcome (applied, rejected, duplicate, dead_lettered)', labelNames: ['type', 'outcome'], registers }),
    deadLetters: new Counter({ name: 'order_processor_dead_letters_total', help: 'Records sent to the dead-letter topic, by error code', labelNames: ['code'], registers }),
    latency: new Histogram({
      name: 'order_processor_latency_seconds',
      help: 'Command issuedAt to Kafka transaction committed',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    batchSize: new Histogram({ name: 'order_processor_batch_size', help: 'Records per processed batch', buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000], registers }),
    batchDuration: new Histogram({ name: 'order_processor_batch_duration_seconds', help: 'Time to process and commit one batch', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers }),
    rebalances: new Counter({ name: 'order_processor_rebalances_total', help: 'Partition assignments and revocations', labelNames: ['kind'], registers }),
    transactionAborts: new Counter({ name: 'order_processor_transaction_aborts_total', help: 'Kafka transactions aborted', registers }),
    batchRetries: new Counter({ name: 'order_processor_batch_retries_total', help: 'Batch attempts that failed, by error kind: outage (retried with backoff), conflict (another writer; read again), processing (isolated, then dead-lettered)', labelNames: ['kind'], registers }),
    lag: new Gauge({ name: 'order_processor_consumer_lag', help: 'Records of each assigned command partition not processed yet (transaction markers and aborted records do not count)', labelNames: ['partition'], registers }),
    cacheBytes: new Gauge({ name: 'order_processor_cache_bytes', help: 'BSON bytes of the order documents in the cache (bounded by PROCESSOR_CACHE_MAX_BYTES)', registers }),
    ready: new Gauge({ name: 'order_processor_ready', help: '1 when the processor is ready (consuming, not stalled, not retrying)', registers }),
  };
}

export type ProcessorMetrics = ReturnType<typeof createProcessorMetrics>;
