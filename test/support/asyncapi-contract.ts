// Records the service wrote, checked against docs/asyncapi.yaml where integration tests
// read topics back (kafka-read.ts): the headers against the message's header schema
// (closed where it does not say otherwise), Avro values by their writer schema (the
// registry's, by the id in the Confluent frame), which must be the documented one, and
// must decode to the end; dead letters carry a value unless a header says it was left out.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import avro from 'avsc';
import { parse } from 'yaml';
import { ASYNCAPI_FILE } from '../../src/tools/asyncapi.js';
import { stackEnv } from './stack-env.js';

interface Message {
  name: string;
  title?: string;
  headers: { $ref: string };
  payload: { schema?: unknown; type?: unknown };
}
type Doc = { channels: Record<string, { messages: Record<string, Message> }>; components: { schemas: Record<string, Record<string, unknown>> } };

const doc = parse(readFileSync(ASYNCAPI_FILE, 'utf8')) as Doc;
const ajv = new Ajv({ strict: false, allErrors: true });
const headerChecks = new Map<string, ValidateFunction>();
function headerCheck(ref: string): ValidateFunction {
  let check = headerChecks.get(ref);
  if (!check) {
    const schema = structuredClone(doc.components.schemas[ref.split('/').pop()!]!);
    if (schema.additionalProperties === undefined) schema.additionalProperties = false;
    check = ajv.compile(schema);
    headerChecks.set(ref, check);
  }
  return check;
}

/** The service's channels, by the ending of the topic name (tests give topics unique prefixes). */
const CHANNELS: [RegExp, string][] = [
  [/[.-]events$/, 'events'],
  [/[.-](command-)?outcomes$/, 'outcomes'],
  [/[.-]dlq$/, 'deadLetters'],
];
export const channelOf = (topic: string): string | undefined => CHANNELS.find(([re]) => re.test(topic))?.[1];

/** Writer schemas by registry and id: a test with a registry of its own has other ids. */
const writerSchemas = new Map<string, Promise<avro.Type>>();
function writerSchema(registryUrl: string, id: number): Promise<avro.Type> {
  const key = `${registryUrl}#${id}`;
  let type = writerSchemas.get(key);
  if (!type) {
    type = fetch(`${registryUrl.replace(/\/$/, '')}/schemas/ids/${id}`)
      .then((r) => r.json() as Promise<{ schema: string }>)
      .then((r) => avro.Type.forSchema(JSON.parse(r.schema) as avro.Schema));
    writerSchemas.set(key, type);
  }
  return type;
}
const fingerprint = (t: avro.Type) => t.fingerprint().toString('hex');

/** What a record on `topic` disagrees with in docs/asyncapi.yaml (nothing for topics the service does not write). */
export async function recordFindings(topic: string, record: { value: Buffer | null; headers: Record<string, string> }, registryUrl = stackEnv().schemaRegistryUrl): Promise<string[]> {
  const channel = channelOf(topic);
  if (!channel) return [];
  const messages = Object.values(doc.channels[channel]!.messages);
  const message = channel === 'events' ? messages.find((m) => m.title === record.headers.ce_type) ?? messages[0]! : messages[0]!;
  const where = `${topic} (${message.name})`;
  const findings: string[] = [];
  const check = headerCheck(message.headers.$ref);
  if (!check(record.headers)) findings.push(`${where}: headers: ${ajv.errorsText(check.errors)} ${JSON.stringify(Object.keys(record.headers))}`);
  if (channel === 'deadLetters') {
    if (record.value === null && record.headers['x-dlq-value-omitted'] === undefined) findings.push(`${where}: no value and no x-dlq-value-omitted`);
    return findings;
  }
  const value = record.value;
  if (!value || value.length < 5 || value[0] !== 0) return [...findings, `${where}: value is not Confluent-framed Avro`];
  const writer = await writerSchema(registryUrl, value.readUInt32BE(1));
  const documented = avro.Type.forSchema(message.payload.schema as avro.Schema);
  if (fingerprint(writer) !== fingerprint(documented)) findings.push(`${where}: written with ${writer.name ?? 'a schema'} ${fingerprint(writer).slice(0, 12)}, documented ${documented.name ?? ''} ${fingerprint(documented).slice(0, 12)}`);
  try {
    const { value: decoded, offset } = writer.decode(value, 5);
    if (offset !== value.length || !documented.isValid(decoded)) findings.push(`${where}: value does not decode as the documented record`);
  } catch (err) {
    findings.push(`${where}: value does not decode: ${(err as Error).message}`);
  }
  return findings;
}
