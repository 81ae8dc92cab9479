// The exactly-once rules of a batch (G2), without servers: what is written, what is
// published, and what a re-delivery after a crash publishes again.
import { describe, expect, it } from 'vitest';
import { applyBatch, type DecodedRecord } from '../../src/processor/apply-batch.js';
import type { Command } from '../../src/schemas/index.js';
import type { OrderDocument } from '../../src/shared/orders-collection.js';
import { command, createOrder } from '../support/commands.js';

const at = (offset: number, c: Command): DecodedRecord<string> => ({ record: c.commandId, position: { partition: 3, offset: String(offset) }, command: c });
const docsOf = (plan: ReturnType<typeof applyBatch<string>>) => new Map(plan.writes.map((w) => [w.doc._id, w.doc]));
const published = (plan: ReturnType<typeof applyBatch<string>>) =>
  plan.outputs.map((o) => (o.kind === 'event' ? `event:${o.event.eventId}` : o.kind === 'outcome' ? `outcome:${o.outcome.commandId}` : `dlq:${o.reason.code}`));

describe('applyBatch', () => {
  const create = createOrder('ORD-1');
  const validate = command('ValidateOrder', 'ORD-1');
  const first = applyBatch([at(10, create), at(11, validate)], new Map());

  it('writes one document per order with the batch as pending publication', () => {
    expect(first.writes).toHaveLength(1);
    const doc = first.writes[0]!.doc;
    expect(first.writes[0]!.expectedRevision).toBe(0);
    expect(doc).toMatchObject({ _id: 'ORD-1', version: 2, revision: 1, pending: { partition: 3, offsets: { [create.commandId]: '10', [validate.commandId]: '11' } } });
    expect(doc.pending!.events.map((e) => e.type)).toEqual(['OrderReceived', 'OrderValidated']);
    expect(first.outputs.map((o) => o.kind)).toEqual(['event', 'outcome', 'event', 'outcome']);
  });

  it('re-publishes the stored events and outcomes when the same records come again (transaction never committed)', () => {
    const replay = applyBatch([at(10, create), at(11, validate)], docsOf(first));
    expect(replay.writes).toEqual([]);
    expect(published(replay)).toEqual(published(first));
    expect(replay.stats).toMatchObject({ duplicates: 2, republished: 2, applied: 0 });
  });

  it('answers a duplicate submission (same commandId, other offset) with its outcome and no events', () => {
    const dup = applyBatch([at(40, validate)], docsOf(first));
    expect(published(dup)).toEqual([`outcome:${validate.commandId}`]);
    expect(dup.writes).toEqual([]);
  });

  it('tallies each command for the metrics, a re-delivered one as duplicate', () => {
    expect(first.tally).toEqual([
      { commandType: 'CreateOrder', outcome: 'applied' },
      { commandType: 'ValidateOrder', outcome: 'applied' },
    ]);
    const orphan = command('MarkPacked', 'ORD-404');
    expect(applyBatch([at(40, validate), at(41, orphan)], docsOf(first)).tally).toEqual([
      { commandType: 'ValidateOrder', outcome: 'duplicate' },
      { commandType: 'MarkPacked', outcome: 'rejected' },
    ]);
  });

  it('keeps unconfirmed pending entries when a replayed batch also applies new commands (a second crash still re-publishes them)', () => {
    const wave = command('AssignWave', 'ORD-1', { waveId: 'W-1' });
    const replay = applyBatch([at(10, create), at(11, validate), at(12, wave)], docsOf(first));
    const doc = replay.writes[0]!.doc;
    expect(Object.values(doc.pending!.offsets)).toEqual(['10', '11', '12']);
    expect(doc.pending!.events.map((e) => e.type)).toEqual(['OrderReceived', 'OrderValidated', 'OrderWaveAssigned']);
    expect(replay.writes[0]).toMatchObject({ expectedRevision: 1, doc: { revision: 2, version: 3 } });
  });

  it('drops pending entries before the batch start: they were committed with the previous batch', () => {
    const wave = command('AssignWave', 'ORD-1', { waveId: 'W-1' });
    const next = applyBatch([at(12, wave)], docsOf(first));
    expect(next.writes[0]!.doc.pending).toMatchObject({ offsets: { [wave.commandId]: '12' } });
    expect(next.writes[0]!.doc.pending!.events.map((e) => e.type)).toEqual(['OrderWaveAssigned']);
  });

  it('stores nothing for a rejection of an unknown order, and passes dead letters through in place', () => {
    const orphan = command('MarkPacked', 'ORD-404');
    const plan = applyBatch(
      [at(1, orphan), { record: 'raw', position: { partition: 3, offset: '2' }, error: { code: 'MALFORMED', message: 'x' } }],
      new Map<string, OrderDocument>(),
    );
    expect(plan.writes).toEqual([]);
    expect(plan.outcomes[0]).toMatchObject({ status: 'rejected', code: 'ORDER_NOT_FOUND' });
    expect(published(plan)).toEqual([`outcome:${orphan.commandId}`, 'dlq:MALFORMED']);
  });
});
