// Operations endpoints: liveness, readiness, Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import type { EdgeMetrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';

export function opsRoutes(app: FastifyInstance, deps: { readiness: Readiness; metrics: EdgeMetrics }): void {
  app.get('/health', { schema: { summary: 'Liveness', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get(
    '/ready',
    { schema: { summary: 'Readiness: Kafka, MongoDB, schema registry (503 when one fails); the outcome consumer only degrades it (200, status degraded)', tags: ['operations'] } },
    async (_request, reply) => {
      const report = await deps.readiness.check();
      return reply.code(report.ready ? 200 : 503).send({ status: report.status, checks: report.checks });
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
