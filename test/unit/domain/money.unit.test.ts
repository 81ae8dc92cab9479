import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { amountAsNumber, currencyDecimals, formatAmount, MAX_MINOR_UNITS, multiply, numberToDecimalString, parseAmount, sum } from '../../../src/domain/index.js';

const minor = (amount: number | string, currency = 'USD'): number => {
  const r = parseAmount(amount, currency);
  if (!r.ok) throw new Error(r.reason);
  return r.value.amountMinor;
};

describe('parseAmount', () => {
  it('converts HTTP decimals without float error', () => {
    expect(minor(29.99)).toBe(2999);
    expect(minor('29.99')).toBe(2999);
    expect(minor(0.1)).toBe(10);
    expect(minor(1.1)).toBe(110);
    expect(minor(4.35)).toBe(435); // 4.35 * 100 = 434.99999999999994 in floats
    expect(minor(1.005, 'KWD')).toBe(1005);
    expect(minor('29.990')).toBe(2999);
    expect(minor(0)).toBe(0);
  });

  it('0.1 + 0.2 is exactly 0.3', () => {
    const r = sum([parseAmount(0.1, 'USD'), parseAmount(0.2, 'USD')].map((x) => (x.ok ? x.value : { amountMinor: -1, currency: 'USD' })), 'USD');
    expect(r).toEqual({ ok: true, value: { amountMinor: 30, currency: 'USD' } });
    expect(r.ok && formatAmount(r.value)).toBe('0.30');
  });

  it('respects 0-, 2-, 3- and 4-decimal currencies', () => {
    expect(currencyDecimals('JPY')).toBe(0);
    expect(currencyDecimals('KRW')).toBe(0);
    expect(currencyDecimals('KWD')).toBe(3);
    expect(currencyDecimals('BHD')).toBe(3);
    expect(currencyDecimals('CLF')).toBe(4);
    expect(minor(1500, 'JPY')).toBe(1500);
    expect(minor('12.345', 'BHD')).toBe(12345);
    expect(parseAmount('1.5', 'JPY')).toMatchObject({ ok: false, code: 'TOO_MANY_DECIMALS' });
    expect(parseAmount('1.2345', 'KWD')).toMatchObject({ ok: false, code: 'TOO_MANY_DECIMALS' });
    expect(parseAmount(29.999, 'USD')).toMatchObject({ ok: false, code: 'TOO_MANY_DECIMALS' });
    expect(parseAmount(1e-7, 'USD')).toMatchObject({ ok: false, code: 'TOO_MANY_DECIMALS' });
  });

  it('rejects unknown currencies, negatives, garbage and overflow', () => {
    expect(parseAmount(1, 'usd')).toMatchObject({ ok: false, code: 'UNSUPPORTED_CURRENCY' });
    expect(parseAmount(1, 'toString')).toMatchObject({ ok: false, code: 'UNSUPPORTED_CURRENCY' });
    expect(parseAmount(-1, 'USD')).toMatchObject({ ok: false, code: 'INVALID_AMOUNT' });
    expect(parseAmount('1e3', 'USD')).toMatchObject({ ok: false, code: 'INVALID_AMOUNT' });
    expect(parseAmount('', 'USD')).toMatchObject({ ok: false, code: 'INVALID_AMOUNT' });
    expect(parseAmount(Number.NaN, 'USD')).toMatchObject({ ok: false, code: 'INVALID_AMOUNT' });
    expect(parseAmount(Infinity, 'USD')).toMatchObject({ ok: false, code: 'INVALID_AMOUNT' });
    expect(parseAmount('90071992547409.91', 'USD')).toMatchObject({ ok: true, value: { amountMinor: MAX_MINOR_UNITS } });
    expect(parseAmount('90071992547409.92', 'USD')).toMatchObject({ ok: false, code: 'AMOUNT_OUT_OF_RANGE' });
    expect(parseAmount(1e21, 'USD')).toMatchObject({ ok: false, code: 'AMOUNT_OUT_OF_RANGE' });
  });

  it('any 2-decimal string round-trips exactly through minor units', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: BigInt(MAX_MINOR_UNITS) }), (n) => {
        const text = `${n / 100n}.${(n % 100n).toString().padStart(2, '0')}`;
        const r = parseAmount(text, 'EUR');
        return r.ok && r.value.amountMinor === Number(n) && formatAmount(r.value) === text;
      }),
    );
  });

  it('a JSON number parses to the same minor units as its decimal text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), fc.integer({ min: 0, max: 99 }), (units, cents) => {
        const n = Number(`${units}.${String(cents).padStart(2, '0')}`);
        return minor(n) === units * 100 + cents;
      }),
    );
  });
});

describe('numberToDecimalString', () => {
  it.each([
    [29.99, '29.99'],
    [1e21, '1000000000000000000000'],
    [1e-7, '0.0000001'],
    [1.5e-10, '0.00000000015'],
    [0, '0'],
    [100, '100'],
    [-2.5, '-2.5'],
  ])('%s → %s', (n, s) => expect(numberToDecimalString(n)).toBe(s));
});

describe('multiply, sum, format', () => {
  it('large quantity × price stays exact', () => {
    expect(multiply({ amountMinor: 99_999_999_999, currency: 'USD' }, 10_000)).toEqual({ ok: true, value: { amountMinor: 999_999_999_990_000, currency: 'USD' } });
    expect(multiply({ amountMinor: 1_000_000_000_000_000, currency: 'USD' }, 10)).toMatchObject({ ok: false, code: 'AMOUNT_OUT_OF_RANGE' });
  });

  it('sum refuses mixed currencies and overflow', () => {
    expect(sum([{ amountMinor: 1, currency: 'USD' }, { amountMinor: 1, currency: 'EUR' }], 'USD')).toMatchObject({ ok: false, code: 'CURRENCY_MISMATCH' });
    expect(sum([{ amountMinor: MAX_MINOR_UNITS, currency: 'USD' }, { amountMinor: 1, currency: 'USD' }], 'USD')).toMatchObject({ ok: false, code: 'AMOUNT_OUT_OF_RANGE' });
    expect(sum([], 'USD')).toEqual({ ok: true, value: { amountMinor: 0, currency: 'USD' } });
  });

  it('formats with the currency decimals', () => {
    expect(formatAmount({ amountMinor: 2999, currency: 'USD' })).toBe('29.99');
    expect(formatAmount({ amountMinor: 5, currency: 'USD' })).toBe('0.05');
    expect(formatAmount({ amountMinor: 1500, currency: 'JPY' })).toBe('1500');
    expect(formatAmount({ amountMinor: 1250, currency: 'KWD' })).toBe('1.250');
    expect(formatAmount({ amountMinor: MAX_MINOR_UNITS, currency: 'USD' })).toBe('90071992547409.91');
    expect(amountAsNumber({ amountMinor: 2999, currency: 'USD' })).toBe(29.99);
  });
});
