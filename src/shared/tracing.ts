// OpenTelemetry traces (docs/tracing.md): one trace per command, from the edge's HTTP
// span through the Kafka record to the processor's batch and the records it writes. With
// no exporter endpoint no SDK is started: the API stays the no-op one and the callers
// make no spans (tracingEnabled()). The W3C trace context is propagated either way (the
// propagator needs no exporter): a caller's trace continues through us into the command
// record and the events it causes even when we record no spans of our own.
import { context, defaultTextMapSetter, propagation, trace, ROOT_CONTEXT, type Context, type Span, type SpanContext, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from './config.js';

export interface Tracing {
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

let provider: NodeTracerProvider | undefined;

/** Only traceparent/tracestate travel (no baggage): what the records' headers promise. Used directly, not through the global API, so it works with no SDK. */
const w3c = new W3CTraceContextPropagator();

/** Whether an SDK runs in this process; when false every span would be a no-op. */
export const tracingEnabled = (): boolean => provider !== undefined;

export const tracer = () => trace.getTracer('order-service');

function sampler(config: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Starts the SDK when an endpoint is configured: OTLP/HTTP (JSON) export in batches, the
 * W3C trace-context propagator, AsyncLocalStorage context. `defaultServiceName` when
 * OTEL_SERVICE_NAME is unset (`order-service-edge`, `order-service-processor`).
 */
export function startTracing(config: TracingConfig, defaultServiceName: string): Tracing {
  if (!config.tracesUrl || provider) return { shutdown: async () => undefined };
  const started = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName ?? defaultServiceName }),
    sampler: sampler(config),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }))],
  });
  started.register({ propagator: w3c });
  provider = started;
  return {
    async shutdown() {
      if (provider !== started) return;
      provider = undefined;
      await started.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** Headers as Kafka and Fastify hand them over: strings, Buffers, or lists of them. */
type HeaderBag = Record<string, unknown>;

const headerGetter: TextMapGetter<HeaderBag> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const v = carrier[key];
    const first = Array.isArray(v) ? v[0] : v;
    return first === undefined || first === null ? undefined : String(first);
  },
};

/** The context a record's or request's `traceparent` (and `tracestate`) names; ROOT_CONTEXT without a valid one. */
export const extractContext = (headers: HeaderBag | undefined): Context => (headers ? w3c.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT);

/** The remote span a record's headers name, if any (for span links). */
export const remoteSpanContext = (headers: HeaderBag | undefined): SpanContext | undefined => trace.getSpanContext(extractContext(headers));

/** `traceparent` (and `tracestate`) naming the span of `from`, for a record's headers; empty when it names none. */
export function traceHeaders(from: Span | Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  w3c.inject('spanContext' in from ? trace.setSpan(ROOT_CONTEXT, from) : from, carrier, defaultTextMapSetter);
  return carrier;
}

/** A record's or request's trace context, validated and written anew: what the records it causes carry when we trace nothing ourselves. */
export const passedOnTrace = (headers: HeaderBag | undefined): Record<string, string> => traceHeaders(extractContext(headers));
