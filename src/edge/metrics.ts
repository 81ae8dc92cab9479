// Prometheus metrics of one edge instance, on its own registry (several edges may share a
// process in tests and benchmarks without clashing).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface EdgeMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  commandsProduced: Counter<'type'>;
  produceErrors: Counter<'reason'>;
  produceInFlight: Gauge;
  outcomeWaiters: Gauge;
  waitsRefused: Counter;
  outcomeRecords: Counter<'result'>;
}

export function createEdgeMetrics(opts: { defaultMetrics?: boolean } = {}): EdgeMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    commandsProduced: new Counter({
      name: 'edge_commands_produced_total',
      help: 'Commands acknowledged by Kafka, by command type',
      labelNames: ['type'],
      registers: [registry],
    }),
    produceErrors: new Counter({
      name: 'edge_produce_errors_total',
      help: 'Commands not acknowledged by Kafka (timeout, broker error, saturated)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    produceInFlight: new Gauge({
      name: 'edge_producer_in_flight',
      help: 'Commands handed to the producer and not yet acknowledged (the producer queue depth as the edge sees it; capped)',
      registers: [registry],
    }),
    outcomeWaiters: new Gauge({
      name: 'edge_outcome_waiters',
      help: 'Requests waiting for a command outcome (Prefer: wait)',
      registers: [registry],
    }),
    waitsRefused: new Counter({
      name: 'edge_outcome_waits_refused_total',
      help: 'Prefer: wait requests answered 202 at once because EDGE_MAX_WAITERS requests were already waiting',
      registers: [registry],
    }),
    outcomeRecords: new Counter({
      name: 'edge_outcome_records_total',
      help: 'Outcome records read: decoded (a request waits for its order) or skipped by key without decoding',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}
