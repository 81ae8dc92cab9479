// Exact money: integer minor units + ISO 4217 currency. No float arithmetic anywhere.
// Amounts stay within Number.MAX_SAFE_INTEGER minor units because Avro longs beyond
// 2^53 cannot be read back by avsc without precision loss (it throws), and the state is
// stored as plain JSON numbers.

// Type-only import: the shape is defined once in src/schemas; nothing is loaded at run time.
import type { Static } from '@sinclair/typebox';
import type { Money as MoneySchema } from '../schemas/fields.js';

/** Money as stored in state and carried by events: integer minor units + ISO 4217 code. */
export type Money = Static<typeof MoneySchema>;

const ZERO_DECIMALS = ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'];
const THREE_DECIMALS = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
const FOUR_DECIMALS = ['CLF', 'UYW'];
const TWO_DECIMALS = [
  'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BGN', 'BMD', 'BND',
  'BOB', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF', 'CNY', 'COP', 'CRC', 'CUP', 'CVE', 'CZK',
  'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GTQ', 'GYD',
  'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK',
  'LBP', 'LKR', 'LRD', 'LSL', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN',
  'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN', 'QAR', 'RON',
  'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP',
  'SZL', 'THB', 'TJS', 'TMT', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD', 'UYU', 'UZS', 'VES', 'WST', 'XCD',
  'YER', 'ZAR', 'ZMW', 'ZWG',
];

/** ISO 4217 minor-unit exponent per supported currency. */
export const CURRENCY_DECIMALS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries([
    ...TWO_DECIMALS.map((c) => [c, 2] as const),
    ...ZERO_DECIMALS.map((c) => [c, 0] as const),
    ...THREE_DECIMALS.map((c) => [c, 3] as const),
    ...FOUR_DECIMALS.map((c) => [c, 4] as const),
  ]),
);

export function currencyDecimals(currency: string): number | undefined {
  return Object.hasOwn(CURRENCY_DECIMALS, currency) ? CURRENCY_DECIMALS[currency] : undefined;
}

export const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;
const MAX_MINOR_BIG = BigInt(MAX_MINOR_UNITS);

export type MoneyErrorCode = 'UNSUPPORTED_CURRENCY' | 'INVALID_AMOUNT' | 'TOO_MANY_DECIMALS' | 'AMOUNT_OUT_OF_RANGE' | 'CURRENCY_MISMATCH';

export type MoneyResult<T> = { ok: true; value: T } | { ok: false; code: MoneyErrorCode; reason: string };

const ok = <T>(value: T): MoneyResult<T> => ({ ok: true, value });
const fail = (code: MoneyErrorCode, reason: string): MoneyResult<never> => ({ ok: false, code, reason });

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Writes a JS number as a plain decimal string without exponent, from its shortest
 * round-trip representation (so 29.99 → "29.99", 1e-7 → "0.0000001", 1e21 → "1000…0").
 * Never multiplies floats.
 */
export function numberToDecimalString(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const sign = n < 0 ? '-' : '';
  const m = DECIMAL_RE.exec(String(Math.abs(n)));
  if (!m) return undefined;
  const [, intPart = '0', fracPart = '', expPart = '0'] = m;
  const exp = Number(expPart);
  let digits = intPart + fracPart;
  let point = intPart.length + exp; // position of the decimal point inside digits
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  } else if (point > digits.length) {
    digits = digits + '0'.repeat(point - digits.length);
  }
  const int = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(point).replace(/0+$/, '');
  return sign + (frac ? `${int}.${frac}` : int);
}

/**
 * Converts a decimal amount (a JSON number such as 29.99 or a string such as "29.99")
 * into integer minor units of `currency`, exactly. Rejects negative amounts, more
 * decimals than the currency allows, unknown currencies and amounts beyond 2^53 - 1
 * minor units.
 */
export function parseAmount(amount: number | string, currency: string): MoneyResult<Money> {
  const decimals = currencyDecimals(currency);
  if (decimals === undefined) return fail('UNSUPPORTED_CURRENCY', `currency ${JSON.stringify(currency)} is not a supported ISO 4217 code`);
  const text = typeof amount === 'number' ? numberToDecimalString(amount) : amount.trim();
  if (text === undefined || text.length > 64) return fail('INVALID_AMOUNT', `amount ${String(amount)} is not a decimal number`);
  if (text.startsWith('-')) return fail('INVALID_AMOUNT', `amount ${text} must not be negative`);
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return fail('INVALID_AMOUNT', `amount ${JSON.stringify(text)} is not a plain decimal number`);
  const [, intPart = '0', rawFrac = ''] = m;
  const frac = rawFrac.replace(/0+$/, ''); // "29.990" has 2 significant decimals
  if (frac.length > decimals) {
    return fail('TOO_MANY_DECIMALS', `amount ${text} has more than ${decimals} decimal place(s) allowed for ${currency}`);
  }
  const minor = BigInt(intPart) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
  if (minor > MAX_MINOR_BIG) return fail('AMOUNT_OUT_OF_RANGE', `amount ${text} ${currency} is too large`);
  return ok({ amountMinor: Number(minor), currency });
}

/** Formats minor units as a plain decimal string with exactly the currency's decimals ("29.99", "1500", "1.250"). */
export function formatAmount(money: Money): string {
  const decimals = currencyDecimals(money.currency) ?? 2;
  const negative = money.amountMinor < 0;
  const digits = BigInt(Math.abs(money.amountMinor)).toString().padStart(decimals + 1, '0');
  const int = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals);
  return (negative ? '-' : '') + (decimals === 0 ? int : `${int}.${frac}`);
}

/** The decimal amount as a JSON number for HTTP responses (exact while below 2^53 / 10^decimals). */
export function amountAsNumber(money: Money): number {
  return Number(formatAmount(money));
}

/** quantity × unit price, exactly; rejects results beyond the safe range. */
export function multiply(unit: Money, quantity: number): MoneyResult<Money> {
  if (!Number.isSafeInteger(quantity) || quantity < 0) return fail('INVALID_AMOUNT', `quantity ${quantity} is not a non-negative integer`);
  const product = BigInt(unit.amountMinor) * BigInt(quantity);
  if (product > MAX_MINOR_BIG) return fail('AMOUNT_OUT_OF_RANGE', `${quantity} × ${formatAmount(unit)} ${unit.currency} is too large`);
  return ok({ amountMinor: Number(product), currency: unit.currency });
}

/** Σ amounts, exactly; every amount must share `currency`. */
export function sum(amounts: readonly Money[], currency: string): MoneyResult<Money> {
  let total = 0n;
  for (const a of amounts) {
    if (a.currency !== currency) return fail('CURRENCY_MISMATCH', `cannot add ${a.currency} to ${currency}: one currency per order`);
    total += BigInt(a.amountMinor);
  }
  if (total > MAX_MINOR_BIG) return fail('AMOUNT_OUT_OF_RANGE', `total exceeds the largest supported amount in ${currency}`);
  return ok({ amountMinor: Number(total), currency });
}
