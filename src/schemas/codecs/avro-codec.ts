// Avro records in the Confluent wire format, through injected registry ports. This module
// holds no network code: the registry adapter (src/shared) implements the two interfaces.
import type avro from 'avsc';
import { contractByRecordName, subjectFor, validationIssues, type ContractKind, type RecordContract } from '../catalog.js';
import { fromAvroValue, toAvroValue, type AvroSchema } from '../avro/from-typebox.js';
import { IncompatibleSchemaError, MalformedError, UnknownCommandTypeError, UnknownSchemaIdError, ValidationFailedError } from './errors.js';
import { checkAvroBounds, frame, unframe } from './wire.js';

/** Looks a writer schema up by id. Resolve `undefined` when the registry says the id does not exist; throw for transient failures. */
export interface SchemaResolver {
  getSchema(id: number): Promise<avro.Type | undefined>;
}

/** Registers (or finds) a schema under a subject and returns its id; must be idempotent, as registries are. */
export interface SchemaRegistrar {
  register(subject: string, schema: AvroSchema): Promise<number>;
}

/** Encodes records as Confluent-framed Avro, registering each subject once (TopicRecordNameStrategy). */
export class AvroEncoder {
  private readonly ids = new Map<string, Promise<number>>();

  constructor(private readonly registry: SchemaRegistrar) {}

  /** Schema id for a contract on a topic (cached; a failed registration is retried next time). */
  schemaId(contract: RecordContract, topic: string): Promise<number> {
    const subject = subjectFor(topic, contract.recordName);
    let id = this.ids.get(subject);
    if (!id) {
      id = this.registry.register(subject, contract.avroSchema);
      this.ids.set(subject, id);
      id.catch(() => this.ids.delete(subject));
    }
    return id;
  }

  /** Validates `value` against the contract (a failure here is a bug in the caller) and encodes it. */
  async encode(contract: RecordContract, topic: string, value: unknown): Promise<Buffer> {
    const issues = validationIssues(contract.check, value);
    if (issues.length > 0) throw new Error(`refusing to encode an invalid ${contract.recordName}: ${new ValidationFailedError(issues).message}`);
    const id = await this.schemaId(contract, topic);
    return frame(id, contract.avroType.toBuffer(toAvroValue(contract.schema, value)));
  }
}

const resolvers = new WeakMap<avro.Type, { reader: avro.Type; resolver: ReturnType<avro.Type['createResolver']> }>();

function resolverFor(contract: RecordContract, writer: avro.Type) {
  const cached = resolvers.get(writer);
  if (cached && cached.reader === contract.avroType) return cached.resolver;
  let resolver;
  try {
    resolver = contract.avroType.createResolver(writer);
  } catch (e) {
    throw new IncompatibleSchemaError(contract.recordName, (e as Error).message);
  }
  resolvers.set(writer, { reader: contract.avroType, resolver });
  return resolver;
}

/**
 * Decodes a Confluent-framed Avro value (magic byte already checked) written with any
 * registered schema that resolves to our current one, and validates the result.
 */
export async function decodeAvro(
  value: Buffer,
  resolver: SchemaResolver,
  kind: ContractKind,
): Promise<{ contract: RecordContract; value: unknown }> {
  const { schemaId, body } = unframe(value);
  const writer = await resolver.getSchema(schemaId);
  if (!writer) throw new UnknownSchemaIdError(schemaId);
  const contract = contractByRecordName(writer.name);
  if (!contract || contract.kind !== kind) {
    if (kind === 'command') throw new UnknownCommandTypeError(writer.name ?? writer.typeName);
    throw new IncompatibleSchemaError(writer.name ?? writer.typeName, `not a known ${kind} record`);
  }
  const avroResolver = resolverFor(contract, writer);
  checkAvroBounds(writer, body);
  let decoded: unknown;
  try {
    decoded = contract.avroType.fromBuffer(body, avroResolver);
  } catch (e) {
    throw new MalformedError((e as Error).message);
  }
  const plain = fromAvroValue(contract.schema, decoded);
  const issues = validationIssues(contract.check, plain);
  if (issues.length > 0) throw new ValidationFailedError(issues);
  return { contract, value: plain };
}
