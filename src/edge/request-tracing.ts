// The edge's server span per API request (docs/tracing.md): a caller's `traceparent`
// is continued, the span is ended when the answer is sent. Two hooks rather than
// @fastify/otel: that plugin rides on the instrumentation framework (require hooks,
// @opentelemetry/instrumentation) for what is a start and an end here. Fastify runs
// body parsing outside any async context we could enter, so the span travels on the
// request (requestContext) rather than in AsyncLocalStorage.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extractContext, tracer } from '../shared/tracing.js';

const spans = new WeakMap<FastifyRequest, Span>();

/** Probes and scrapes (/health, /ready, /metrics, /docs) would bury the API's traces. */
const traced = (url: string): boolean => url.startsWith('/api/');

export function registerRequestTracing(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!traced(request.url)) return;
    const route = request.routeOptions.url;
    const span = tracer().startSpan(
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_PATH]: request.url.split('?')[0], ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}), 'correlation.id': String(request.id) },
      },
      extractContext(request.headers),
    );
    spans.set(request, span);
    // Every later log line of the request carries the trace next to its correlationId.
    request.log = request.log.child({ traceId: span.spanContext().traceId });
    reply.log = request.log;
  });
  const end = async (request: FastifyRequest, status: number | undefined) => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status === undefined || status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, ...(status === undefined ? { message: 'client aborted' } : {}) });
    span.end();
  };
  app.addHook('onResponse', (request, reply) => end(request, reply.statusCode));
  app.addHook('onRequestAbort', (request) => end(request, undefined));
}

/** The context holding a request's server span, for its produce; with tracing off, the caller's own (its traceparent). */
export const requestContext = (request: FastifyRequest): Context => {
  const span = spans.get(request);
  return span ? trace.setSpan(ROOT_CONTEXT, span) : extractContext(request.headers);
};

/** Command attributes on the request's span, so a trace search by commandId or orderId finds it. */
export function annotateRequest(request: FastifyRequest, attributes: Record<string, string>): void {
  spans.get(request)?.setAttributes(attributes);
}
