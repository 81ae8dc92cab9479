// The G1–G3 oracle: replays the command log once through the pure domain and compares
// it with what the processor left behind — MongoDB state and history, the events a read_committed
// consumer sees (each eventId once, per order in command order) and the outcomes
// (exactly one per command).
import { expect } from 'vitest';
import type { Db } from 'mongodb';
import { handle, initialState, timelineEntryOf, type OrderState, type TimelineEntry } from '../../src/domain/index.js';
import { decodeCommand, decodeOutcome, type SchemaResolver } from '../../src/schemas/index.js';
import type { Config } from '../../src/shared/config.js';
import type { Kafka } from '../../src/shared/kafka.js';
import { historyCollection, timelineEntryOfDocument } from '../../src/shared/history-collection.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { consumeAll } from './kafka-read.js';

export interface VerifyOptions {
  /** Commands dead-lettered on purpose (a poison record): never applied, no outcome. */
  deadLettered?: ReadonlySet<string>;
}

export async function verifyExactlyOnce(kafka: Kafka, db: Db, config: Config, resolver: SchemaResolver, expectedCommands: number, opts: VerifyOptions = {}): Promise<void> {
  const deadLettered = opts.deadLettered ?? new Set<string>();
  const log = await consumeAll(kafka, config.topics.commands, expectedCommands, 'read_committed', 2000, 180_000, config.schemaRegistryUrl);
  expect(log.length).toBe(expectedCommands);
  log.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));

  // The truth: each command applied once, in partition order.
  const states = new Map<string, OrderState>();
  const expectedEvents = new Map<string, string[]>();
  const expectedHistory = new Map<string, TimelineEntry[]>();
  const commandIds = new Set<string>();
  for (const record of log) {
    const c = await decodeCommand(record.value, resolver);
    if (deadLettered.has(c.commandId)) continue;
    commandIds.add(c.commandId);
    const r = handle(states.get(c.orderId) ?? initialState, c);
    if (r.state.version > 0) states.set(c.orderId, r.state);
    if (r.events.length > 0) expectedEvents.set(c.orderId, [...(expectedEvents.get(c.orderId) ?? []), ...r.events.map((e) => e.eventId)]);
    if (r.events.length > 0) expectedHistory.set(c.orderId, [...(expectedHistory.get(c.orderId) ?? []), ...r.events.map((e) => ({ ...timelineEntryOf(e), at: 'ignored' }))]);
  }

  // Outcomes: exactly one per command.
  const outcomes = await consumeAll(kafka, config.topics.outcomes, expectedCommands - deadLettered.size, 'read_committed', 2000, 180_000, config.schemaRegistryUrl);
  const outcomeIds = await Promise.all(outcomes.map(async (o) => (await decodeOutcome(o.value, resolver)).commandId));
  const perCommand = new Map<string, number>();
  for (const id of outcomeIds) perCommand.set(id, (perCommand.get(id) ?? 0) + 1);
  expect([...perCommand.values()].filter((n) => n !== 1)).toEqual([]);
  expect(perCommand.size).toBe(commandIds.size);

  // Events: each eventId once; per order exactly the replayed sequence, in order.
  const expectedTotal = [...expectedEvents.values()].reduce((n, ids) => n + ids.length, 0);
  const events = await consumeAll(kafka, config.topics.events, expectedTotal, 'read_committed', 2000, 180_000, config.schemaRegistryUrl);
  events.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  const seen = new Map<string, string[]>();
  for (const e of events) seen.set(e.key, [...(seen.get(e.key) ?? []), e.headers.ce_id!]);
  expect(events.length).toBe(expectedTotal);
  const mismatched = [...expectedEvents].filter(([orderId, ids]) => JSON.stringify(seen.get(orderId)) !== JSON.stringify(ids));
  expect(mismatched.slice(0, 3)).toEqual([]);

  // MongoDB: every order equals its replay.
  const docs = await ordersCollection(db).find({}).toArray();
  expect(docs.length).toBe(states.size);
  for (const doc of docs) {
    const want = states.get(doc._id)!;
    expect({ id: doc._id, version: doc.version, order: doc.order }).toEqual({ id: doc._id, version: want.version, order: want.order });
  }

  // History: one entry per event, by version (times are the processor's: not compared).
  const history = await historyCollection(db).find({}).toArray();
  expect(history.length).toBe(expectedTotal);
  const entries = new Map<string, TimelineEntry[]>();
  for (const doc of history.sort((a, b) => a.version - b.version)) entries.set(doc.orderId, [...(entries.get(doc.orderId) ?? []), { ...timelineEntryOfDocument(doc), at: 'ignored' }]);
  const wrongHistory = [...expectedHistory].filter(([orderId, want]) => JSON.stringify(entries.get(orderId)) !== JSON.stringify(want));
  expect(wrongHistory.slice(0, 3)).toEqual([]);
}
