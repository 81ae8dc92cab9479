// `npm run docs:asyncapi`: writes docs/asyncapi.yaml (AsyncAPI 3.0) from the contracts in
// src/schemas, so the published description of our four topics cannot drift from what
// the service encodes. test/unit/asyncapi.unit.test.ts regenerates it and compares.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { DLQ_HEADERS } from '../processor/messages.js';
import {
  CLOUDEVENT_TYPES,
  COMMAND_CONTRACTS,
  COMMAND_TYPES,
  EVENT_CONTRACTS,
  EVENT_TYPES,
  OUTCOME_CONTRACT,
  plainJsonSchema,
  subjectFor,
  type RecordContract,
} from '../schemas/index.js';
import { CONFIG_VARIABLES } from '../shared/config.js';

export const ASYNCAPI_FILE = fileURLToPath(new URL('../../docs/asyncapi.yaml', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));
const AVRO_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';
const KAFKA_BINDING = '0.5.0';

const defaultOf = (name: string): string => {
  const v = CONFIG_VARIABLES.find((c) => c.name === name);
  if (!v) throw new Error(`${name} is not in CONFIG_VARIABLES`);
  return v.default;
};

/** Topic names as the service uses them unless TOPIC_* says otherwise. */
const defaultTopics = () => ({
  commands: defaultOf('TOPIC_COMMANDS'),
  events: defaultOf('TOPIC_EVENTS'),
  outcomes: defaultOf('TOPIC_OUTCOMES'),
  deadLetters: defaultOf('TOPIC_DLQ'),
});

const text = { type: 'string' } as const;
const headerSchema = (properties: Record<string, { description: string; const?: string; enum?: string[] }>, required: string[]) => ({
  type: 'object',
  ...(required.length > 0 ? { required } : {}),
  properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, { ...text, ...v }])),
});
/** Header schemas live once under components.schemas; messages refer to them. */
const headersRef = (name: keyof ReturnType<typeof headerComponents>) => ({ $ref: `#/components/schemas/${name}` });

const orderKey = { kafka: { key: { ...text, description: 'orderId (murmur2 partitioner, as Java clients)' }, bindingVersion: KAFKA_BINDING } };
const avroBinding = (topic: string, c: RecordContract) => ({
  kafka: {
    ...orderKey.kafka,
    schemaIdLocation: 'payload',
    schemaIdPayloadEncoding: 'confluent',
    schemaLookupStrategy: 'TopicRecordNameStrategy',
    'x-subject': subjectFor(topic, c.recordName),
  },
});
const avroPayload = (c: RecordContract) => ({ schemaFormat: AVRO_FORMAT, schema: c.avroSchema });

/** W3C trace context (docs/tracing.md): of the span that wrote the record, or with tracing off the causing command's own. */
const TRACE_HEADERS = {
  traceparent: { description: "W3C traceparent: the processor span that wrote the record when tracing is on; with tracing off the causing command record's traceparent, carried on (absent when it had none)" },
  tracestate: { description: 'W3C tracestate, when the trace has one' },
};

/** The CloudEvents Kafka binding (binary mode) headers on every event record. */
const EVENT_HEADERS = headerSchema(
  {
    ce_specversion: { description: 'CloudEvents spec version', const: '1.0' },
    ce_id: { description: 'eventId (deterministic: a replay yields the same id)' },
    ce_type: { description: 'event type', enum: EVENT_TYPES.map((t) => CLOUDEVENT_TYPES[t]) },
    ce_source: { description: 'the service that emitted the event (SERVICE_NAME)' },
    ce_subject: { description: 'orderId' },
    ce_time: { description: 'occurredAt, RFC 3339 UTC' },
    'content-type': { description: 'Confluent-framed Avro', const: 'application/avro' },
    'correlation-id': { description: 'correlationId of the request that caused it' },
    ce_traceparent: { description: "CloudEvents distributed-tracing extension: the same value as traceparent (the processor span when tracing is on, else the causing command's traceparent)" },
    ce_tracestate: { description: 'CloudEvents distributed-tracing extension: tracestate, when the trace has one' },
    ...TRACE_HEADERS,
  },
  ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_subject', 'ce_time', 'content-type'],
);

const OUTCOME_HEADERS = headerSchema(
  {
    'content-type': { description: 'Confluent-framed Avro', const: 'application/avro' },
    'correlation-id': { description: 'correlationId of the command' },
    ...TRACE_HEADERS,
  },
  ['content-type'],
);

/** Headers the edge writes on commands; optional for other producers (the processor tells JSON from Avro by the first byte). */
const COMMAND_HEADERS = headerSchema(
  {
    'content-type': { description: 'application/json or application/avro (informative)' },
    'command-type': { description: 'the command type (informative)', enum: [...COMMAND_TYPES] },
    'correlation-id': { description: 'correlationId (informative; the value field is authoritative)' },
    traceparent: { description: "W3C traceparent: the processor continues this trace (absent: it starts a new one). The edge writes its produce span's, or with tracing off the HTTP caller's" },
    tracestate: { description: 'W3C tracestate, carried along with traceparent' },
  },
  [],
);

const DLQ_HEADER_DOCS: Record<keyof typeof DLQ_HEADERS, string> = {
  errorCode: 'why the record was rejected: a decode error code (EMPTY_VALUE, UNKNOWN_MAGIC_BYTE, MALFORMED, VALIDATION_FAILED, …)',
  errorMessage: 'the error message (at most 2,000 characters)',
  sourceTopic: 'topic the record was read from',
  sourcePartition: 'its partition (decimal)',
  sourceOffset: 'its offset (decimal)',
  failedAt: 'when it was dead-lettered, RFC 3339 UTC',
  valueOmitted: "only when the original value did not fit (PROCESSOR_MAX_RECORD_BYTES): its size in bytes; the record's value is then null, read the original from the source topic at the source offset",
  headersOmitted: 'only when not even the original headers fitted: how many were left out',
};
/** Present on every dead letter; the others only when something had to be left out. */
const OPTIONAL_DLQ_HEADERS: readonly string[] = [DLQ_HEADERS.valueOmitted, DLQ_HEADERS.headersOmitted];
const DEAD_LETTER_HEADERS = {
  ...headerSchema(
    Object.fromEntries(Object.entries(DLQ_HEADERS).map(([k, name]) => [name, { description: DLQ_HEADER_DOCS[k as keyof typeof DLQ_HEADERS] }])),
    Object.values(DLQ_HEADERS).filter((h) => !OPTIONAL_DLQ_HEADERS.includes(h)),
  ),
  description: 'Plus every header of the original record, unchanged (unless x-dlq-headers-omitted says they did not fit).',
  additionalProperties: true,
};

const headerComponents = () => ({
  CommandHeaders: COMMAND_HEADERS,
  EventHeaders: EVENT_HEADERS,
  OutcomeHeaders: OUTCOME_HEADERS,
  DeadLetterHeaders: DEAD_LETTER_HEADERS,
});

export function asyncApiDocument(version: string) {
  const topics = defaultTopics();
  const channels = {
    commands: { address: topics.commands, title: 'Order commands', description: 'Public, versioned command contract: the edge and other services write here (TOPIC_COMMANDS).', messages: {} as Record<string, unknown> },
    events: { address: topics.events, title: 'Order events', description: 'One Avro record per state change, versions contiguous per order (TOPIC_EVENTS). Read with isolation.level=read_committed.', messages: {} as Record<string, unknown> },
    outcomes: { address: topics.outcomes, title: 'Command outcomes', description: 'What became of each command: applied or rejected with a reason (TOPIC_OUTCOMES).', messages: {} as Record<string, unknown> },
    deadLetters: { address: topics.deadLetters, title: 'Dead-lettered commands', description: 'Command records that could not be decoded or validated, with their original key, value and headers (TOPIC_DLQ).', messages: {} as Record<string, unknown> },
  };
  for (const t of COMMAND_TYPES) {
    const c = COMMAND_CONTRACTS[t];
    channels.commands.messages[`${t}Json`] = {
      name: `${t}Json`,
      title: `${t} (JSON)`,
      contentType: 'application/json',
      summary: 'UTF-8 JSON value; amounts may also be JSON numbers (normalised to decimal text before validation).',
      headers: headersRef('CommandHeaders'),
      payload: plainJsonSchema(c.schema),
      bindings: orderKey,
    };
    channels.commands.messages[`${t}Avro`] = {
      name: `${t}Avro`,
      title: `${t} (Avro)`,
      contentType: 'application/avro',
      summary: `Confluent wire format (magic byte 0, 4-byte schema id), record ${c.recordName}.`,
      headers: headersRef('CommandHeaders'),
      payload: avroPayload(c),
      bindings: avroBinding(topics.commands, c),
    };
  }
  for (const t of EVENT_TYPES) {
    const c = EVENT_CONTRACTS[t];
    channels.events.messages[t] = {
      name: t,
      title: CLOUDEVENT_TYPES[t],
      contentType: 'application/avro',
      headers: headersRef('EventHeaders'),
      payload: avroPayload(c),
      bindings: avroBinding(topics.events, c),
    };
  }
  channels.outcomes.messages.CommandOutcome = {
    name: 'CommandOutcome',
    contentType: 'application/avro',
    headers: headersRef('OutcomeHeaders'),
    payload: avroPayload(OUTCOME_CONTRACT),
    bindings: avroBinding(topics.outcomes, OUTCOME_CONTRACT),
  };
  channels.deadLetters.messages.DeadLetter = {
    name: 'DeadLetter',
    contentType: 'application/octet-stream',
    summary: 'The original command value, byte for byte (JSON, Avro or anything a producer wrote).',
    headers: headersRef('DeadLetterHeaders'),
    payload: { type: ['string', 'null'], format: 'binary', description: 'original record value; null when it did not fit (x-dlq-value-omitted)' },
    bindings: { kafka: { key: { type: ['string', 'null'], description: 'original record key' }, bindingVersion: KAFKA_BINDING } },
  };

  const refs = (channel: keyof typeof channels) => Object.keys(channels[channel].messages).map((m) => ({ $ref: `#/channels/${channel}/messages/${m}` }));
  const channelRef = (channel: keyof typeof channels) => ({ $ref: `#/channels/${channel}` });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Order service',
      version,
      description:
        'Kafka contracts of the warehouse order service. Every record is keyed by orderId. Avro values use the Confluent wire format ' +
        'against a Confluent-compatible schema registry, subjects by TopicRecordNameStrategy (<topic>-<record full name>). ' +
        'Generated from src/schemas by `npm run docs:asyncapi`; do not edit by hand.',
    },
    defaultContentType: 'application/avro',
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The local stack (`npm run stack:up`); docker-compose.yml exposes localhost:9094.' },
    },
    channels,
    operations: {
      receiveCommands: {
        action: 'receive',
        title: 'The processor consumes commands (consumer group, ordered per orderId)',
        channel: channelRef('commands'),
        messages: refs('commands'),
      },
      sendEvents: { action: 'send', title: 'The processor emits events (Kafka transaction with outcomes and offsets)', channel: channelRef('events'), messages: refs('events') },
      sendOutcomes: { action: 'send', title: 'The processor reports each command outcome', channel: channelRef('outcomes'), messages: refs('outcomes') },
      sendDeadLetters: { action: 'send', title: 'The processor dead-letters undecodable or invalid commands', channel: channelRef('deadLetters'), messages: refs('deadLetters') },
    },
    components: { schemas: headerComponents() },
  };
}

/** The document as committed: info.version is the package version. */
export function renderAsyncApi(version = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version): string {
  const header = '# Generated by `npm run docs:asyncapi` (src/tools/asyncapi.ts) from src/schemas. Do not edit.\n';
  return header + stringify(asyncApiDocument(version), { lineWidth: 0, aliasDuplicateObjects: false });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(ASYNCAPI_FILE, renderAsyncApi());
  console.log(`wrote ${ASYNCAPI_FILE}`);
}
