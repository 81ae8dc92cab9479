// The DLQ tool end to end with the real processor: a command dead-lettered for a cause
// outside the record (its Avro schema id did not exist in the registry) is listed,
// previewed, and replayed once the cause is fixed; it is then applied exactly once, even
// when replayed twice. Filters of `dlq list` / `dlq replay` pick the right records.
//
// How the schema id gets fixed: a producer framed the command with a schema id this
// registry does not know (say it registered against another registry). Apicurio's
// Confluent API cannot register under a chosen id (no IMPORT mode), but it hands out ids
// from one increasing sequence; so the test frames the record with an id a little beyond
// the highest one in use, and the "fix" registers writer schemas (copies of CreateOrder
// that differ only in `doc`, so each is new content with the same binary encoding) until
// that id exists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '../../src/processor/messages.js';
import { COMMAND_CONTRACTS, frame, toAvroValue, type AvroSchema } from '../../src/schemas/index.js';
import { createProducer, type Producer } from '../../src/shared/kafka.js';
import { ordersCollection } from '../../src/shared/orders-collection.js';
import { findOutcome } from '../../src/shared/command-outcomes.js';
import { REPLAYED_FROM_HEADER } from '../../src/tools/dlq-selection.js';
import { runDlqCli } from '../../src/tools/dlq.js';
import { command, createOrder, waitFor } from '../support/commands.js';
import { consumeAll } from '../support/kafka-read.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';
import { uniqueName } from '../support/stack-env.js';

/** Ids left between the highest id in use and ours, for registrations by anyone else meanwhile. */
const ID_HEADROOM = 30;

interface Listed {
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  sourceTopic: string;
  sourcePartition: string;
  sourceOffset: string;
  errorCode: string;
  reason: string;
  orderId: string | null;
  size: number;
}

describe('dlq list / replay with the real processor', () => {
  const env = isolatedEnv('dlq', 3);
  const run = uniqueName('dlq-test');
  const registryUrl = env.SCHEMA_REGISTRY_URL!.replace(/\/$/, '');
  let p: RunningProcessor;
  let producer: Producer;

  beforeAll(async () => {
    p = await startProcessor(env);
    producer = createProducer(p.kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await p?.stop();
  });

  const cli = async (...args: string[]) => {
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await runDlqCli(args, { env, out: (l) => lines.push(l), err: (l) => errors.push(l), confirm: async () => false });
    return { code, lines, errors };
  };
  const listJson = async (...filters: string[]): Promise<Listed[]> => {
    const r = await cli('list', '--json', ...filters);
    expect(r.code, r.errors.join('\n')).toBe(0);
    return r.lines.map((l) => JSON.parse(l) as Listed);
  };
  const outcomeOf = (commandId: string) => waitFor(() => findOutcome(p.db, commandId), 60_000, `outcome of ${commandId}`);
  const recordsOnCommands = async () => {
    const admin = p.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(p.config.topics.commands)).reduce((n, o) => n + Number(o.high), 0);
    } finally {
      await admin.disconnect();
    }
  };

  const register = async (subject: string, schema: AvroSchema): Promise<number> => {
    const res = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(schema) }),
    });
    if (!res.ok) throw new Error(`registering ${subject}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: number }).id;
  };
  const schemaById = async (id: number): Promise<{ doc?: string; name?: string } | undefined> => {
    const res = await fetch(`${registryUrl}/schemas/ids/${id}`);
    if (res.status === 404) return undefined;
    return JSON.parse(((await res.json()) as { schema: string }).schema) as { doc?: string; name?: string };
  };

  const createContract = COMMAND_CONTRACTS.CreateOrder;
  const writerVariant = (n: number): AvroSchema => ({ ...(createContract.avroSchema as Extract<AvroSchema, { type: 'record' }>), doc: `${run} CreateOrder writer copy ${n}` });

  /** The fix: register writer copies, ten at a time, until schema id `target` exists (each under its own subject: Apicurio answers a doc-only change in a known subject with the old id). */
  const registerUntilIdExists = async (target: number): Promise<void> => {
    let n = 1;
    for (let highest = 0; highest < target; ) {
      if (n > ID_HEADROOM * 5) throw new Error(`schema id ${target} still does not exist after ${n - 1} registrations`);
      const wave = Array.from({ length: 10 }, () => n++);
      highest = Math.max(...(await Promise.all(wave.map((i) => register(`${run}-writer-${i}`, writerVariant(i))))));
    }
  };

  it('an Avro command with a then-unknown schema id: dead-lettered, listed, dry-run, replayed after the schema exists, applied once', async () => {
    const topics = p.config.topics;
    const orderId = uniqueName('ORD-dlq');
    const create = createOrder(orderId);
    const body = createContract.avroType.toBuffer(toAvroValue(createContract.schema, create));
    const target = (await register(`${run}-probe`, writerVariant(0))) + ID_HEADROOM;
    expect(await schemaById(target)).toBeUndefined();
    const original = frame(target, body);
    await producer.send({ topic: topics.commands, messages: [{ key: orderId, value: original, headers: { 'x-origin': 'dlq-test' } }] });

    // 1. The processor dead-letters it; `dlq list` shows where it came from and why.
    const [letter] = await waitFor(async () => {
      const l = await listJson('--order-id', orderId);
      return l.length > 0 && l;
    }, 60_000, 'the dead letter');
    expect(letter).toMatchObject({
      dlqTopic: topics.deadLetters,
      sourceTopic: topics.commands,
      errorCode: 'UNKNOWN_SCHEMA_ID',
      reason: `schema id ${target} is unknown to the schema registry`,
      orderId,
      size: original.length,
    });
    const human = await cli('list', '--order-id', orderId);
    expect(human.lines).toEqual([expect.stringMatching(new RegExp(`^dlq ${letter!.dlqPartition}/${letter!.dlqOffset}  from ${topics.commands} ${letter!.sourcePartition}/${letter!.sourceOffset}  UNKNOWN_SCHEMA_ID  order ${orderId}  ${original.length} B  `))]);
    expect(await ordersCollection(p.db).countDocuments({ _id: orderId })).toBe(0);

    // 2. The fix, outside the record: the schema id now exists, holding a CreateOrder writer schema.
    await registerUntilIdExists(target);
    const fixed = await schemaById(target);
    expect(fixed?.doc, `schema id ${target} was taken by a concurrent registration, not by this test's writer copy`).toContain(run);

    // 3. Dry run and a replay without --yes (not confirmed) produce nothing.
    const before = await recordsOnCommands();
    const dry = await cli('replay', '--order-id', orderId, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.lines).toEqual([expect.stringMatching(new RegExp(`^would replay dlq ${letter!.dlqPartition}/${letter!.dlqOffset} .*  →  ${topics.commands}$`))]);
    expect(dry.errors.join('\n')).toContain('nothing was produced');
    const unconfirmed = await cli('replay', '--order-id', orderId);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.errors.join('\n')).toContain('--yes');
    expect(await recordsOnCommands()).toBe(before);

    // 4. Replay: the command is applied.
    const replayed = await cli('replay', '--order-id', orderId, '--yes');
    expect(replayed.code, replayed.errors.join('\n')).toBe(0);
    expect(replayed.lines).toHaveLength(1);
    expect(replayed.errors.join('\n')).toContain('applies a commandId once');
    expect(await outcomeOf(create.commandId)).toMatchObject({ status: 'applied', version: 1 });
    expect(await ordersCollection(p.db).findOne({ _id: orderId })).toMatchObject({ version: 1, order: { status: 'received', customerId: 'CUST-001' } });

    // The replayed record: same bytes, key and partition as the original, original headers, no DLQ headers but its origin.
    const onCommands = (await consumeAll(p.kafka, topics.commands, 2, 'read_committed', 1000)).filter((r) => r.key === orderId);
    expect(onCommands).toHaveLength(2);
    const [first, again] = onCommands as [(typeof onCommands)[0], (typeof onCommands)[0]];
    expect(again.value.equals(original)).toBe(true);
    expect(again.partition).toBe(first.partition);
    expect(again.headers).toEqual({ 'x-origin': 'dlq-test', [REPLAYED_FROM_HEADER]: `${topics.deadLetters}/${letter!.dlqPartition}/${letter!.dlqOffset}` });

    // 5. Replaying the same dead letter again writes a second record; the processor applies the command only once.
    expect((await cli('replay', '--order-id', orderId, '--yes')).code).toBe(0);
    const validate = command('ValidateOrder', orderId);
    await producer.send({ topic: topics.commands, messages: [{ key: orderId, value: Buffer.from(JSON.stringify(validate)) }] });
    expect(await outcomeOf(validate.commandId)).toMatchObject({ status: 'applied', version: 2 });
    expect((await ordersCollection(p.db).findOne({ _id: orderId }))?.version).toBe(2); // created once, validated once
    expect(await listJson('--order-id', orderId)).toHaveLength(1); // neither replay was dead-lettered
  });

  it('filters: error code, order, partition with an offset range, limit; replay --dry-run selects the same', async () => {
    const topics = p.config.topics;
    const a = uniqueName('ORD-fa');
    const b = uniqueName('ORD-fb');
    const poison = [
      { key: a, value: Buffer.from('{"commandId": "trunc'), code: 'MALFORMED' },
      { key: a, value: Buffer.from([0xde, 0xad]), code: 'UNKNOWN_MAGIC_BYTE' },
      { key: a, value: Buffer.from(JSON.stringify({ ...command('ValidateOrder', a), type: 'TeleportOrder' })), code: 'UNKNOWN_COMMAND_TYPE' },
      { key: b, value: Buffer.from('{"not": "closed"'), code: 'MALFORMED' },
    ];
    await producer.send({ topic: topics.commands, messages: poison.map(({ key, value }) => ({ key, value })) });
    const mine = (l: Listed) => l.orderId === a || l.orderId === b;
    const all = await waitFor(async () => {
      const l = (await listJson()).filter(mine);
      return l.length === poison.length && l;
    }, 60_000, 'four dead letters');
    expect(all.map((l) => [l.orderId, l.errorCode])).toEqual(expect.arrayContaining(poison.map((x) => [x.key, x.code])));

    const pick = async (...filters: string[]) => (await listJson(...filters)).filter(mine).map((l) => [l.orderId, l.errorCode]);
    expect(await pick('--error', 'MALFORMED')).toEqual(expect.arrayContaining([[a, 'MALFORMED'], [b, 'MALFORMED']]));
    expect(await pick('--error', 'MALFORMED')).toHaveLength(2);
    expect(await pick('--order-id', a)).toEqual([[a, 'MALFORMED'], [a, 'UNKNOWN_MAGIC_BYTE'], [a, 'UNKNOWN_COMMAND_TYPE']]);
    expect(await pick('--order-id', a, '--error', 'unknown_magic_byte,UNKNOWN_COMMAND_TYPE')).toEqual([[a, 'UNKNOWN_MAGIC_BYTE'], [a, 'UNKNOWN_COMMAND_TYPE']]);
    expect(await pick('--order-id', a, '--limit', '1')).toEqual([[a, 'MALFORMED']]);

    // a's three records share a partition (same key); the offset range picks the middle one.
    const ofA = all.filter((l) => l.orderId === a).sort((x, y) => Number(x.dlqOffset) - Number(y.dlqOffset));
    const middle = ofA[1]!;
    expect(await listJson('--partition', String(middle.dlqPartition), '--from-offset', middle.dlqOffset, '--to-offset', middle.dlqOffset)).toEqual([
      expect.objectContaining({ orderId: a, errorCode: 'UNKNOWN_MAGIC_BYTE', dlqOffset: middle.dlqOffset }),
    ]);

    const summary = await cli('list', '--order-id', b);
    expect(summary.errors).toEqual([expect.stringMatching(new RegExp(`^1 of \\d+ dead letters in ${topics.deadLetters.replace(/\./g, '\\.')} selected$`))]);

    const dry = await cli('replay', '--order-id', b, '--dry-run');
    expect(dry.lines).toEqual([expect.stringContaining(`MALFORMED  order ${b}`)]);
    const none = await cli('replay', '--order-id', 'ORD-nobody-here', '--yes');
    expect([none.code, none.lines, none.errors.join('')]).toEqual([0, [], expect.stringContaining('nothing to replay')]);

    const bad = await cli('list', '--partition', 'two', '--limit', '0');
    expect(bad.code).toBe(2);
    expect(bad.errors.join('\n')).toContain('--partition must be a whole number, got "two"');
    // Guard that the DLQ headers this test leans on are the processor's.
    expect(DLQ_HEADERS.errorCode).toBe('x-dlq-error-code');
  });
});
