// Request bodies as the client sent them, or a clear 400 that points at the problem:
// - UTF-8 only: invalid bytes would otherwise be decoded to U+FFFD, stored and answered 201;
// - no unpaired surrogate ("\ud800" is valid JSON but no text: it would reach Kafka and the
//   events as U+FFFD);
// - no `__proto__` key, and no `constructor` holding `prototype` (valid JSON, but keys that
//   change object prototypes in JavaScript code handling the body; no field of ours has them).
// Parsed with the native JSON.parse, which makes such keys plain own properties, never
// prototypes; this module refuses them by name instead of reporting "not valid JSON".
import { isUtf8 } from 'node:buffer';
import { edgeError, escapePointer } from './errors.js';

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PROTOTYPE_KEY = 'is refused: __proto__ and constructor.prototype change object prototypes in JavaScript, and no field of this API has that name';

/** The body of a JSON request: its value, or undefined for an empty body (body-less actions). */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  if (!isUtf8(body)) throw notUtf8(body);
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  const parsed = parse(text);
  const refused = refusedPart(parsed);
  if (refused) throw edgeError('VALIDATION_FAILED', refused.summary, { errors: [{ in: 'body', pointer: refused.pointer, detail: refused.detail }] });
  return parsed;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw edgeError('MALFORMED_BODY', (err as Error).message);
  }
}

/** Where the first invalid byte sits: a pointer when it is inside a string, else the byte's place. */
function notUtf8(body: Buffer): Error {
  const text = body.toString('utf8');
  const at = text.indexOf('\uFFFD', firstInvalidCharIndex(body));
  // The invalid bytes, marked as a lone surrogate escape, are found like any ill-formed string.
  let pointer: string | undefined;
  try {
    pointer = refusedPart(JSON.parse(`${text.slice(0, at)}\\ud800${text.slice(at + 1)}`))?.pointer;
  } catch {
    pointer = undefined;
  }
  if (pointer === undefined) return edgeError('MALFORMED_BODY', 'the body is not valid UTF-8');
  return edgeError('VALIDATION_FAILED', 'the body is not valid UTF-8', { errors: [{ in: 'body', pointer, detail: 'contains bytes that are not UTF-8' }] });
}

/** Index (in the leniently decoded text) of the character the first invalid UTF-8 sequence became. */
function firstInvalidCharIndex(body: Buffer): number {
  const STEP = 4096;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < body.length; i += STEP) {
    try {
      decoder.decode(body.subarray(i, i + STEP), { stream: true });
    } catch {
      // Find the byte within this chunk, one at a time.
      const exact = new TextDecoder('utf-8', { fatal: true });
      let chars = exact.decode(body.subarray(0, i), { stream: true }).length;
      for (let k = i; k < body.length; k++) {
        try {
          chars += exact.decode(body.subarray(k, k + 1), { stream: true }).length;
        } catch {
          return chars;
        }
      }
      return chars;
    }
  }
  return 0;
}

interface Refused {
  pointer: string;
  detail: string;
  summary: string;
}

/**
 * The first string (value or key) with an unpaired surrogate, or prototype key, if any.
 * Iterative: a body may nest thousands of levels before validation refuses it.
 */
export function refusedPart(value: unknown): Refused | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, pointer] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      if (UNPAIRED_SURROGATE.test(v)) return illFormed(pointer);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        const at = `${pointer}/${escapePointer(key)}`;
        if (UNPAIRED_SURROGATE.test(key)) return illFormed(at);
        const prototypeKey = key === '__proto__' || (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype'));
        if (prototypeKey) return { pointer: at, detail: PROTOTYPE_KEY, summary: `the key ${key} is refused` };
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

const illFormed = (pointer: string): Refused => ({ pointer, detail: 'contains an unpaired UTF-16 surrogate', summary: 'ill-formed Unicode' });
