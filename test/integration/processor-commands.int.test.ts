// Processor on the real stack: JSON and Avro commands become MongoDB documents, Avro
// events (decoded through the registry) and outcomes; poison records end in the DLQ
// with their original bytes while the partition keeps moving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '../../src/processor/messages.js';
import { AvroEncoder, decodeEvent, decodeOutcome, encodeCommandAvro, encodeCommandJson, frame, type Command } from '../../src/schemas/index.js';
import { createProducer, type Producer } from '../../src/shared/kafka.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { historyCollection } from '../../src/shared/history-collection.js';
import { outcomesCollection } from '../../src/shared/outcomes-collection.js';
import { createRegistry, schemaRegistrar, schemaResolver } from '../../src/shared/registry.js';
import { command, createOrder, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { uniqueName } from '../support/stack-env.js';

describe('processor: commands to state, events and outcomes', () => {
  let p: RunningProcessor;
  let producer: Producer;
  const env = isolatedEnv('proc-cmd', 3);
  const resolver = schemaResolver(env.SCHEMA_REGISTRY_URL!);

  beforeAll(async () => {
    p = await startProcessor(env);
    producer = createProducer(p.kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await p.stop();
  });

  const sendJson = (c: Command) => producer.send({ topic: p.config.topics.commands, messages: [{ key: c.orderId, value: encodeCommandJson(c) }] });
  const outcomeOf = (commandId: string) => waitFor(() => findOutcome(p.db, commandId), 60_000, `outcome of ${commandId}`);

  it('applies JSON and Avro commands in order and publishes registry-decodable events with CloudEvents headers', async () => {
    const orderId = uniqueName('ORD');
    const create = createOrder(orderId);
    const validate = command('ValidateOrder', orderId);
    const wave = command('AssignWave', orderId, { waveId: 'WAVE-7' });
    const encoder = new AvroEncoder(schemaRegistrar(createRegistry(env.SCHEMA_REGISTRY_URL!)));
    await sendJson(create);
    await sendJson(validate);
    await producer.send({ topic: p.config.topics.commands, messages: [{ key: orderId, value: await encodeCommandAvro(encoder, p.config.topics.commands, wave) }] });

    expect((await outcomeOf(wave.commandId)).status).toBe('applied');
    const doc = await ordersCollection(p.db).findOne({ _id: orderId });
    expect(doc?.version).toBe(3);
    expect(doc?.order).toMatchObject({ status: 'wave_assigned', waveId: 'WAVE-7', customerId: 'CUST-001', totalAmount: { amountMinor: 5998, currency: 'USD' } });

    const events = (await consumeAll(p.kafka, p.config.topics.events, 3, 'read_committed', 1000)).filter((s) => s.key === orderId);
    const decoded = await Promise.all(events.map((e) => decodeEvent(e.value, resolver)));
    expect(decoded.map((e) => [e.type, e.version, e.causationId])).toEqual([
      ['OrderReceived', 1, create.commandId],
      ['OrderValidated', 2, validate.commandId],
      ['OrderWaveAssigned', 3, wave.commandId],
    ]);
    expect(events[0]!.headers).toMatchObject({ ce_specversion: '1.0', ce_type: 'wms.order.received', ce_id: decoded[0]!.eventId, ce_subject: orderId, 'content-type': 'application/avro' });

    const outcomes = (await consumeAll(p.kafka, p.config.topics.outcomes, 3, 'read_committed', 1000)).filter((s) => s.key === orderId);
    expect((await Promise.all(outcomes.map((o) => decodeOutcome(o.value, resolver)))).map((o) => [o.commandId, o.status, o.version])).toEqual([
      [create.commandId, 'applied', 1],
      [validate.commandId, 'applied', 2],
      [wave.commandId, 'applied', 3],
    ]);
  });

  // Issue 25: an applied command wrote three documents (order, history entry, outcome);
  // its outcome is now its history entry, found by commandKey. Pins that nothing else
  // is stored for it, that the outcome read back is the one published, and that a
  // resubmitted commandId (any spelling) is still answered from it.
  it('stores an applied command as its order and one history entry; only a rejection gets an outcome record', async () => {
    const orderId = uniqueName('ORD');
    const create = createOrder(orderId);
    const validate = command('ValidateOrder', orderId);
    const orphan = command('StartPicking', uniqueName('ORD-missing'));
    await sendJson(create);
    await sendJson(validate);
    await sendJson(orphan);
    await outcomeOf(orphan.commandId);
    const resent = { ...validate, commandId: validate.commandId.toUpperCase() };
    await sendJson(resent);
    const marker = command('StartPicking', uniqueName('ORD-missing'));
    await sendJson(marker);
    await outcomeOf(marker.commandId);

    const stored = await outcomesCollection(p.db).find({ _id: { $in: [create, validate, orphan].map((c) => c.commandId) } }).toArray();
    expect(stored.map((d) => d._id)).toEqual([orphan.commandId]);
    const entries = await historyCollection(p.db).find({ orderId }).sort({ version: 1 }).toArray();
    expect(entries.map((e) => [e.version, e.commandKey, e.commandType])).toEqual([
      [1, create.commandId.toLowerCase(), 'CreateOrder'],
      [2, validate.commandId.toLowerCase(), 'ValidateOrder'],
    ]);

    const published = (await consumeAll(p.kafka, p.config.topics.outcomes, 3, 'read_committed', 1000)).filter((s) => s.key === orderId);
    const [createOutcome, validateOutcome, resentOutcome] = await Promise.all(published.map((o) => decodeOutcome(o.value, resolver)));
    expect(await findOutcome(p.db, create.commandId)).toEqual(createOutcome);
    expect(await findOutcome(p.db, validate.commandId)).toEqual(validateOutcome);
    expect(resentOutcome).toEqual(validateOutcome);
    expect((await ordersCollection(p.db).findOne({ _id: orderId }))?.version).toBe(2);
  });

  it('rejects a command for an unknown order and a second CreateOrder, without dead-lettering', async () => {
    const orderId = uniqueName('ORD');
    const orphan = command('StartPicking', uniqueName('ORD-missing'));
    const create = createOrder(orderId);
    const again = createOrder(orderId);
    await sendJson(orphan);
    await sendJson(create);
    await sendJson(again);
    expect(await outcomeOf(orphan.commandId)).toMatchObject({ status: 'rejected', code: 'ORDER_NOT_FOUND', version: 0 });
    expect(await outcomeOf(again.commandId)).toMatchObject({ status: 'rejected', code: 'ORDER_ALREADY_EXISTS', version: 1 });
    expect(await findOutcome(p.db, create.commandId)).toMatchObject({ status: 'applied' });
    expect(await ordersCollection(p.db).countDocuments({ _id: orphan.orderId })).toBe(0);
  });

  // Regression (issue 20): a direct producer's issuedAt whose UTC form is past year 9999
  // was applied, with createdAt `+010000-01-01T00:30:00.000Z`: it sorts before every real
  // date and broke the edge's list cursor. Now it is a rejection with a clear reason.
  it('rejects an issuedAt whose UTC form leaves the years 0000–9999 (VALIDATION_FAILED), creating nothing', async () => {
    const orderId = uniqueName('ORD');
    const create = { ...createOrder(orderId), issuedAt: '9999-12-31T23:30:00-01:00' } as Command;
    await sendJson(create);
    const outcome = await outcomeOf(create.commandId);
    expect(outcome).toMatchObject({ status: 'rejected', code: 'VALIDATION_FAILED' });
    expect(outcome.reason).toContain('0000–9999');
    expect(await ordersCollection(p.db).findOne({ _id: orderId })).toBeNull();
  });

  it('re-delivery of an applied commandId is a no-op that repeats the earlier outcome', async () => {
    const orderId = uniqueName('ORD');
    const create = createOrder(orderId);
    await sendJson(create);
    await outcomeOf(create.commandId);
    await sendJson(create);
    const marker = command('ValidateOrder', orderId);
    await sendJson(marker);
    await outcomeOf(marker.commandId);
    const doc = await ordersCollection(p.db).findOne({ _id: orderId });
    expect(doc?.version).toBe(2); // created once, validated once
  });

  it('dead-letters poison records with their original bytes and keeps the partition moving', async () => {
    const orderId = uniqueName('ORD');
    const poison: Array<{ code: string; value: Buffer }> = [
      { code: 'UNKNOWN_MAGIC_BYTE', value: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x01]) },
      { code: 'UNKNOWN_COMMAND_TYPE', value: Buffer.from(JSON.stringify({ ...command('ValidateOrder', orderId), type: 'TeleportOrder' })) },
      { code: 'UNKNOWN_SCHEMA_ID', value: frame(987_654_321, Buffer.from([2, 4, 6])) },
      { code: 'VALUE_TOO_LARGE', value: Buffer.concat([Buffer.from('{"pad":"'), Buffer.alloc(300 * 1024, 'x'), Buffer.from('"}')]) },
      { code: 'MALFORMED', value: Buffer.from('{"commandId": "trunc') },
    ];
    // All on the same key as a valid command that follows: same partition.
    await producer.send({
      topic: p.config.topics.commands,
      messages: poison.map((x) => ({ key: orderId, value: x.value, headers: { 'x-origin': 'poison-test' } })),
    });
    const after = createOrder(orderId);
    await sendJson(after);
    expect((await outcomeOf(after.commandId)).status).toBe('applied');

    const dlq = (await consumeAll(p.kafka, p.config.topics.deadLetters, poison.length, 'read_committed', 1000)).filter((s) => s.key === orderId);
    expect(dlq.map((d) => d.headers[DLQ_HEADERS.errorCode])).toEqual(poison.map((x) => x.code));
    dlq.forEach((d, i) => {
      expect(d.value.equals(poison[i]!.value)).toBe(true);
      expect(d.headers['x-origin']).toBe('poison-test');
      expect(d.headers[DLQ_HEADERS.sourceTopic]).toBe(p.config.topics.commands);
      expect(Number(d.headers[DLQ_HEADERS.sourceOffset])).toBeGreaterThanOrEqual(0);
      expect(d.headers[DLQ_HEADERS.sourcePartition]).toMatch(/^\d+$/);
    });
  });
});
