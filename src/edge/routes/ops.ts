// Operations endpoints: liveness, readiness (public), Prometheus metrics (an operations
// route: open unless AUTH_PROTECT_OPS). Access is declared per route (see auth.ts).
import type { FastifyInstance } from 'fastify';
import type { EdgeMetrics } from '../metrics.js';
import { ANY_REQUEST, HEADERS, answer, problems, useProblemSchema } from '../openapi.js';
import type { Readiness } from '../readiness.js';

const check = { type: 'object', properties: { ok: { type: 'boolean' }, essential: { type: 'boolean', enum: [false] }, detail: { type: 'string' } }, required: ['ok'] };
const report = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ready', 'degraded', 'not ready'] }, checks: { type: 'object', additionalProperties: check } },
  required: ['status', 'checks'],
};
const overloaded = problems(ANY_REQUEST);
// Retry-After comes with an overloaded edge's problem only, not with the not-ready report.
const { 'x-required': _always, ...retryAfter } = HEADERS['retry-after'];
const readyResponses = {
  ...overloaded,
  200: answer('Ready (status ready or degraded)', report),
  // Not ready answers the report; an overloaded edge answers a problem.
  503: {
    ...overloaded[503],
    description: `Not ready (the report), or ${String(overloaded[503]!.description)}`,
    headers: { ...(overloaded[503]!.headers as object), 'retry-after': retryAfter },
    content: { ...(overloaded[503]!.content as object), 'application/json': { schema: report } },
  },
};

export function opsRoutes(app: FastifyInstance, deps: { readiness: Readiness; metrics: EdgeMetrics }): void {
  useProblemSchema(app);
  app.get(
    '/health',
    { config: { access: 'public' }, schema: { operationId: 'health', summary: 'Liveness', tags: ['operations'], response: { 200: answer('Alive', { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] }), ...overloaded } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    { config: { access: 'public' }, schema: {
        operationId: 'ready',
        summary: 'Readiness: Kafka, MongoDB, schema registry (503 when one fails); the outcome consumer only degrades it (200, status degraded)',
        tags: ['operations'],
        response: readyResponses,
      },
    },
    async (_request, reply) => {
      const report = await deps.readiness.check();
      return reply.code(report.ready ? 200 : 503).send({ status: report.status, checks: report.checks });
    },
  );

  const metricsResponses = { 200: answer('Prometheus text exposition format', { type: 'string' }, [], 'text/plain'), ...overloaded };
  app.get('/metrics', { config: { access: 'operations' }, schema: { operationId: 'metrics', summary: 'Prometheus metrics', tags: ['operations'], response: metricsResponses } }, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
