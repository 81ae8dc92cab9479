// Outcome record (docs/design.md §3) on `wms.orders.command-outcomes`: tells a producer that wrote
// straight to Kafka what became of its command. Subject `<topic>-wms.orders.CommandOutcome`.
import { Type, type Static } from '@sinclair/typebox';
import { COMMAND_TYPES } from './commands.js';
import { CorrelationId, OrderId, Text, Uuid } from './fields.js';

export const OUTCOME_STATUSES = ['applied', 'rejected'] as const;

export const CommandOutcomeSchema = Type.Object(
  {
    commandId: Uuid,
    orderId: OrderId,
    commandType: Type.Union(COMMAND_TYPES.map((t) => Type.Literal(t)), { avroName: 'wms.orders.CommandType' }),
    correlationId: CorrelationId,
    status: Type.Union(OUTCOME_STATUSES.map((s) => Type.Literal(s)), { avroName: 'wms.orders.OutcomeStatus' }),
    /** Rejection code (see src/domain/rejections.ts); absent when applied. */
    code: Type.Optional(Text(64)),
    /** Human-readable reason; absent when applied. */
    reason: Type.Optional(Text(1000)),
    /** Aggregate version after the command (unchanged for a rejection; 0 = order does not exist). */
    version: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    /** Ids of the events the command produced, in order (empty for a rejection). */
    eventIds: Type.Array(Uuid, { maxItems: 16 }),
  },
  { additionalProperties: false, avroName: 'wms.orders.CommandOutcome' },
);
export type CommandOutcome = Static<typeof CommandOutcomeSchema>;
