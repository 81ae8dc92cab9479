// docs/asyncapi.yaml is generated from src/schemas (npm run docs:asyncapi). This keeps the
// committed file identical to a fresh generation, checks its AsyncAPI 3.0 structure
// (@asyncapi/parser is not installed), and checks it against what the processor writes:
// every payload is the current contract, every header name is one the processor sets.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deadLetterMessage, eventMessage, outcomeMessage } from '../../src/processor/messages.js';
import { AvroEncoder, COMMAND_CONTRACTS, COMMAND_TYPES, EVENT_CONTRACTS, EVENT_TYPES, OUTCOME_CONTRACT, plainJsonSchema, subjectFor } from '../../src/schemas/index.js';
import { loadConfig } from '../../src/shared/config.js';
import { ASYNCAPI_FILE, renderAsyncApi } from '../../src/tools/asyncapi.js';
import { InMemoryRegistry } from './support/in-memory-registry.js';
import { historyTo } from './support/order-fixtures.js';

interface Message {
  name: string;
  contentType: string;
  headers: { $ref: string };
  payload: Record<string, unknown> & { schemaFormat?: string; schema?: unknown };
  bindings: { kafka: { key: unknown; schemaIdLocation?: string; schemaIdPayloadEncoding?: string; 'x-subject'?: string } };
}
interface HeaderSchema { properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean }
interface Doc {
  asyncapi: string;
  info: { version: string };
  channels: Record<string, { address: string; messages: Record<string, Message> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: { schemas: Record<string, HeaderSchema> };
}

const committed = readFileSync(ASYNCAPI_FILE, 'utf8');
const doc = parse(committed) as Doc;
const AVRO = 'application/vnd.apache.avro+json;version=1.9.0';
const topics = loadConfig({ MONGODB_URI: 'mongodb://m/', KAFKA_BROKERS: 'k:9092', SCHEMA_REGISTRY_URL: 'http://r/apis/ccompat/v7' }).topics;

/** Resolves a local `#/a/b/c` reference inside the document. */
const resolve = <T>(ref: string): T => ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc) as T;
const headersOf = (m: Message) => resolve<HeaderSchema>(m.headers.$ref);
const channel = (address: string) => Object.values(doc.channels).find((c) => c.address === address)!;

describe('docs/asyncapi.yaml', () => {
  it('is what `npm run docs:asyncapi` generates from the current schemas', () => {
    expect(committed, 'docs/asyncapi.yaml is stale: run npm run docs:asyncapi and commit it').toBe(renderAsyncApi());
  });

  it('is an AsyncAPI 3.0.0 document for the package version', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info.version).toBe((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version);
  });

  it('has one channel per topic, at the default topic names', () => {
    expect(Object.values(doc.channels).map((c) => c.address).sort()).toEqual([topics.commands, topics.events, topics.outcomes, topics.deadLetters].sort());
  });

  it('has operations that point at existing channels and at messages of that channel only', () => {
    const actions = Object.values(doc.operations).map((op) => {
      const ch = resolve<Doc['channels'][string]>(op.channel.$ref);
      expect(ch, op.channel.$ref).toBeDefined();
      expect(op.messages.length).toBeGreaterThan(0);
      for (const m of op.messages) {
        expect(m.$ref.startsWith(`${op.channel.$ref}/messages/`), m.$ref).toBe(true);
        expect(resolve(m.$ref), m.$ref).toBeDefined();
      }
      expect(op.messages.length).toBe(Object.keys(ch.messages).length);
      return [ch.address, op.action];
    });
    expect(Object.fromEntries(actions)).toEqual({ [topics.commands]: 'receive', [topics.events]: 'send', [topics.outcomes]: 'send', [topics.deadLetters]: 'send' });
  });

  it('resolves every message header reference', () => {
    for (const c of Object.values(doc.channels)) for (const m of Object.values(c.messages)) expect(headersOf(m)?.properties, m.name).toBeDefined();
  });

  it('describes each command type as JSON and as Avro, payloads equal to the current contract', () => {
    const messages = channel(topics.commands).messages;
    for (const t of COMMAND_TYPES) {
      const json = messages[`${t}Json`]!;
      expect(json.contentType).toBe('application/json');
      expect(json.payload).toEqual(plainJsonSchema(COMMAND_CONTRACTS[t].schema));
      const avro = messages[`${t}Avro`]!;
      expect(avro.payload).toEqual({ schemaFormat: AVRO, schema: COMMAND_CONTRACTS[t].avroSchema });
      expect(avro.bindings.kafka['x-subject']).toBe(subjectFor(topics.commands, COMMAND_CONTRACTS[t].recordName));
    }
    expect(Object.keys(messages)).toHaveLength(COMMAND_TYPES.length * 2);
  });

  it('describes each event type with its current Avro schema, in the Confluent wire format', () => {
    const messages = channel(topics.events).messages;
    expect(Object.keys(messages).sort()).toEqual([...EVENT_TYPES].sort());
    for (const t of EVENT_TYPES) {
      expect(messages[t]!.payload).toEqual({ schemaFormat: AVRO, schema: EVENT_CONTRACTS[t].avroSchema });
      expect(messages[t]!.bindings.kafka).toMatchObject({ schemaIdLocation: 'payload', schemaIdPayloadEncoding: 'confluent', 'x-subject': subjectFor(topics.events, EVENT_CONTRACTS[t].recordName) });
    }
  });

  it('describes the outcome with its current Avro schema', () => {
    expect(channel(topics.outcomes).messages.CommandOutcome!.payload).toEqual({ schemaFormat: AVRO, schema: OUTCOME_CONTRACT.avroSchema });
  });

  describe('headers, against the records the processor builds', async () => {
    const encoder = new AvroEncoder(new InMemoryRegistry());
    const events = historyTo('shipped');
    // With tracing on, every documented header is there; with it off, the trace ones are not.
    const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=1' };

    it('events carry exactly the documented CloudEvents headers, the required ones always', async () => {
      const schema = headersOf(channel(topics.events).messages.OrderReceived!);
      for (const event of events) {
        const names = Object.keys((await eventMessage(encoder, topics.events, 'order-service', event, trace)).headers);
        expect(names.sort()).toEqual(Object.keys(schema.properties).sort());
        const untraced = Object.keys((await eventMessage(encoder, topics.events, 'order-service', event)).headers);
        expect(untraced).toEqual(expect.arrayContaining(schema.required ?? []));
        expect(untraced.filter((h) => /trace/.test(h))).toEqual([]);
      }
      for (const t of EVENT_TYPES) expect(headersOf(channel(topics.events).messages[t]!)).toBe(schema);
    });

    it('outcomes carry exactly the documented headers', async () => {
      const outcome = { commandId: events[0]!.causationId, orderId: events[0]!.orderId, commandType: 'CreateOrder' as const, correlationId: events[0]!.correlationId, status: 'applied' as const, version: 1, eventIds: [events[0]!.eventId] };
      const names = Object.keys((await outcomeMessage(encoder, topics.outcomes, outcome, trace)).headers);
      expect(names.sort()).toEqual(Object.keys(headersOf(channel(topics.outcomes).messages.CommandOutcome!).properties).sort());
    });

    it('dead letters keep the original headers and add exactly the documented x-dlq-* ones', () => {
      const original = { 'content-type': 'application/json', 'x-producer': 'someone' };
      const record = { key: Buffer.from('ORD-1'), value: Buffer.from('{not json'), headers: original };
      const letter = deadLetterMessage(record, topics.commands, { partition: 3, offset: '42' }, { code: 'MALFORMED', message: 'bad' }, new Date(), 1_000_000);
      const added = Object.keys(letter.headers).filter((h) => !(h in original));
      const schema = headersOf(channel(topics.deadLetters).messages.DeadLetter!);
      expect(schema.required?.sort()).toEqual(added.sort());
      expect(schema.additionalProperties).toBe(true);
      expect(letter.value).toBe(record.value);
      // A value too large for the limit is left out, and a header says so: documented too.
      const big = deadLetterMessage({ ...record, value: Buffer.alloc(20_000) }, topics.commands, { partition: 3, offset: '42' }, { code: 'MALFORMED', message: 'bad' }, new Date(), 10_000);
      expect(big.value).toBeNull();
      expect(big.headers).toMatchObject({ ...original, 'x-dlq-value-omitted': '20000' });
      const bigAdded = Object.keys(big.headers).filter((h) => !(h in original));
      const noHeaders = deadLetterMessage({ ...record, headers: { huge: 'h'.repeat(20_000) } }, topics.commands, { partition: 3, offset: '42' }, { code: 'MALFORMED', message: 'bad' }, new Date(), 10_000);
      expect(noHeaders.headers).toMatchObject({ 'x-dlq-headers-omitted': '1' });
      expect(noHeaders.headers.huge).toBeUndefined();
      expect([...new Set([...bigAdded, ...Object.keys(noHeaders.headers)])].sort()).toEqual(Object.keys(schema.properties).sort());
    });
  });
});
