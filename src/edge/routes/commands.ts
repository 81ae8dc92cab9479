// The commands resource: what became of a command (pending | applied | rejected).
import type { FastifyInstance } from 'fastify';
import { findOutcome } from '../../shared/outcomes-collection.js';
import { commandIdParams, commandStatusResponses } from '../route-schemas.js';
import { useProblemSchema } from '../openapi.js';
import type { EdgeContext } from '../submission.js';

export function commandsRoutes(app: FastifyInstance, ctx: EdgeContext): void {
  useProblemSchema(app);
  app.get<{ Params: { commandId: string } }>(
    '/api/v1/commands/:commandId',
    {
      schema: {
        operationId: 'getCommand',
        summary: 'Status of a command: pending until the processor recorded its outcome',
        tags: ['commands'],
        params: commandIdParams,
        response: commandStatusResponses,
      },
    },
    async (request) => {
      const { commandId } = request.params;
      const outcome = await ctx.database((db) => findOutcome(db, commandId));
      // Unknown ids are "pending" too: a direct Kafka producer may ask before the processor got to it.
      if (!outcome) return { commandId, status: 'pending' };
      return {
        commandId: outcome.commandId,
        orderId: outcome.orderId,
        commandType: outcome.commandType,
        status: outcome.status,
        ...(outcome.code ? { code: outcome.code } : {}),
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        version: outcome.version,
      };
    },
  );
}
