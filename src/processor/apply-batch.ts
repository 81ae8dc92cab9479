// Applies one partition batch of decoded command records to the orders they touch.
// Pure: the caller loads the documents before and writes/publishes the plan after, so
// the exactly-once rules (G2) are unit-testable without servers.
//
// Re-delivery after a crash: the records after the last committed offset come again, in
// the same order. Their commands are already in the stored state (appliedCommands), so
// handle() returns the earlier result; if the document's `pending` holds the command at
// this very partition/offset, its Kafka transaction never committed, so its stored
// events and outcome are published again. A command found in the state but not pending
// at this offset is a duplicate submission (same commandId sent twice): it gets its
// earlier outcome again and no events.
import { handle, initialState, toOutcome, type OrderState } from '../domain/index.js';
import type { Command, CommandOutcome, OrderEvent } from '../schemas/index.js';
import type { OrderDocument, PendingPublication } from '../shared/orders-collection.js';

export interface RecordPosition {
  partition: number;
  offset: string;
}

export type DecodedRecord<R> =
  | { record: R; position: RecordPosition; command: Command }
  | { record: R; position: RecordPosition; error: DeadLetterReason };

export interface DeadLetterReason {
  code: string;
  message: string;
}

export type Output<R> =
  | { kind: 'event'; event: OrderEvent }
  | { kind: 'outcome'; outcome: CommandOutcome }
  | { kind: 'dead-letter'; record: R; position: RecordPosition; reason: DeadLetterReason };

export interface OrderWrite {
  /** Revision the stored document must still have; 0 = must not exist yet. */
  expectedRevision: number;
  doc: OrderDocument;
}

export interface BatchPlan<R> {
  writes: OrderWrite[];
  /** In record order: per command its events then its outcome; dead letters in place. */
  outputs: Output<R>[];
  outcomes: CommandOutcome[];
  /** Per command record, for the commands metric: a re-delivered command counts as `duplicate`. */
  tally: Array<{ commandType: CommandOutcome['commandType']; outcome: 'applied' | 'rejected' | 'duplicate' }>;
  stats: { applied: number; rejected: number; duplicates: number; republished: number; deadLettered: number };
}

const pendingFrom = (doc: OrderDocument | undefined, partition: number, batchStart: bigint): PendingPublication => {
  // Entries at or after the batch start were never confirmed (the batch starts at the
  // committed offset): keep them, so a second crash still re-publishes them.
  const kept: PendingPublication = { partition, offsets: {}, events: [] };
  const old = doc?.pending;
  if (!old || old.partition !== partition) return kept;
  for (const [commandId, offset] of Object.entries(old.offsets)) {
    if (BigInt(offset) >= batchStart) {
      kept.offsets[commandId] = offset;
      kept.events.push(...old.events.filter((e) => e.causationId === commandId));
    }
  }
  return kept;
};

/**
 * @param loaded documents of the orders this batch touches (absent = no such order)
 */
export function applyBatch<R>(records: DecodedRecord<R>[], loaded: ReadonlyMap<string, OrderDocument>): BatchPlan<R> {
  const plan: BatchPlan<R> = { writes: [], outputs: [], outcomes: [], tally: [], stats: { applied: 0, rejected: 0, duplicates: 0, republished: 0, deadLettered: 0 } };
  const first = records[0];
  if (!first) return plan;
  const batchStart = BigInt(first.position.offset);
  const working = new Map<string, OrderDocument>();

  for (const item of records) {
    if ('error' in item) {
      plan.outputs.push({ kind: 'dead-letter', record: item.record, position: item.position, reason: item.error });
      plan.stats.deadLettered++;
      continue;
    }
    const { command, position } = item;
    const doc = working.get(command.orderId) ?? loaded.get(command.orderId);
    const state: OrderState = doc ?? initialState;
    const result = handle(state, command);
    const outcome = toOutcome(command, result.result);

    if (result.duplicate) {
      plan.stats.duplicates++;
      const neverPublished = doc?.pending?.partition === position.partition && doc.pending.offsets[command.commandId] === position.offset;
      if (neverPublished) {
        for (const event of doc!.pending!.events) if (event.causationId === command.commandId) plan.outputs.push({ kind: 'event', event });
        plan.stats.republished++;
      }
      plan.outputs.push({ kind: 'outcome', outcome });
      plan.outcomes.push(outcome);
      plan.tally.push({ commandType: outcome.commandType, outcome: 'duplicate' });
      continue;
    }

    if (result.result.status === 'applied') plan.stats.applied++;
    else plan.stats.rejected++;
    for (const event of result.events) plan.outputs.push({ kind: 'event', event });
    plan.outputs.push({ kind: 'outcome', outcome });
    plan.outcomes.push(outcome);
    plan.tally.push({ commandType: outcome.commandType, outcome: outcome.status });

    // A rejection for an order that does not exist changes nothing to store: replaying
    // it decides the same way.
    if (result.state.version === 0) continue;

    const pending = working.has(command.orderId) ? doc!.pending! : pendingFrom(doc, position.partition, batchStart);
    working.set(command.orderId, {
      ...result.state,
      _id: command.orderId,
      revision: doc?.revision ?? 0,
      pending: {
        partition: pending.partition,
        offsets: { ...pending.offsets, [command.commandId]: position.offset },
        events: [...pending.events, ...result.events],
      },
    });
  }

  for (const [orderId, doc] of working) {
    const expectedRevision = loaded.get(orderId)?.revision ?? 0;
    plan.writes.push({ expectedRevision, doc: { ...doc, revision: expectedRevision + 1 } });
  }
  return plan;
}
