// Round trips for every schema, the JSON/Avro command paths, and typed decode errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import avro from 'avsc';
import { decide, handle, initialState, toOutcome } from '../../../src/domain/index.js';
import {
  AvroEncoder,
  COMMAND_CONTRACTS,
  COMMAND_TYPES,
  DecodeError,
  EVENT_TYPES,
  IncompatibleSchemaError,
  MalformedError,
  TruncatedError,
  UnknownCommandTypeError,
  UnknownMagicByteError,
  UnknownSchemaIdError,
  ValidationFailedError,
  ValueTooLargeError,
  EmptyValueError,
  buildCommand,
  decodeCommand,
  decodeEvent,
  decodeOutcome,
  encodeCommandAvro,
  encodeCommandJson,
  encodeEvent,
  encodeOutcome,
  frame,
  toAvroValue,
  toCommandPayload,
  validateHttpBody,
  type Command,
  type OrderEvent,
} from '../../../src/schemas/index.js';
import { InMemoryRegistry } from '../support/in-memory-registry.js';
import { command, createPayload, historyTo, run, seedCreateBody } from '../support/order-fixtures.js';

const COMMANDS_TOPIC = 'wms.orders.commands';
const EVENTS_TOPIC = 'wms.orders.events';
const OUTCOMES_TOPIC = 'wms.orders.command-outcomes';

const setup = () => {
  const registry = new InMemoryRegistry();
  return { registry, encoder: new AvroEncoder(registry) };
};

/** One sample per command type, plus the optional-field variants. */
const sampleCommands = (): Command[] => [
  ...COMMAND_TYPES.map((t) => command(t)),
  command('CreateOrder', { ...createPayload(), promisedDeliveryAt: '2026-12-01T10:00:00+02:00' }),
  command('ModifyOrder', {
    shippingAddress: createPayload().shippingAddress,
    priority: 'next_day',
    items: createPayload().items,
    promisedDeliveryAt: '2026-12-01T10:00:00Z',
  }),
];

/** One sample per event type (and the optional-field variants). */
const sampleEvents = (): OrderEvent[] => {
  const promised = run([command('CreateOrder', { ...createPayload(), promisedDeliveryAt: '2026-11-01T00:00:00Z' }), command('ValidateOrder')]).events;
  const modified = run([command('CreateOrder'), command('ModifyOrder', { priority: 'same_day' })]).events;
  return [...historyTo('completed'), ...run([command('CreateOrder'), command('CancelOrder')]).events, ...promised, ...modified];
};

const expectDecodeError = async (p: Promise<unknown>, cls: abstract new (...a: never[]) => DecodeError, code?: string) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(cls);
  if (code) expect((e as DecodeError).code).toBe(code);
};

describe('command round trips', () => {
  it.each(sampleCommands().map((c) => [c.type, c] as const))('%s: Avro and JSON decode to the same command', async (_t, c) => {
    const { registry, encoder } = setup();
    const viaAvro = await decodeCommand(await encodeCommandAvro(encoder, COMMANDS_TOPIC, c), registry);
    const viaJson = await decodeCommand(encodeCommandJson(c), registry);
    expect(viaAvro).toEqual(c);
    expect(viaJson).toEqual(c);
  });

  it('registers commands under topic + record name subjects', async () => {
    const { registry, encoder } = setup();
    await encodeCommandAvro(encoder, COMMANDS_TOPIC, command('CancelOrder'));
    expect([...registry.subjects.keys()]).toEqual(['wms.orders.commands-wms.orders.commands.CancelOrder']);
  });

  it('the JSON command of docs/design.md §3 is valid', async () => {
    const value = Buffer.from(
      `{"commandId": "5f0c7a1e-8a0b-4d39-9a43-1f0d3f1e2b7c", "type": "CancelOrder",
 "orderId": "ORD-0193a1b2c3d4", "issuedAt": "2026-11-25T12:00:00Z",
 "correlationId": "550e8400-e29b-41d4-a716-446655440000", "source": "wave-planner",
 "payload": {"reason": "Customer request"}}`,
    );
    const c = await decodeCommand(value, setup().registry);
    expect(c).toMatchObject({ type: 'CancelOrder', payload: { reason: 'Customer request' } });
  });

  it('the seed create body is a valid HTTP body and becomes a command accepted by the domain', async () => {
    const body = validateHttpBody('CreateOrder', JSON.parse(JSON.stringify(seedCreateBody)));
    if (!body.ok) throw new Error(JSON.stringify(body.issues));
    const payload = toCommandPayload('CreateOrder', body.value);
    expect(payload.items[0]?.price.amount).toBe('29.99');
    const c = buildCommand(
      'CreateOrder',
      { commandId: '5f0c7a1e-8a0b-4d39-9a43-1f0d3f1e2b7c', orderId: 'ORD-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', issuedAt: '2026-11-25T12:00:00Z', correlationId: 'corr-1', source: 'order-edge' },
      payload,
    );
    const { registry, encoder } = setup();
    for (const value of [encodeCommandJson(c), await encodeCommandAvro(encoder, COMMANDS_TOPIC, c)]) {
      const decoded = await decodeCommand(value, registry);
      expect(decide(decoded, initialState)).toMatchObject({ kind: 'accepted', events: [{ totalAmount: { amountMinor: 5998, currency: 'USD' } }] });
    }
  });

  it('a JSON command written by another service may carry the seed amount as a number', async () => {
    const raw = { ...command('CreateOrder'), payload: seedCreateBody };
    const c = await decodeCommand(Buffer.from(JSON.stringify(raw)), setup().registry);
    expect(c.type === 'CreateOrder' && c.payload.items[0]?.price.amount).toBe('29.99');
  });
});

describe('event and outcome round trips', () => {
  it('every event type is covered by the samples', () => {
    expect(new Set(sampleEvents().map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
  });

  it.each(sampleEvents().map((e) => [e.type, e] as const))('%s round-trips through Avro', async (_t, event) => {
    const { registry, encoder } = setup();
    const value = await encodeEvent(encoder, EVENTS_TOPIC, event);
    expect(value[0]).toBe(0);
    expect(await decodeEvent(value, registry)).toEqual(event);
    expect([...registry.subjects.keys()]).toEqual([`${EVENTS_TOPIC}-wms.orders.${event.type}`]);
  });

  it('applied and rejected outcomes round-trip', async () => {
    const { registry, encoder } = setup();
    const create = command('CreateOrder');
    const applied = handle(initialState, create);
    const rejected = handle(applied.state, command('MarkShipped'));
    for (const outcome of [toOutcome(create, applied.result), toOutcome(create, rejected.result)]) {
      expect(await decodeOutcome(await encodeOutcome(encoder, OUTCOMES_TOPIC, outcome), registry)).toEqual(outcome);
    }
  });

  it('refuses to encode an invalid record (a caller bug, not a decode error)', async () => {
    const [event] = historyTo('received');
    await expect(encodeEvent(setup().encoder, EVENTS_TOPIC, { ...event!, version: 0 })).rejects.toThrow(/refusing to encode/);
  });

  it('a failed registration is retried on the next encode', async () => {
    const registry = new InMemoryRegistry();
    let fail = true;
    const encoder = new AvroEncoder({ register: (s, schema) => (fail ? Promise.reject(new Error('registry down')) : registry.register(s, schema)) });
    const [event] = historyTo('received');
    await expect(encodeEvent(encoder, EVENTS_TOPIC, event!)).rejects.toThrow('registry down');
    fail = false;
    expect(await decodeEvent(await encodeEvent(encoder, EVENTS_TOPIC, event!), registry)).toEqual(event);
  });
});

describe('schema resolution of older/newer writers', () => {
  it('an Avro command written without an optional field decodes (BACKWARD)', async () => {
    const { registry } = setup();
    const c = command('CancelOrder');
    const writerSchema = JSON.parse(JSON.stringify(COMMAND_CONTRACTS.CancelOrder.avroSchema));
    writerSchema.fields.push({ name: 'extra', type: 'string', default: '' });
    const writer = avro.Type.forSchema(writerSchema);
    const value = frame(registry.idFor(writerSchema), writer.toBuffer({ ...c, extra: 'ignored by our reader' }));
    expect(await decodeCommand(value, registry)).toEqual(c);
  });

  it('a writer whose field types cannot be read is INCOMPATIBLE_SCHEMA', async () => {
    const { registry } = setup();
    const writerSchema = JSON.parse(JSON.stringify(COMMAND_CONTRACTS.CancelOrder.avroSchema));
    writerSchema.fields.find((f: { name: string }) => f.name === 'payload').type = 'long';
    const value = frame(registry.idFor(writerSchema), avro.Type.forSchema(writerSchema).toBuffer({ ...command('CancelOrder'), payload: 1 }));
    await expectDecodeError(decodeCommand(value, registry), IncompatibleSchemaError, 'INCOMPATIBLE_SCHEMA');
  });
});

describe('typed decode errors', () => {
  const { registry, encoder } = setup();
  const avroValue = () => encodeCommandAvro(encoder, COMMANDS_TOPIC, command('CreateOrder'));

  it('empty and oversized values', async () => {
    await expectDecodeError(decodeCommand(Buffer.alloc(0), registry), EmptyValueError, 'EMPTY_VALUE');
    await expectDecodeError(decodeCommand(null, registry), EmptyValueError);
    await expectDecodeError(decodeCommand(Buffer.alloc(300 * 1024, 0x7b), registry), ValueTooLargeError, 'VALUE_TOO_LARGE');
    await expectDecodeError(decodeCommand(encodeCommandJson(command('CreateOrder')), registry, { maxBytes: 10 }), ValueTooLargeError);
  });

  it('unknown magic byte', async () => {
    await expectDecodeError(decodeCommand(Buffer.from([1, 0, 0, 0, 1]), registry), UnknownMagicByteError, 'UNKNOWN_MAGIC_BYTE');
    await expectDecodeError(decodeCommand(Buffer.from('[1,2]'), registry), UnknownMagicByteError);
    await expectDecodeError(decodeEvent(encodeCommandJson(command('CreateOrder')), registry), UnknownMagicByteError);
  });

  it('unknown schema id', async () => {
    await expectDecodeError(decodeCommand(frame(999_999, Buffer.from([2])), registry), UnknownSchemaIdError, 'UNKNOWN_SCHEMA_ID');
  });

  it('truncated header and body', async () => {
    await expectDecodeError(decodeCommand(Buffer.from([0, 0, 0]), registry), TruncatedError, 'TRUNCATED');
    const v = await avroValue();
    await expectDecodeError(decodeCommand(v.subarray(0, v.length - 3), registry), TruncatedError);
  });

  it('trailing bytes after an Avro value are malformed', async () => {
    await expectDecodeError(decodeCommand(Buffer.concat([await avroValue(), Buffer.from([0])]), registry), MalformedError, 'MALFORMED');
  });

  it('a huge array block count fails fast instead of looping', async () => {
    const c = command('CreateOrder');
    const { avroType, schema } = COMMAND_CONTRACTS.CreateOrder;
    const empty = avroType.toBuffer(toAvroValue(schema, { ...c, payload: { ...c.payload, items: [] } }));
    const marker = Buffer.concat([Buffer.from('CUST-001'), Buffer.from([0x04])]); // customerId, then priority "standard"
    const at = empty.indexOf(marker) + marker.length; // the items block count (0 = empty array)
    const huge = avro.Type.forSchema('long').toBuffer(2 ** 27); // avsc alone spins for >20 s on this
    const id = await encoder.schemaId(COMMAND_CONTRACTS.CreateOrder, COMMANDS_TOPIC);
    const value = frame(id, Buffer.concat([empty.subarray(0, at), huge, empty.subarray(at + 1)]));
    const started = Date.now();
    await expectDecodeError(decodeCommand(value, registry), TruncatedError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('invalid JSON and invalid UTF-8 are malformed', async () => {
    await expectDecodeError(decodeCommand(Buffer.from('{"commandId": '), registry), MalformedError);
    await expectDecodeError(decodeCommand(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), registry), MalformedError);
  });

  it('unknown command type (JSON and Avro)', async () => {
    const json = { ...command('CancelOrder'), type: 'DeleteOrder' };
    await expectDecodeError(decodeCommand(Buffer.from(JSON.stringify(json)), registry), UnknownCommandTypeError, 'UNKNOWN_COMMAND_TYPE');
    const foreign = { type: 'record', name: 'wms.orders.commands.DeleteOrder', fields: [{ name: 'orderId', type: 'string' }] };
    const value = frame(registry.idFor(foreign), avro.Type.forSchema(foreign as never).toBuffer({ orderId: 'ORD-1' }));
    await expectDecodeError(decodeCommand(value, registry), UnknownCommandTypeError);
  });

  it('wrong field types and broken rules fail validation with one issue per field', async () => {
    const bad = { ...command('CreateOrder'), payload: { ...seedCreateBody, items: [{ ...seedCreateBody.items[0], quantity: '2' }], extra: true } };
    const e = await decodeCommand(Buffer.from(JSON.stringify(bad)), registry).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ValidationFailedError);
    expect((e as ValidationFailedError).issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/payload/items/0/quantity', '/payload/extra']));
    const mismatch = { ...command('CancelOrder'), payload: createPayload() };
    await expectDecodeError(decodeCommand(Buffer.from(JSON.stringify(mismatch)), registry), ValidationFailedError, 'VALIDATION_FAILED');
    await expectDecodeError(decodeCommand(Buffer.from(JSON.stringify({ ...command('CancelOrder'), orderId: 'ORD 1' })), registry), ValidationFailedError);
    await expectDecodeError(decodeCommand(Buffer.from('{"type": 5}'), registry), ValidationFailedError);
  });

  it('an Avro value whose content breaks the rules fails validation too', async () => {
    const c = { ...command('CancelOrder'), orderId: 'not a valid id!' };
    const value = frame(await encoder.schemaId(COMMAND_CONTRACTS.CancelOrder, COMMANDS_TOPIC), COMMAND_CONTRACTS.CancelOrder.avroType.toBuffer(c));
    await expectDecodeError(decodeCommand(value, registry), ValidationFailedError);
  });

  it('a registry failure is not a decode error: it propagates for the processor to retry', async () => {
    const value = await avroValue();
    const down = { getSchema: () => Promise.reject(new Error('ECONNREFUSED')) };
    const e = await decodeCommand(value, down).catch((err: unknown) => err);
    expect(e).not.toBeInstanceOf(DecodeError);
    expect((e as Error).message).toBe('ECONNREFUSED');
  });
});

describe('fuzzing: bad bytes only ever give a typed decode error', () => {
  const { registry, encoder } = setup();
  const decodeOutcomeOf = async (value: Buffer): Promise<'ok' | 'typed'> => {
    try {
      await decodeCommand(value, registry);
      return 'ok';
    } catch (e) {
      if (e instanceof DecodeError) return 'typed';
      throw e;
    }
  };

  it('random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
      expect(await decodeOutcomeOf(Buffer.from(bytes))).toBe('typed');
    }), { numRuns: 500 });
  });

  it('random bodies behind a known schema id', async () => {
    const ids = await Promise.all(COMMAND_TYPES.map((t) => encoder.schemaId(COMMAND_CONTRACTS[t], COMMANDS_TOPIC)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ids), fc.uint8Array({ maxLength: 300 }), async (id, body) => {
        await decodeOutcomeOf(frame(id, Buffer.from(body)));
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated valid Avro and JSON values', async () => {
    const values = await Promise.all(
      sampleCommands().flatMap((c) => [encodeCommandAvro(encoder, COMMANDS_TOPIC, c), Promise.resolve(encodeCommandJson(c))]),
    );
    const mutation = fc.record({
      pick: fc.nat(),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete', 'truncate')), { minLength: 1, maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ pick, edits }) => {
        let bytes = [...(values[pick % values.length] as Buffer)];
        for (const [pos, byte, op] of edits) {
          const i = bytes.length === 0 ? 0 : pos % bytes.length;
          if (op === 'set') bytes[i] = byte;
          else if (op === 'insert') bytes.splice(i, 0, byte);
          else if (op === 'delete') bytes.splice(i, 1);
          else bytes = bytes.slice(0, i);
        }
        const result = await decodeOutcomeOf(Buffer.from(bytes));
        expect(['ok', 'typed']).toContain(result);
      }),
      { numRuns: 2000 },
    );
  });
});

