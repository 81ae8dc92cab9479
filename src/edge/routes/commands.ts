// The commands resource: what became of a command (pending | applied | rejected | dead_lettered).
import type { FastifyInstance } from 'fastify';
import { findCommandDeadLetter } from '../../shared/command-dead-letters-collection.js';
import { findOutcome } from '../../shared/command-outcomes.js';
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
        summary: 'Status of a command: pending until the processor recorded its outcome (or dead-lettered it)',
        tags: ['commands'],
        params: commandIdParams,
        response: commandStatusResponses,
      },
    },
    async (request) => {
      const { commandId } = request.params;
      const outcome = await ctx.database((db) => findOutcome(db, commandId));
      if (!outcome) {
        // An outcome wins over a dead letter: a replayed dead letter that was applied has both.
        const letter = await ctx.database((db) => findCommandDeadLetter(db, commandId));
        if (letter) return { commandId: letter.commandId, orderId: letter.orderId, status: 'dead_lettered', code: letter.code, reason: letter.reason };
        // Unknown ids are "pending" too: a direct Kafka producer may ask before the processor got to it.
        return { commandId, status: 'pending' };
      }
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
