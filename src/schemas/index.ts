// Public surface of the message and request contracts.
//
// Single source of truth: every shape is one TypeBox definition. TypeBox values *are* JSON
// Schema (the edge hands HttpBodySchemas to Fastify/ajv), Static<> gives the TS types, and
// avro/from-typebox.ts derives the Avro schema of each Kafka record from the same
// definition. Nothing is written twice; src/schemas/README.md has the details.
export * from './fields.js';
export {
  COMMAND_TYPES,
  CommandPayloadSchemas,
  CommandSchemas,
  HttpBodySchemas,
  isCommandType,
  type Command,
  type CommandEnvelope,
  type CommandOf,
  type CommandPayload,
  type CommandType,
  type HttpBody,
} from './commands.js';
export {
  CLOUDEVENT_TYPES,
  EVENT_TYPES,
  EventSchemas,
  eventRecordName,
  type EventEnvelope,
  type EventOf,
  type EventType,
  type OrderEvent,
} from './events.js';
export { CommandOutcomeSchema, OUTCOME_STATUSES, type CommandOutcome } from './outcome.js';
export {
  ALL_CONTRACTS,
  COMMAND_CONTRACTS,
  EVENT_CONTRACTS,
  OUTCOME_CONTRACT,
  contractByRecordName,
  subjectFor,
  validationIssues,
  type ContractKind,
  type RecordContract,
  type ValidationIssue,
} from './catalog.js';
export { toAvroSchema, toAvroValue, fromAvroValue, type AvroSchema, type AvroField } from './avro/from-typebox.js';
export { buildCommand, normalizeAmounts, orderIdFromUuid, toCommandPayload, type CommandMeta } from './command-builder.js';
export { validateHttpBody, plainJsonSchema, HTTP_BODY_JSON_SCHEMAS } from './http-validation.js';
export * from './codecs/errors.js';
export { AvroEncoder, decodeAvro, type SchemaRegistrar, type SchemaResolver } from './codecs/avro-codec.js';
export { decodeCommand, decodeJsonCommand, encodeCommandAvro, encodeCommandJson, validateCommand, MAX_COMMAND_BYTES, type DecodeOptions } from './codecs/command-codec.js';
export { decodeEvent, decodeOutcome, encodeEvent, encodeOutcome } from './codecs/event-codec.js';
export { MAGIC_BYTE, HEADER_SIZE, frame, unframe, checkAvroBounds } from './codecs/wire.js';
export { backwardIncompatibility, evolutionProblems, type EvolutionProblem } from './evolution.js';
