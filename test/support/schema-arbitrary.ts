// fast-check arbitraries from the JSON Schemas of an OpenAPI document: values the schema
// accepts (typical, or at its boundaries: shortest/longest strings, extreme numbers,
// fullest arrays) and values broken in one place (a type, a bound, a pattern, a missing
// or unknown property). The generated contract test classifies every value with the
// document's own validator, so an imperfect generator can only cost coverage, never
// produce a wrong expectation.
import fc from 'fast-check';

type Schema = Record<string, unknown> & {
  type?: string | string[];
  $ref?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  examples?: unknown[];
};
export type Mode = 'typical' | 'boundary';

const resolver = (doc: Record<string, unknown>) => (s: Schema): Schema => {
  let node = s;
  while (node.$ref) node = node.$ref.replace(/^#\//, '').split('/').reduce<unknown>((n, k) => (n as Record<string, unknown>)[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc) as Schema;
  return node;
};

/** Instants RFC 3339 can write in four-digit years, with offsets; the boundary mode adds the extremes and a leap day. */
function dateTime(mode: Mode): fc.Arbitrary<string> {
  const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const typical = fc
    .tuple(fc.date({ min: new Date('0001-01-02T00:00:00Z'), max: new Date('9998-12-30T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: -23 * 60, max: 23 * 60 }), fc.boolean())
    .map(([d, offset, utc]) => {
      if (utc) return d.toISOString();
      const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 19);
      return `${local}${offset < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    });
  if (mode === 'typical') return typical;
  return fc.oneof(fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '2028-02-29T12:00:00+14:00', '2026-12-31T23:59:59-00:00'), typical);
}

/** Strings matching the pattern; a lookahead the generator cannot follow is left to the filter. */
function patterned(pattern: string): fc.Arbitrary<string> {
  const full = new RegExp(pattern, 'u');
  const generated = pattern.replace(/^\^(\(\?[=!][^)]*\))+/, '^');
  return fc.stringMatching(new RegExp(generated)).filter((s) => (s as string & { isWellFormed(): boolean }).isWellFormed() && full.test(s));
}

function stringOf(s: Schema, mode: Mode): fc.Arbitrary<string> {
  if (s.format === 'date-time') return dateTime(mode);
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 200;
  const base = s.pattern ? patterned(s.pattern) : fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: Math.min(max, 60) });
  const fits = (v: string) => [...v].length >= min && [...v].length <= max && (!s.pattern || new RegExp(s.pattern, 'u').test(v));
  if (mode === 'typical') return base.filter(fits);
  // Longest and shortest strings, made of a character the pattern accepts (where that fits the pattern).
  const typical = base.filter(fits);
  return fc.tuple(typical, fc.nat(2)).map(([v, pick]) => {
    const c = [...v][0] ?? 'x';
    const candidate = pick === 0 ? c.repeat(max) : pick === 1 ? c.repeat(Math.max(min, 1)) : v;
    return fits(candidate) ? candidate : v;
  });
}

export function valueArbitrary(doc: Record<string, unknown>, root: Schema, mode: Mode): fc.Arbitrary<unknown> {
  const resolve = resolver(doc);
  const of = (raw: Schema): fc.Arbitrary<unknown> => {
    const s = resolve(raw);
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const branches = s.anyOf ?? s.oneOf;
    if (branches) return fc.oneof(...branches.map(of));
    const type = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : ['string'];
    if (type.length > 1) return fc.oneof(...type.map((t) => of({ ...s, type: t })));
    switch (type[0]) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer': {
        const min = s.minimum ?? -1e6;
        const max = s.maximum ?? 1e6;
        return mode === 'boundary' ? fc.oneof(fc.constantFrom(min, max), fc.integer({ min, max })) : fc.integer({ min, max });
      }
      case 'number': {
        const min = s.minimum ?? -1e6;
        const max = s.maximum ?? 1e6;
        // Amounts with at most two decimals stay priceable: most orders can then be made.
        const cents = fc.integer({ min: Math.ceil(min * 100), max: Math.min(Math.floor(max * 100), Number.MAX_SAFE_INTEGER) }).map((c) => c / 100);
        return mode === 'boundary' ? fc.oneof(fc.constantFrom(min, max), fc.double({ min, max, noNaN: true }), cents) : fc.oneof(cents, fc.double({ min, max, noNaN: true }));
      }
      case 'array': {
        const minLength = s.minItems ?? 0;
        const maxLength = Math.min(s.maxItems ?? 5, mode === 'boundary' ? (s.maxItems ?? 5) : 4);
        return fc.array(of(s.items ?? {}), { minLength, maxLength: Math.max(minLength, maxLength) });
      }
      case 'object': {
        const props = s.properties ?? {};
        const required = new Set(s.required ?? []);
        const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, of(v)])), { requiredKeys: [...required] });
        const minProps = typeof s.minProperties === 'number' ? s.minProperties : 0;
        return record.filter((o) => Object.keys(o).length >= minProps);
      }
      default:
        return stringOf(s, mode);
    }
  };
  return of(root);
}

const UNKNOWN = 'zz_not_in_the_schema';

/** Where a value can be broken: every node with its schema. */
function nodes(doc: Record<string, unknown>, schema: Schema, value: unknown, path: (string | number)[] = []): { path: (string | number)[]; schema: Schema }[] {
  const s = resolver(doc)(schema);
  const here = [{ path, schema: s }];
  if (Array.isArray(value) && s.items) return [...here, ...value.flatMap((v, i) => nodes(doc, s.items!, v, [...path, i]))];
  if (value && typeof value === 'object' && s.properties) {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => (s.properties![k] ? nodes(doc, s.properties![k]!, v, [...path, k]) : []))];
  }
  return here;
}

/** Ways to break a value of schema `s` (some may still be valid: the caller checks). */
function breakages(s: Schema, value: unknown): unknown[] {
  const out: unknown[] = [value === null ? 'null' : typeof value === 'string' ? 12345 : 'not-a-string'];
  if (s.enum || s.const !== undefined) out.push('NOT_A_MEMBER');
  if (typeof value === 'string') {
    if (s.maxLength !== undefined) out.push('x'.repeat(s.maxLength + 1));
    if ((s.minLength ?? 0) > 0) out.push('');
    if (s.pattern) out.push(`${value}\u0001`, `!${value}`);
    if (s.format === 'date-time') out.push('0000-00-00T00:00:00Z', '2026-02-30T10:00:00Z', '2026-01-01T24:00:00Z');
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined) out.push(s.minimum - 1);
    if (s.maximum !== undefined) out.push(s.maximum + 1);
    out.push(0.5, String(value));
  }
  if (Array.isArray(value)) {
    if ((s.minItems ?? 0) > 0) out.push([]);
    out.push({});
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (s.additionalProperties === false) out.push({ ...value, [UNKNOWN]: 1 });
    for (const k of s.required ?? []) {
      const { [k]: _dropped, ...rest } = value as Record<string, unknown>;
      out.push(rest);
    }
    out.push([]);
  }
  return out;
}

function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = replaceAt(copy[head!], rest, replacement);
  return copy;
}

/** A valid value broken in one place, and where. */
export function brokenArbitrary(doc: Record<string, unknown>, schema: Schema): fc.Arbitrary<{ value: unknown; at: string }> {
  return fc.tuple(valueArbitrary(doc, schema, 'typical'), fc.nat(), fc.nat()).map(([valid, i, j]) => {
    const all = nodes(doc, schema, valid);
    const node = all[i % all.length]!;
    const ways = breakages(node.schema, node.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], valid));
    return { value: replaceAt(valid, node.path, ways[j % ways.length]), at: `/${node.path.join('/')}` };
  });
}
