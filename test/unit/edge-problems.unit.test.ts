// Error → problem+json mapping: validation errors list every field with a JSON pointer;
// client faults stay 4xx; only unknown errors are 500.
import createError from '@fastify/error';
import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { edgeError, fieldErrors, renderError } from '../../src/edge/errors.js';
import { rejectionProblem, rejectionStatus } from '../../src/edge/outcome-status.js';
import { precheck } from '../../src/domain/index.js';
import { command, createPayload } from './support/order-fixtures.js';

const opts = { bodyLimit: 1024, retryAfterSeconds: 5 };
const ajvError = (e: Partial<ErrorObject>): ErrorObject => ({ instancePath: '', schemaPath: '#', keyword: 'type', params: {}, message: 'must be string', ...e }) as ErrorObject;

describe('field errors', () => {
  it('points at missing and unknown properties, escaping ~ and /', () => {
    const errors = fieldErrors(
      [
        ajvError({ keyword: 'required', instancePath: '/shippingAddress', params: { missingProperty: 'city' } }),
        ajvError({ keyword: 'additionalProperties', params: { additionalProperty: 'a/b~c' } }),
      ],
      'body',
    );
    expect(errors).toEqual([
      { in: 'body', pointer: '/shippingAddress/city', detail: 'is required' },
      { in: 'body', pointer: '/a~1b~0c', detail: 'is not allowed (unknown field)' },
    ]);
  });

  it('folds the branches of an enum-like union into one entry', () => {
    const errors = fieldErrors(
      [
        ajvError({ keyword: 'const', instancePath: '/priority', params: { allowedValue: 'same_day' } }),
        ajvError({ keyword: 'const', instancePath: '/priority', params: { allowedValue: 'standard' } }),
        ajvError({ keyword: 'anyOf', instancePath: '/priority', message: 'must match a schema in anyOf' }),
      ],
      'querystring',
    );
    expect(errors).toEqual([{ in: 'query', pointer: '/priority', detail: 'must be one of: same_day, standard' }]);
  });
});

describe('renderError', () => {
  it('validation → 400 VALIDATION_FAILED with errors', () => {
    const err = Object.assign(new Error('x'), { validation: [ajvError({ instancePath: '/orderId', keyword: 'pattern', message: 'must match pattern' })], validationContext: 'params' });
    const r = renderError(err, opts);
    expect(r.problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ in: 'path', pointer: '/orderId' }] });
    expect(r.fault).toBe(false);
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413, 'PAYLOAD_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400, 'MALFORMED_BODY'],
    ['FST_ERR_BAD_URL', 400, 400, 'BAD_REQUEST'],
    ['FST_ERR_SOMETHING_NEW', 400, 400, 'BAD_REQUEST'],
    // A body aborted mid-way: Node's code is no problem code of the document (issue 22).
    ['ECONNRESET', 400, 400, 'BAD_REQUEST'],
  ])('%s → %i', (code, statusCode, status, problemCode) => {
    const E = createError(code, 'boom', statusCode);
    expect(renderError(new E(), opts).problem).toMatchObject({ status, code: problemCode });
  });

  it('JSON syntax errors tagged 400 stay 400', () => {
    const err = Object.assign(new SyntaxError('Unexpected token } in JSON'), { statusCode: 400 });
    expect(renderError(err, opts).problem).toMatchObject({ status: 400, code: 'MALFORMED_BODY' });
  });

  it('catalogued 503s carry Retry-After', () => {
    const r = renderError(edgeError('KAFKA_UNAVAILABLE', 'timeout'), opts);
    expect(r.problem).toMatchObject({ status: 503, code: 'KAFKA_UNAVAILABLE', type: 'urn:wms:order-service:problem:kafka-unavailable' });
    expect(r.headers['retry-after']).toBe('5');
    expect(r.fault).toBe(false);
  });

  it('unknown errors are 500 without leaking their message', () => {
    const r = renderError(new TypeError('secret internals'), opts);
    expect(r.problem).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'Internal error' });
    expect(r.fault).toBe(true);
  });
});

describe('rejections the edge answers itself (the domain precheck) → problem+json', () => {
  const item = (amount: string, currency = 'USD', sku = 'S') => ({ sku, productName: 'P', quantity: 1, price: { amount, currency } });
  const create = (items: ReturnType<typeof item>[]) => precheck(command('CreateOrder', { ...createPayload(), items }));
  it('accepts the seed amounts', () => {
    expect(create([item('29.99'), item('0.5', 'USD', 'T')])).toBeUndefined();
    expect(create([item('1', 'JPY')])).toBeUndefined();
  });
  it('points at too many decimals, unknown currencies, mixed currencies and duplicate SKUs', () => {
    const answer = (items: ReturnType<typeof item>[]) => rejectionProblem(create(items)!);
    expect(answer([item('29.999')])).toMatchObject({ status: 422, code: 'TOO_MANY_DECIMALS', errors: [{ in: 'body', pointer: '/items/0/price/amount' }] });
    expect(answer([item('1', 'XXX')])).toMatchObject({ status: 422, code: 'UNSUPPORTED_CURRENCY', errors: [{ pointer: '/items/0/price/currency' }] });
    expect(answer([item('1'), item('1', 'EUR', 'T')])).toMatchObject({ status: 422, code: 'CURRENCY_MISMATCH', errors: [{ pointer: '/items/1/price/currency' }] });
    expect(answer([item('1'), item('2')])).toMatchObject({ status: 422, code: 'VALIDATION_FAILED', errors: [{ pointer: '/items/1/sku' }] });
  });
  it('maps every outcome code to one status; unknown codes are 422', () => {
    expect([rejectionStatus('ORDER_NOT_FOUND'), rejectionStatus('INVALID_TRANSITION'), rejectionStatus('TOO_MANY_DECIMALS'), rejectionStatus('SOMETHING_NEW')]).toEqual([404, 409, 422, 422]);
    expect(rejectionStatus('constructor')).toBe(422);
  });
});

describe('ill-formed Unicode in bodies', () => {
  it('points at the first unpaired surrogate, in values and keys', async () => {
    const { refusedPart } = await import('../../src/edge/json-body.js');
    expect(refusedPart({ a: 'ok 😀', b: ['x', 'bad \ud800 here'] })?.pointer).toBe('/b/1');
    expect(refusedPart({ ['k\udc00']: 1 })?.pointer).toBe('/k\udc00');
    expect(refusedPart({ a: '😀', b: { c: 'fine' } })).toBeUndefined();
  });
  it('copes with deep nesting', async () => {
    const { refusedPart } = await import('../../src/edge/json-body.js');
    expect(refusedPart(JSON.parse('['.repeat(50_000) + ']'.repeat(50_000)))).toBeUndefined();
  });
});
