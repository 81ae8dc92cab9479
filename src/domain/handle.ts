// handle(state, command): decide + evolve + remember the command, with idempotency.
// This is what the processor calls per command record: re-delivery of a commandId that is
// still in state.appliedCommands (after a crash, a rebalance, a producer retry) returns
// the earlier result and no events.
import type { Command } from '../schemas/commands.js';
import type { OrderEvent } from '../schemas/events.js';
import type { CommandOutcome } from '../schemas/outcome.js';
import { decide, type DecideContext } from './decide.js';
import { evolve, type AppliedCommand, type CommandResult, type OrderState } from './order.js';

/** How many recent commandIds an order remembers. Older ones fall out (oldest first). */
export const DEFAULT_APPLIED_COMMANDS_LIMIT = 100;

export interface HandleContext extends DecideContext {
  appliedCommandsLimit?: number;
}

export type HandleResult =
  | { duplicate: false; state: OrderState; events: OrderEvent[]; result: CommandResult }
  | { duplicate: true; state: OrderState; events: []; result: CommandResult; earlierOutcome: CommandResult };

const sameId = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The earlier result of `commandId` if this order still remembers it. */
export function findApplied(state: OrderState, commandId: string): AppliedCommand | undefined {
  return state.appliedCommands.find((c) => sameId(c.commandId, commandId));
}

export function handle(state: OrderState, command: Command, ctx: HandleContext = {}): HandleResult {
  const earlier = findApplied(state, command.commandId);
  if (earlier) return { duplicate: true, state, events: [], result: earlier.result, earlierOutcome: earlier.result };

  const decision = decide(command, state, ctx);
  let next = state;
  let result: CommandResult;
  let events: OrderEvent[] = [];
  if (decision.kind === 'accepted') {
    events = decision.events;
    next = events.reduce(evolve, state);
    result = { status: 'applied', version: next.version, eventIds: events.map((e) => e.eventId) };
  } else {
    result = { status: 'rejected', code: decision.code, reason: decision.reason, version: state.version };
  }
  const limit = Math.max(1, ctx.appliedCommandsLimit ?? DEFAULT_APPLIED_COMMANDS_LIMIT);
  const appliedCommands = [...next.appliedCommands, { commandId: command.commandId, type: command.type, result }].slice(-limit);
  return { duplicate: false, state: { ...next, appliedCommands }, events, result };
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
