// Decode errors: every way a record value can be unusable maps to one coded class, so the
// processor can dead-letter it with a stable error name (docs/design.md §3 "Dead letters").
// Errors thrown by an injected schema resolver (registry unreachable…) are NOT wrapped:
// they are transient, and the processor must pause and retry instead of dead-lettering.
import type { ValidationIssue } from '../catalog.js';

export type DecodeErrorCode =
  | 'EMPTY_VALUE'
  | 'VALUE_TOO_LARGE'
  | 'UNKNOWN_MAGIC_BYTE'
  | 'UNKNOWN_SCHEMA_ID'
  | 'TRUNCATED'
  | 'MALFORMED'
  | 'INCOMPATIBLE_SCHEMA'
  | 'UNKNOWN_COMMAND_TYPE'
  | 'VALIDATION_FAILED';

export abstract class DecodeError extends Error {
  abstract readonly code: DecodeErrorCode;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class EmptyValueError extends DecodeError {
  readonly code = 'EMPTY_VALUE';
  constructor() {
    super('record value is empty or null');
  }
}

export class ValueTooLargeError extends DecodeError {
  readonly code = 'VALUE_TOO_LARGE';
  constructor(readonly size: number, readonly limit: number) {
    super(`record value has ${size} bytes, more than the ${limit} allowed`);
  }
}

export class UnknownMagicByteError extends DecodeError {
  readonly code = 'UNKNOWN_MAGIC_BYTE';
  constructor(readonly byte: number) {
    super(`first byte 0x${byte.toString(16).padStart(2, '0')} is neither the Confluent magic byte 0x00 nor '{' (JSON)`);
  }
}

export class UnknownSchemaIdError extends DecodeError {
  readonly code = 'UNKNOWN_SCHEMA_ID';
  constructor(readonly schemaId: number) {
    super(`schema id ${schemaId} is unknown to the schema registry`);
  }
}

export class TruncatedError extends DecodeError {
  readonly code = 'TRUNCATED';
  constructor(detail: string) {
    super(`truncated value: ${detail}`);
  }
}

export class MalformedError extends DecodeError {
  readonly code = 'MALFORMED';
  constructor(detail: string) {
    super(`malformed value: ${detail}`);
  }
}

export class IncompatibleSchemaError extends DecodeError {
  readonly code = 'INCOMPATIBLE_SCHEMA';
  constructor(readonly writerName: string, detail: string) {
    super(`writer schema ${writerName} cannot be read with our schema: ${detail}`);
  }
}

export class UnknownCommandTypeError extends DecodeError {
  readonly code = 'UNKNOWN_COMMAND_TYPE';
  constructor(readonly commandType: string) {
    super(`unknown command type ${JSON.stringify(commandType.slice(0, 100))}`);
  }
}

export class ValidationFailedError extends DecodeError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly issues: ValidationIssue[]) {
    super(`invalid record: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`);
  }
}

export const isDecodeError = (e: unknown): e is DecodeError => e instanceof DecodeError;
