// handle(state, command): decide + evolve, and the command's result. Recognising a
// command that was already applied (a redelivered record, a resubmitted commandId) is
// not the domain's job: the processor does it by record position and by the stored
// outcome of the commandId (src/processor/apply-batch.ts).
import type { Command } from '../schemas/commands.js';
import type { OrderEvent } from '../schemas/events.js';
import type { CommandOutcome } from '../schemas/outcome.js';
import { decide, type DecideContext } from './decide.js';
import { evolve, type CommandResult, type OrderState } from './order.js';
import type { RejectionCode } from './rejections.js';

export interface HandleResult {
  state: OrderState;
  events: OrderEvent[];
  result: CommandResult;
}

export function handle(state: OrderState, command: Command, ctx: DecideContext = {}): HandleResult {
  const decision = decide(command, state, ctx);
  if (decision.kind !== 'accepted') return refuse(state, decision.code, decision.reason);
  const next = decision.events.reduce(evolve, state);
  return { state: next, events: decision.events, result: { status: 'applied', version: next.version, eventIds: decision.events.map((e) => e.eventId) } };
}

/** A rejection: the state unchanged, no events. Also for refusals decided outside the rules (a record over Kafka's size limit). */
export function refuse(state: OrderState, code: RejectionCode, reason: string): HandleResult {
  return { state, events: [], result: { status: 'rejected', code, reason, version: state.version } };
}

/** The outcome record allows one printable line of at most 1000 characters. */
const outcomeReason = (reason: string): string => reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 1000) || 'rejected';

/** The record for the outcomes topic. */
export function toOutcome(command: Command, result: CommandResult): CommandOutcome {
  const base = { commandId: command.commandId, orderId: command.orderId, commandType: command.type, correlationId: command.correlationId };
  return result.status === 'applied'
    ? { ...base, status: 'applied', version: result.version, eventIds: result.eventIds }
    : { ...base, status: 'rejected', code: result.code, reason: outcomeReason(result.reason), version: result.version, eventIds: [] };
}
