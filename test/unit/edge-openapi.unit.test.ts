// The OpenAPI document's rules restate the edge's and the domain's in JSON Schema: these
// pin that they agree (a blank text, the problem codes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REJECTION_CODES } from '../../src/domain/index.js';
import { Errors } from '../../src/edge/errors.js';
import { PROBLEM_CODES, problemCodesFor } from '../../src/edge/problem-schema.js';
import { NON_BLANK_TEXT_PATTERN, httpBodySchema } from '../../src/edge/route-schemas.js';
import { TEXT_PATTERN } from '../../src/schemas/index.js';

describe('the OpenAPI document says what the edge checks', () => {
  it('a text matches the non-blank pattern exactly when it is a text the domain does not call blank (trim)', () => {
    const nonBlank = new RegExp(NON_BLANK_TEXT_PATTERN, 'u');
    const text = new RegExp(TEXT_PATTERN, 'u');
    const blanks = fc.array(fc.constantFrom(' ', '\u00a0', '\u2028', '\u3000', '\ufeff', 'a', '\t', 'é'), { maxLength: 6 }).map((a) => a.join(''));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), blanks), (s) => nonBlank.test(s) === (text.test(s) && s.trim() !== '')));
  });

  it('date-times in bodies are format date-time', () => {
    expect(JSON.stringify(httpBodySchema('CompleteOrder'))).toContain('"format":"date-time"');
  });

  it('every catalogue and rejection code is in the Problem code enum, under its status', () => {
    expect(PROBLEM_CODES).toEqual(expect.arrayContaining([...Object.keys(Errors), ...REJECTION_CODES, 'REQUEST_TIMEOUT', 'HEADERS_TOO_LARGE', 'MALFORMED_REQUEST']));
    expect(problemCodesFor(409)).toEqual(expect.arrayContaining(['IDEMPOTENCY_KEY_IN_PROGRESS', 'INVALID_TRANSITION']));
    expect(problemCodesFor(503)).toContain('KAFKA_UNAVAILABLE');
  });
});
