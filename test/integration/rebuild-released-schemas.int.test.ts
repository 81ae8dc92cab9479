// Issue 24: events written under the schemas as first released (before `issuedBy`) and
// under the released snapshots (src/schemas/released/) fold the same in `rebuild`, and
// `verify` finds the rebuilt database equal to the log.
import avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import { commandTypeOf, handle, initialState, replay, timelineEntryOf, type OrderState } from '../../src/domain/index.js';
import { AvroEncoder, EVENT_CONTRACTS, encodeEvent, frame, subjectFor, toAvroValue, type Command, type HttpBody, type OrderEvent } from '../../src/schemas/index.js';
import { readReleased } from '../../src/schemas/released/snapshot.js';
import { loadConfig } from '../../src/shared/config.js';
import { historyCollection } from '../../src/shared/history-collection.js';
import { createKafka, createProducer, ensureTopics } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { createRegistry, schemaRegistrar } from '../../src/shared/registry.js';
import { rebuild } from '../../src/tools/rebuild.js';
import { verify } from '../../src/tools/verify.js';
import { command, createOrder } from '../support/commands.js';
import { isolatedEnv } from '../support/processor-harness.js';

type Fields = { fields: Array<{ name: string }> };

/** The released snapshot as first released: `issuedBy` was added after (src/schemas/events.ts). */
const firstRelease = (released: unknown): unknown => ({ ...(released as Fields), fields: (released as Fields).fields.filter((f) => f.name !== 'issuedBy') });

function eventsOf(commands: Command[]): OrderEvent[] {
  let state: OrderState = initialState;
  return commands.flatMap((c) => {
    const r = handle(state, c);
    if (r.result.status !== 'applied') throw new Error(`${c.type} rejected: ${r.result.reason}`);
    state = r.state;
    return r.events;
  });
}

describe('rebuild: events under older released schemas', () => {
  const env = isolatedEnv('rebuild-schemas', 2);
  const config = loadConfig(env);
  const mongo = createMongoClient(config.mongodbUri);
  afterAll(async () => {
    await mongo.db(config.mongodbDatabase).dropDatabase().catch(() => undefined);
    await mongo.close();
  });

  it('folds every event type, old and released encodings mixed, into what the domain replays', async () => {
    const by = (c: Command): Command => ({ ...c, issuedBy: 'alice@example.com' });
    const completed = eventsOf([
      createOrder('ORD-old-1'),
      command('ModifyOrder', 'ORD-old-1', { priority: 'same_day' } as HttpBody<'ModifyOrder'>),
      command('ValidateOrder', 'ORD-old-1'),
      command('AssignWave', 'ORD-old-1', { waveId: 'WAVE-7' } as HttpBody<'AssignWave'>),
      command('StartPicking', 'ORD-old-1'),
      command('MarkPacked', 'ORD-old-1'),
      command('MarkShipped', 'ORD-old-1', { trackingNumber: 'TRK-1', carrier: 'UPS' } as HttpBody<'MarkShipped'>),
      command('CompleteOrder', 'ORD-old-1', { deliveredAt: '2026-02-03T04:05:06Z' } as HttpBody<'CompleteOrder'>),
    ].map(by));
    const cancelled = eventsOf([by(createOrder('ORD-old-2')), by(command('CancelOrder', 'ORD-old-2', { reason: 'changed mind' } as HttpBody<'CancelOrder'>))]);
    const log = [...completed, ...cancelled];
    expect(new Set(log.map((e) => e.type)).size).toBe(9);

    const topic = config.topics.events;
    const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'rebuild-schemas' });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 2 }]);
    await admin.disconnect();
    const registrar = schemaRegistrar(createRegistry(config.schemaRegistryUrl));
    const released = readReleased();
    // Every other event as first released (older schema id, no issuedBy); the rest with the released snapshot.
    const old = (i: number) => i % 2 === 0;
    const values = await Promise.all(
      log.map(async (e, i) => {
        const contract = EVENT_CONTRACTS[e.type];
        const snapshot = released.get(contract.recordName);
        expect(snapshot, `${contract.recordName} is released`).toBeDefined();
        const writer = old(i) ? firstRelease(snapshot) : snapshot;
        const id = await registrar.register(subjectFor(topic, contract.recordName), writer as never);
        const { type: _type, ...record } = e;
        return frame(id, avro.Type.forSchema(writer as never).toBuffer(toAvroValue(contract.schema, record)));
      }),
    );
    // The first-release ids really are other schemas than the current ones.
    const current = await encodeEvent(new AvroEncoder(registrar), topic, log[0]!);
    expect(values[0]!.readUInt32BE(1)).not.toBe(current.readUInt32BE(1));
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, messages: log.map((e, i) => ({ key: e.orderId, value: values[i]! })) });
    await producer.disconnect();

    const summary = await rebuild(config, { database: config.mongodbDatabase, replace: false, readModel: true, chunkEvents: 3, progressEveryMs: 0 });
    expect(summary).toMatchObject({ events: log.length, orders: 2, alreadyApplied: 0 });

    const db = mongo.db(config.mongodbDatabase);
    // What a reader of the old schema sees: no issuedBy on those events.
    const asRead = log.map((e, i) => (old(i) ? (({ issuedBy: _by, ...rest }) => rest)(e) : e) as OrderEvent);
    for (const events of [completed, cancelled]) {
      const orderId = events[0]!.orderId;
      const doc = await ordersCollection(db).findOne({ _id: orderId });
      expect({ version: doc?.version, order: doc?.order }).toEqual(replay(events));
      const history = await historyCollection(db).find({ orderId }).toArray();
      const want = asRead.filter((e) => e.orderId === orderId).map((e) => ({ ...timelineEntryOf(e), commandKey: e.causationId.toLowerCase(), commandType: commandTypeOf(e) }));
      expect(history.sort((a, b) => a.version - b.version).map(({ _id, orderId: _o, ...entry }) => entry)).toEqual(want);
    }
    // Both kinds were there: entries without issuedBy (first release) and with it.
    expect(new Set(asRead.map((e) => timelineEntryOf(e).issuedBy))).toEqual(new Set([undefined, 'alice@example.com']));
    expect((await verify(config, { database: config.mongodbDatabase })).differences).toEqual([]);
  }, 60_000);
});
