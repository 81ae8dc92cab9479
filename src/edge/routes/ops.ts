// Operations endpoints: liveness, readiness (public), Prometheus metrics (an operations
// route: open unless AUTH_PROTECT_OPS). Access is declared per route (see auth.ts).
import type { FastifyInstance } from 'fastify';
import type { EdgeMetrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';

export function opsRoutes(app: FastifyInstance, deps: { readiness: Readiness; metrics: EdgeMetrics }): void {
  app.get('/health', { config: { access: 'public' }, schema: { summary: 'Liveness', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get(
    '/ready',
    { config: { access: 'public' }, schema: { summary: 'Readiness: Kafka, MongoDB, schema registry (503 when one fails); the outcome consumer only degrades it (200, status degraded)', tags: ['operations'] } },
    async (_request, reply) => {
      const report = await deps.readiness.check();
      return reply.code(report.ready ? 200 : 503).send({ status: report.status, checks: report.checks });
    },
  );

  app.get('/metrics', { config: { access: 'operations' }, schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
