// Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro body) and a
// bounds check of an Avro body before avsc decodes it.
//
// Why the bounds check: avsc reads an array block count and then loops that many times
// without checking the buffer first, so one flipped bit in a count (e.g. 2^50 items) makes
// the decoder spin or run out of memory instead of failing — a poison record that would
// stall a partition. We walk the writer schema once, verifying every length and count
// against the bytes that remain, and only then let avsc decode.
import type avro from 'avsc';
import { MalformedError, TruncatedError } from './errors.js';

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export function frame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** Splits a Confluent-framed value; the caller has checked the magic byte. */
export function unframe(value: Buffer): { schemaId: number; body: Buffer } {
  if (value.length < HEADER_SIZE) throw new TruncatedError(`${value.length} bytes, the Confluent header alone has ${HEADER_SIZE}`);
  return { schemaId: value.readUInt32BE(1), body: value.subarray(HEADER_SIZE) };
}

/** Loose view of avsc's type objects (their internals are not in the published typings). */
interface AvscType {
  typeName: string;
  fields?: { type: AvscType }[];
  itemsType?: AvscType;
  valuesType?: AvscType;
  types?: AvscType[];
  symbols?: string[];
  size?: number;
  underlyingType?: AvscType;
}

const MAX_ZERO_SIZE_ITEMS = 10_000;

function minSize(t: AvscType): number {
  switch (t.typeName) {
    case 'null':
      return 0;
    case 'float':
      return 4;
    case 'double':
      return 8;
    case 'fixed':
      return t.size ?? 0;
    case 'record':
    case 'error':
      return (t.fields ?? []).reduce((n, f) => n + minSize(f.type), 0);
    default:
      return t.typeName.startsWith('logical:') && t.underlyingType ? minSize(t.underlyingType) : 1;
  }
}

class BoundsReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.remaining) throw new TruncatedError(`${what} needs ${n} bytes at offset ${this.pos}, ${this.remaining} left`);
  }

  /** Zig-zag varint; the magnitude may be approximate beyond 2^53, which is enough for bounds. */
  long(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (i >= 10) throw new MalformedError(`varint longer than 10 bytes at offset ${this.pos}`);
      this.need(1, 'varint');
      const b = this.buf[this.pos++] as number;
      n += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) break;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  skip(n: number, what: string): void {
    if (n < 0) throw new MalformedError(`negative ${what} length at offset ${this.pos}`);
    this.need(n, what);
    this.pos += n;
  }

  value(t: AvscType): void {
    switch (t.typeName) {
      case 'null':
        return;
      case 'boolean':
        return this.skip(1, 'boolean');
      case 'int':
      case 'long':
      case 'enum':
        this.long();
        return;
      case 'float':
        return this.skip(4, 'float');
      case 'double':
        return this.skip(8, 'double');
      case 'bytes':
      case 'string':
        return this.skip(this.long(), t.typeName);
      case 'fixed':
        return this.skip(t.size ?? 0, 'fixed');
      case 'record':
      case 'error':
        for (const f of t.fields ?? []) this.value(f.type);
        return;
      case 'array':
      case 'map':
        return this.blocks(t);
      default:
        if (t.typeName.startsWith('union')) {
          const index = this.long();
          const branch = t.types?.[index];
          if (!branch) throw new MalformedError(`union branch ${index} does not exist at offset ${this.pos}`);
          return this.value(branch);
        }
        if (t.typeName.startsWith('logical:') && t.underlyingType) return this.value(t.underlyingType);
        throw new MalformedError(`unsupported Avro type ${t.typeName}`);
    }
  }

  private blocks(t: AvscType): void {
    const item = (t.itemsType ?? t.valuesType) as AvscType;
    const itemMin = minSize(item) + (t.typeName === 'map' ? 1 : 0);
    let total = 0;
    for (;;) {
      let count = this.long();
      if (count === 0) return;
      if (count < 0) {
        count = -count;
        this.long(); // block size in bytes, unused
      }
      total += count;
      if (itemMin > 0 ? count * itemMin > this.remaining : total > MAX_ZERO_SIZE_ITEMS) {
        throw new TruncatedError(`block of ${count} ${t.typeName} entries cannot fit in ${this.remaining} bytes`);
      }
      for (let i = 0; i < count; i++) {
        if (t.typeName === 'map') this.skip(this.long(), 'map key');
        this.value(item);
      }
    }
  }
}

/** Throws TruncatedError/MalformedError unless `body` is exactly one value of `writer`. */
export function checkAvroBounds(writer: avro.Type, body: Buffer): void {
  const reader = new BoundsReader(body);
  reader.value(writer as unknown as AvscType);
  if (reader.remaining > 0) throw new MalformedError(`${reader.remaining} trailing bytes after the Avro value`);
}
