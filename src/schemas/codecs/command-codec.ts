// Command values on `wms.orders.commands`: Confluent-framed Avro (first byte 0x00) or
// JSON UTF-8 (first byte '{'). Both end in the same structural validation; any bad input
// becomes a DecodeError, never another exception.
import { COMMAND_CONTRACTS, validationIssues } from '../catalog.js';
import { isCommandType, type Command } from '../commands.js';
import { normalizeAmounts } from '../command-builder.js';
import { decodeAvro, type AvroEncoder, type SchemaResolver } from './avro-codec.js';
import { EmptyValueError, MalformedError, UnknownCommandTypeError, UnknownMagicByteError, ValidationFailedError, ValueTooLargeError } from './errors.js';
import { MAGIC_BYTE } from './wire.js';

/** Default upper bound for a command value (a 100-line order is a few tens of KiB). */
export const MAX_COMMAND_BYTES = 256 * 1024;
const OPEN_BRACE = 0x7b;

export interface DecodeOptions {
  maxBytes?: number;
}

export async function decodeCommand(value: Buffer | null | undefined, resolver: SchemaResolver, opts: DecodeOptions = {}): Promise<Command> {
  const limit = opts.maxBytes ?? MAX_COMMAND_BYTES;
  if (!value || value.length === 0) throw new EmptyValueError();
  if (value.length > limit) throw new ValueTooLargeError(value.length, limit);
  const first = value[0] as number;
  if (first === MAGIC_BYTE) return (await decodeAvro(value, resolver, 'command')).value as Command;
  if (first === OPEN_BRACE) return decodeJsonCommand(value);
  throw new UnknownMagicByteError(first);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses and validates a JSON command value (docs/design.md §3 example shape). */
export function decodeJsonCommand(value: Uint8Array): Command {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(value));
  } catch (e) {
    throw new MalformedError(`not UTF-8 JSON: ${(e as Error).message}`);
  }
  return validateCommand(parsed);
}

/** Structural validation of a command record from any source; amounts given as JSON numbers are normalised first. */
export function validateCommand(candidate: unknown): Command {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) {
    throw new ValidationFailedError([{ path: '', message: 'Expected a JSON object' }]);
  }
  const type = (candidate as { type?: unknown }).type;
  if (typeof type !== 'string') throw new ValidationFailedError([{ path: '/type', message: 'Expected the command type as a string' }]);
  if (!isCommandType(type)) throw new UnknownCommandTypeError(type);
  const record = candidate as { payload?: unknown };
  const normalized = { ...record, payload: normalizeAmounts(record.payload) };
  const issues = validationIssues(COMMAND_CONTRACTS[type].check, normalized);
  if (issues.length > 0) throw new ValidationFailedError(issues);
  return normalized as Command;
}

/** JSON value of a command, as a direct producer would write it. */
export const encodeCommandJson = (command: Command): Buffer => Buffer.from(JSON.stringify(command), 'utf8');

/** Confluent-framed Avro value of a command; subject `<topic>-wms.orders.commands.<Type>`. */
export const encodeCommandAvro = (encoder: AvroEncoder, topic: string, command: Command): Promise<Buffer> =>
  encoder.encode(COMMAND_CONTRACTS[command.type], topic, command);
