// given(events).when(command).then(events | rejection) for the order decider.
import { expect } from 'vitest';
import { decide, evolve, replay, type Decision, type OrderState, type RejectionCode } from '../../../src/domain/index.js';
import type { Command, EventType, OrderEvent } from '../../../src/schemas/index.js';

type EventExpectation = { type: EventType } & Record<string, unknown>;

export interface Then {
  decision: Decision;
  state: OrderState;
  /** The decision accepted the command and produced events matching these (in order). Returns the state after them. */
  thenEvents(...expected: EventExpectation[]): OrderState;
  /** The decision is this rejection (reason matched when given). */
  thenRejects(code: RejectionCode, reason?: RegExp): void;
}

export function given(events: readonly OrderEvent[] = []) {
  const state = replay(events);
  return {
    state,
    when(command: Command): Then {
      const decision = decide(command, state);
      return {
        decision,
        state,
        thenEvents(...expected) {
          if (decision.kind !== 'accepted') throw new Error(`expected events, got rejection ${decision.code}: ${decision.reason}`);
          expect(decision.events).toHaveLength(expected.length);
          decision.events.forEach((e, i) => expect(e).toMatchObject(expected[i] as object));
          decision.events.forEach((e, i) => {
            expect(e.version).toBe(state.version + i + 1);
            expect(e.causationId).toBe(command.commandId);
            expect(e.correlationId).toBe(command.correlationId);
            expect(e.orderId).toBe(command.orderId);
          });
          return decision.events.reduce(evolve, state);
        },
        thenRejects(code, reason) {
          expect(decision).toMatchObject({ kind: 'rejected', code });
          if (reason && decision.kind === 'rejected') expect(decision.reason).toMatch(reason);
        },
      };
    },
  };
}
