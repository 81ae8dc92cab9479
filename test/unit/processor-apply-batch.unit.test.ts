// The exactly-once rules of a batch (G2), without servers: what is written, what is
// published, what a redelivery after a crash publishes again (recognised by position),
// and what a resubmitted commandId gets (its stored outcome).
import { describe, expect, it } from 'vitest';
import { applyBatch, applyGroup, type BatchInputs, type DecodedRecord } from '../../src/processor/apply-batch.js';
import type { Command, CommandOutcome, HttpBody } from '../../src/schemas/index.js';
import type { OrderDocument } from '../../src/shared/orders-collection.js';
import { outcomeKey } from '../../src/shared/outcomes-collection.js';
import { command, createOrder } from '../support/commands.js';

const at = (offset: number, c: Command): DecodedRecord<string> => ({ record: c.commandId, position: { partition: 3, offset: String(offset) }, command: c });
type Plan = ReturnType<typeof applyBatch<string>>;
const TOPIC = 'commands-topic-id';
const nothing: BatchInputs = { topicId: TOPIC, orders: new Map(), outcomes: new Map() };
/** What MongoDB holds after a plan was written (orders and outcomes). */
const storedAfter = (...plans: Plan[]): BatchInputs => {
  const orders = new Map<string, OrderDocument>();
  const outcomes = new Map<string, CommandOutcome>();
  for (const plan of plans) {
    for (const w of plan.writes) orders.set(w.doc._id, w.doc);
    for (const o of plan.outcomes) if (!outcomes.has(outcomeKey(o.commandId))) outcomes.set(outcomeKey(o.commandId), o);
  }
  return { topicId: TOPIC, orders, outcomes };
};
const published = (plan: Plan) =>
  plan.outputs.map((o) => (o.kind === 'event' ? `event:${o.event.eventId}` : o.kind === 'outcome' ? `outcome:${o.outcome.commandId}:${o.outcome.status}` : `dlq:${o.reason.code}`));

describe('applyBatch', () => {
  const create = createOrder('ORD-1');
  const validate = command('ValidateOrder', 'ORD-1');
  const first = applyBatch([at(10, create), at(11, validate)], nothing);

  it('writes one document per order with its position and the batch as pending publication', () => {
    expect(first.writes).toHaveLength(1);
    const doc = first.writes[0]!.doc;
    expect(first.writes[0]!.expectedRevision).toBe(0);
    expect(doc).toMatchObject({ _id: 'ORD-1', version: 2, revision: 1, positions: { '3': '11' } });
    expect(doc.pending.map((p) => [p.commandId, p.offset, p.outcome.status])).toEqual([
      [create.commandId, '10', 'applied'],
      [validate.commandId, '11', 'applied'],
    ]);
    expect(doc.pending.flatMap((p) => p.events).map((e) => e.type)).toEqual(['OrderReceived', 'OrderValidated']);
    expect(first.outputs.map((o) => o.kind)).toEqual(['event', 'outcome', 'event', 'outcome']);
  });

  it('re-publishes the stored events and outcomes when the same records come again (transaction never committed)', () => {
    const replay = applyBatch([at(10, create), at(11, validate)], storedAfter(first));
    expect(replay.writes).toEqual([]);
    expect(published(replay)).toEqual(published(first));
    expect(replay.stats).toMatchObject({ duplicates: 2, republished: 2, applied: 0 });
  });

  it('answers a resubmission (same commandId, a later offset) with its stored outcome and no events', () => {
    const dup = applyBatch([at(40, validate)], storedAfter(first));
    expect(published(dup)).toEqual([`outcome:${validate.commandId}:applied`]);
    expect(dup.writes).toEqual([]);
  });

  it('answers a resubmission within one batch with the outcome decided earlier in it', () => {
    const plan = applyBatch([at(10, create), at(11, { ...create, commandId: create.commandId.toUpperCase() })], nothing);
    expect(plan.stats).toMatchObject({ applied: 1, duplicates: 1 });
    expect(plan.outputs.filter((o) => o.kind === 'event')).toHaveLength(1);
  });

  it('tallies each command for the metrics, a re-delivered one as duplicate', () => {
    expect(first.tally).toEqual([
      { commandType: 'CreateOrder', outcome: 'applied' },
      { commandType: 'ValidateOrder', outcome: 'applied' },
    ]);
    const orphan = command('MarkPacked', 'ORD-404');
    expect(applyBatch([at(40, validate), at(41, orphan)], storedAfter(first)).tally).toEqual([
      { commandType: 'ValidateOrder', outcome: 'duplicate' },
      { commandType: 'MarkPacked', outcome: 'rejected' },
    ]);
  });

  it('keeps unconfirmed pending entries when a replayed batch also applies new commands (a second crash still re-publishes them)', () => {
    const wave = command('AssignWave', 'ORD-1', { waveId: 'W-1' } as HttpBody<'AssignWave'>);
    const replay = applyBatch([at(10, create), at(11, validate), at(12, wave)], storedAfter(first));
    const doc = replay.writes[0]!.doc;
    expect(doc.pending.map((p) => p.offset)).toEqual(['10', '11', '12']);
    expect(doc.pending.flatMap((p) => p.events).map((e) => e.type)).toEqual(['OrderReceived', 'OrderValidated', 'OrderWaveAssigned']);
    expect(replay.writes[0]).toMatchObject({ expectedRevision: 1, doc: { revision: 2, version: 3, positions: { '3': '12' } } });
  });

  it('drops pending entries before the batch start: they were committed with the previous batch', () => {
    const wave = command('AssignWave', 'ORD-1', { waveId: 'W-1' } as HttpBody<'AssignWave'>);
    const next = applyBatch([at(12, wave)], storedAfter(first));
    expect(next.writes[0]!.doc.pending.map((p) => p.commandId)).toEqual([wave.commandId]);
  });

  it('keeps pending entries the group has not committed yet, when a batch starts while an earlier one is still committing (pipelined)', () => {
    const wave = command('AssignWave', 'ORD-1', { waveId: 'W-1' } as HttpBody<'AssignWave'>);
    // The batch at offsets 10..11 is written but its transaction has not committed: committed is still 10.
    const next = applyBatch([at(12, wave)], { ...storedAfter(first), committed: new Map([[3, 10n]]) });
    expect(next.writes[0]!.doc.pending.map((p) => p.offset)).toEqual(['10', '11', '12']);
  });

  it('drops pending entries below the committed offset it is given, and keeps every entry of a partition it knows nothing of', () => {
    const wave = command('AssignWave', 'ORD-1', { waveId: 'W-1' } as HttpBody<'AssignWave'>);
    expect(applyBatch([at(12, wave)], { ...storedAfter(first), committed: new Map([[3, 11n]]) }).writes[0]!.doc.pending.map((p) => p.offset)).toEqual(['11', '12']);
    expect(applyBatch([at(12, wave)], { ...storedAfter(first), committed: new Map() }).writes[0]!.doc.pending.map((p) => p.offset)).toEqual(['10', '11', '12']);
  });

  it('stores nothing for a rejection of an unknown order, and passes dead letters through in place', () => {
    const orphan = command('MarkPacked', 'ORD-404');
    const plan = applyBatch([at(1, orphan), { record: 'raw', position: { partition: 3, offset: '2' }, error: { code: 'MALFORMED', message: 'x' } }], nothing);
    expect(plan.writes).toEqual([]);
    expect(plan.outcomes[0]).toMatchObject({ status: 'rejected', code: 'ORDER_NOT_FOUND' });
    expect(published(plan)).toEqual([`outcome:${orphan.commandId}:rejected`, 'dlq:MALFORMED']);
  });

  it('keeps the rejection of a not-yet-created order pending when a later create in the batch writes the document', () => {
    const early = command('ValidateOrder', 'ORD-2');
    const create2 = createOrder('ORD-2');
    const plan = applyBatch([at(5, early), at(6, create2)], nothing);
    // The outcomes insert never happened (crash after the orders write): the replay finds both in pending.
    const replay = applyBatch([at(5, early), at(6, create2)], { ...storedAfter(plan), outcomes: new Map() });
    expect(published(replay)).toEqual(published(plan));
  });

  // Pins hole 1 of issue 11: redelivery used to be recognised through the last 100
  // commandIds of an order, so a crash after an order received > 100 commands in one
  // uncommitted batch re-applied them and rejected the create as ORDER_ALREADY_EXISTS.
  it('recognises a redelivery of 300 commands to one order by position, whatever their number', () => {
    const hot = createOrder('ORD-HOT');
    const modifies = Array.from({ length: 300 }, (_, i) => command('ModifyOrder', 'ORD-HOT', { priority: i % 2 ? 'standard' : 'same_day' } as HttpBody<'ModifyOrder'>));
    const records = [at(100, hot), ...modifies.map((m, i) => at(101 + i, m))];
    const plan = applyBatch(records, nothing);
    expect(plan.stats.applied).toBe(301);
    // Crash between the MongoDB write and the Kafka commit: the same records again.
    const replay = applyBatch(records, storedAfter(plan));
    expect(replay.writes).toEqual([]);
    expect(published(replay)).toEqual(published(plan));
    expect(replay.outcomes[0]).toMatchObject({ commandType: 'CreateOrder', status: 'applied', version: 1 });
  });

  it('gives a commandId resent long after, past hundreds of newer commands, its first outcome and changes nothing', () => {
    const hot = createOrder('ORD-OLD');
    const validateOld = command('ValidateOrder', 'ORD-OLD');
    const created = applyBatch([at(1, hot), at(2, validateOld)], nothing);
    let stored = storedAfter(created);
    for (let i = 0; i < 3; i++) {
      const mods = Array.from({ length: 100 }, () => command('CancelOrder', 'ORD-OLD', { reason: 'again' } as HttpBody<'CancelOrder'>));
      const plan = applyBatch(mods.map((m, j) => at(10 + i * 100 + j, m)), stored);
      stored = { topicId: TOPIC, orders: storedAfter(plan).orders, outcomes: new Map([...stored.outcomes, ...storedAfter(plan).outcomes]) };
    }
    const again = applyBatch([at(5000, hot), at(5001, validateOld)], stored);
    expect(again.writes).toEqual([]);
    expect(published(again)).toEqual([`outcome:${hot.commandId}:applied`, `outcome:${validateOld.commandId}:applied`]);
  });

  it('dead-letters a redelivered record whose pending entry and outcome are both gone (confirmed and expired) as ALREADY_APPLIED', () => {
    const wave = command('AssignWave', 'ORD-1', { waveId: 'W-1' } as HttpBody<'AssignWave'>);
    const next = applyBatch([at(12, wave)], storedAfter(first));
    const plan = applyBatch([at(11, validate)], { ...storedAfter(next), outcomes: new Map() });
    expect(published(plan)).toEqual(['dlq:ALREADY_APPLIED']);
    expect(plan.writes).toEqual([]);
    expect(plan.stats.deadLettered).toBe(1);
  });

  // Issue 21, item 4: offsets are positions within one incarnation of the commands topic.
  describe('offsets are positions, not identities', () => {
    const wave = command('AssignWave', 'ORD-1', { waveId: 'W-1' } as HttpBody<'AssignWave'>);

    it('applies a record of a re-created commands topic (another topic id) at an offset the order already passed', () => {
      const plan = applyBatch([at(0, wave)], { ...storedAfter(first), topicId: 'recreated-topic-id' });
      expect(plan.stats).toMatchObject({ applied: 1, duplicates: 0 });
      expect(plan.writes[0]!.doc).toMatchObject({ version: 3, commandsTopicId: 'recreated-topic-id', positions: { '3': '0' } });
      // The old incarnation's pending entries say nothing about the new topic's offsets.
      expect(plan.writes[0]!.doc.pending.map((p) => p.commandId)).toEqual([wave.commandId]);
    });

    it("takes a document written before topic ids were stored as the current topic's", () => {
      const legacy = new Map([...storedAfter(first).orders].map(([id, { commandsTopicId: _, ...doc }]) => [id, doc]));
      const replay = applyBatch([at(10, create), at(11, validate)], { ...storedAfter(first), orders: legacy });
      expect(published(replay)).toEqual(published(first));
    });

    it('does not take another commandId at a stored position for a redelivery', () => {
      const plan = applyBatch([at(11, wave)], storedAfter(first));
      expect(plan.stats).toMatchObject({ applied: 1, duplicates: 0 });
    });

    it('answers a redelivery of a long-committed pending entry (group offsets reset) with its outcome only, no event again', () => {
      const replay = applyBatch([at(10, create), at(11, validate)], { ...storedAfter(first), committed: new Map([[3, 12n]]) });
      expect(published(replay)).toEqual([`outcome:${create.commandId}:applied`, `outcome:${validate.commandId}:applied`]);
      expect(replay.writes).toEqual([]);
    });
  });

  // Issue 21, item 7: a commandId is one command, whatever order or partition it names.
  it('answers a commandId used for another order on another partition of the same group with the first outcome, changing nothing', () => {
    const a = createOrder('ORD-A');
    const b = { ...createOrder('ORD-B'), commandId: a.commandId };
    const onPartition = (partition: number, offset: number, c: Command): DecodedRecord<string> => ({ record: c.commandId, position: { partition, offset: String(offset) }, command: c });
    const [first, second] = applyGroup([[onPartition(1, 0, a)], [onPartition(2, 0, b)]], nothing);
    expect(first!.writes.map((w) => w.doc._id)).toEqual(['ORD-A']);
    expect(second!.writes).toEqual([]);
    expect(second!.outcomes).toEqual(first!.outcomes); // the first outcome (ORD-A's), not a second one
    expect(published(second!)).toEqual([`outcome:${a.commandId}:applied`]);
  });
});

