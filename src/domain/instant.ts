// RFC 3339 timestamps in, canonical UTC ISO strings out (`2026-11-25T12:00:00.000Z`), so
// stored times sort as strings. Pure: parses text, never reads a clock.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/i;

/** What is wrong with a text toInstant refuses, for rejection reasons. */
export const NOT_AN_INSTANT = 'is not a valid RFC 3339 date-time in the years 0000–9999 (UTC)';

/**
 * Canonical UTC form of an RFC 3339 date-time, or undefined when it is not a real instant
 * (Feb 30, 25:00…) or its UTC form leaves the years 0000–9999 (`9999-12-31T23:30:00-01:00`):
 * RFC 3339 has four-digit years, and `+010000-…` would neither sort nor parse as one.
 */
export function toInstant(text: string): string | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offH = m[10] === undefined ? 0 : Number(m[10]);
  const offM = m[11] === undefined ? 0 : Number(m[11]);
  if (h > 23 || mi > 59 || s > 59 || offH > 23 || offM > 59 || mo < 1 || mo > 12 || d < 1) return undefined;
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCDate() !== d || day.getUTCMonth() !== mo - 1) return undefined;
  const ms = new Date(text).getTime();
  if (Number.isNaN(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return /^\d{4}-/.test(iso) ? iso : undefined;
}
