// Applies one partition batch of decoded command records to the orders they touch.
// Pure: the caller loads the documents and the stored outcomes before and writes and
// publishes the plan after, so the exactly-once rules (G2) are unit-testable.
//
// Offsets are positions, not identities: they mean something only within one
// incarnation of the commands topic (Kafka's topic id). Positions and pending entries
// stored under another topic id (the topic was re-created, or this is a mirror after a
// failover) say nothing about this topic's records.
//
// Each record is one of three things:
// - a redelivery: its offset is at or below the last offset applied to its order on
//   that partition of this topic. If the pending entry at that position is this
//   commandId, its outputs go out again (their transaction may not have committed), or
//   only its outcome once they are known committed; without a pending entry, its stored
//   outcome; with neither (confirmed, and the outcome expired) it is dead-lettered as
//   ALREADY_APPLIED: never applied twice, never dropped without a word. It changes nothing.
// - a resubmission: a new record with a commandId applied before (a client retry, a
//   DLQ replay, the same id used for another order), known from the stored outcomes or
//   from earlier in this group. It gets that first outcome again, no events, and
//   changes nothing.
// - new: decided on the order's state; its events and outcome go out and, with its
//   position, into the order's `pending` until its offset is known to be committed.
import { handle, initialState, refuse, toOutcome, type OrderState, type RejectionCode } from '../domain/index.js';
import type { Command, CommandOutcome, OrderEvent } from '../schemas/index.js';
import type { OrderDocument, PendingCommand } from '../shared/orders-collection.js';
import { outcomeKey } from '../shared/outcomes-collection.js';

export interface RecordPosition {
  partition: number;
  offset: string;
}

/** A rejection decided outside the order's rules (the pipeline: its records would not fit in Kafka). */
export interface Refusal {
  code: RejectionCode;
  reason: string;
}

export type DecodedRecord<R> =
  | { record: R; position: RecordPosition; command: Command; refusal?: Refusal }
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

export type Tally = 'applied' | 'rejected' | 'duplicate';

export interface BatchPlan<R> {
  writes: OrderWrite[];
  /** In record order: per command its events then its outcome; dead letters in place. */
  outputs: Output<R>[];
  /** Outcomes to store (idempotency records), including those sent again. */
  outcomes: CommandOutcome[];
  /** Per command record, for the commands metric. */
  tally: Array<{ commandType: CommandOutcome['commandType']; outcome: Tally }>;
  stats: { applied: number; rejected: number; duplicates: number; republished: number; deadLettered: number };
}

export interface BatchInputs {
  /** Kafka's id of the commands topic these records come from. */
  topicId: string;
  /** Stored documents of the orders this batch touches (absent = no such order). */
  orders: ReadonlyMap<string, OrderDocument>;
  /** Stored outcomes of this batch's commandIds, by outcomeKey(commandId). */
  outcomes: ReadonlyMap<string, CommandOutcome>;
  /**
   * Per partition, the next offset the group is known to have committed: pending entries
   * below it are confirmed and dropped, the others kept (a partition not in the map keeps
   * all of them). Without it, the batch start: the consumer delivers a batch from the
   * committed offset when no earlier batch of the partition is still committing.
   */
  committed?: ReadonlyMap<number, bigint>;
}

/** An order as this batch leaves it. */
interface Working {
  state: OrderState;
  positions: Record<string, string>;
  pending: PendingCommand[];
}

const atOrBelow = (offset: string, last: string | undefined): boolean => last !== undefined && BigInt(offset) <= BigInt(last);

/** The stored positions and pending entries if they are of this topic (a document written before topic ids were stored: taken as this one's). */
function ofThisTopic(doc: OrderDocument | undefined, topicId: string): Pick<OrderDocument, 'positions' | 'pending'> {
  if (!doc || (doc.commandsTopicId !== undefined && doc.commandsTopicId !== topicId)) return { positions: {}, pending: [] };
  return { positions: doc.positions ?? {}, pending: doc.pending ?? [] };
}

/** What a batch starts from: pending entries of this partition below `confirmed` are committed, the rest kept. */
function startFrom(doc: OrderDocument | undefined, topicId: string, partition: number, confirmed: bigint | undefined): Working {
  if (!doc) return { state: initialState, positions: {}, pending: [] };
  const { version, order } = doc;
  const stored = ofThisTopic(doc, topicId);
  const pending = stored.pending.filter((p) => p.partition !== partition || confirmed === undefined || BigInt(p.offset) >= confirmed);
  return { state: { version, order }, positions: { ...stored.positions }, pending };
}

/**
 * The partition batches of one group, planned one after another with what each decided
 * known to the next: a commandId is one command, whatever order or partition it names,
 * so its second use anywhere in the group is a resubmission (the first outcome, no change).
 */
export function applyGroup<R>(batches: DecodedRecord<R>[][], inputs: BatchInputs): BatchPlan<R>[] {
  const decided = new Map<string, CommandOutcome>();
  return batches.map((records) => applyBatch(records, inputs, decided));
}

/** `decidedHere`: outcomes decided earlier in the group (applyGroup), by outcomeKey; this batch adds its own. */
export function applyBatch<R>(records: DecodedRecord<R>[], inputs: BatchInputs, decidedHere = new Map<string, CommandOutcome>()): BatchPlan<R> {
  const plan: BatchPlan<R> = { writes: [], outputs: [], outcomes: [], tally: [], stats: { applied: 0, rejected: 0, duplicates: 0, republished: 0, deadLettered: 0 } };
  const { topicId } = inputs;
  const first = records[0];
  if (!first) return plan;
  const confirmed = inputs.committed ? inputs.committed.get(first.position.partition) : BigInt(first.position.offset);
  const working = new Map<string, Working>();
  const emit = (outcome: CommandOutcome, events: OrderEvent[], tally: Tally) => {
    for (const event of events) plan.outputs.push({ kind: 'event', event });
    plan.outputs.push({ kind: 'outcome', outcome });
    plan.outcomes.push(outcome);
    plan.tally.push({ commandType: outcome.commandType, outcome: tally });
  };

  for (const item of records) {
    if ('error' in item) {
      plan.outputs.push({ kind: 'dead-letter', record: item.record, position: item.position, reason: item.error });
      plan.stats.deadLettered++;
      continue;
    }
    const { command, position } = item;
    const key = outcomeKey(command.commandId);
    const stored = inputs.orders.get(command.orderId);
    const here = ofThisTopic(stored, topicId);
    const partitionKey = String(position.partition);
    const pending = here.pending.find((p) => p.partition === position.partition && p.offset === position.offset);

    // Another commandId at this position is not this record: it is decided below like any other.
    if (atOrBelow(position.offset, here.positions[partitionKey]) && (!pending || pending.commandId === command.commandId)) {
      if (pending && (confirmed === undefined || BigInt(pending.offset) >= confirmed)) {
        emit(pending.outcome, pending.events, 'duplicate');
        plan.stats.republished++;
      } else if (pending || inputs.outcomes.has(key)) {
        // Its transaction committed long ago; delivered again (the group's offsets were reset).
        emit(pending?.outcome ?? inputs.outcomes.get(key)!, [], 'duplicate');
      } else {
        const message = `offset ${position.offset} of partition ${position.partition} was applied to order ${command.orderId} before, and its outcome has expired: not applied again`;
        plan.outputs.push({ kind: 'dead-letter', record: item.record, position, reason: { code: 'ALREADY_APPLIED', message } });
        plan.stats.deadLettered++;
        continue;
      }
      plan.stats.duplicates++;
      continue;
    }

    const earlier = decidedHere.get(key) ?? inputs.outcomes.get(key);
    if (earlier) {
      emit(earlier, [], 'duplicate');
      plan.stats.duplicates++;
      continue;
    }

    const w = working.get(command.orderId) ?? startFrom(stored, topicId, position.partition, confirmed);
    const result = item.refusal ? refuse(w.state, item.refusal.code, item.refusal.reason) : handle(w.state, command);
    const outcome = toOutcome(command, result.result);
    decidedHere.set(key, outcome);
    emit(outcome, result.events, result.result.status);
    if (result.result.status === 'applied') plan.stats.applied++;
    else plan.stats.rejected++;
    // Kept even for a rejection of an order that does not exist yet: a create later in
    // this batch writes the document, and a redelivery then finds this record in it.
    working.set(command.orderId, {
      state: result.state,
      positions: { ...w.positions, [partitionKey]: position.offset },
      pending: [...w.pending, { commandId: command.commandId, partition: position.partition, offset: position.offset, outcome, events: result.events }],
    });
  }

  for (const [orderId, w] of working) {
    // An order that still does not exist stores nothing: its rejections are in the
    // outcomes, and deciding again on no order gives the same answer.
    if (w.state.version === 0) continue;
    const expectedRevision = inputs.orders.get(orderId)?.revision ?? 0;
    plan.writes.push({ expectedRevision, doc: { _id: orderId, ...w.state, revision: expectedRevision + 1, commandsTopicId: topicId, positions: w.positions, pending: w.pending } });
  }
  return plan;
}
