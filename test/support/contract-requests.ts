// Requests generated from an OpenAPI document and sent to a running edge, each answer
// checked against the same document: the engine of the generated contract test.
import fc from 'fast-check';
import { answerOf, type Answer, type OpenApiContract, type Operation, type Parameter } from './openapi-contract.js';
import { brokenArbitrary, valueArbitrary, type Mode } from './schema-arbitrary.js';

export interface GeneratedRequest {
  o: Operation;
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body?: unknown;
  /** Where the request was broken on purpose (still classified by the document). */
  brokenAt?: string;
  /** A media type the document does not list for the body (default application/json). */
  contentType?: string;
}

export interface Finding {
  /** Same kind of disagreement, same operation: one finding. */
  key: string;
  example: string;
}

/** A header value fetch() sends unchanged: printable ASCII, no surrounding blanks. */
const sendableHeader = (v: unknown): v is string => typeof v === 'string' && /^[\x21-\x7E]([\x20-\x7E]*[\x21-\x7E])?$/.test(v);

const params = (o: Operation, where: Parameter['in']) => (o.op.parameters ?? []).filter((p) => p.in === where);

/** Valid (typical or boundary) values for every parameter and the body of `o`; optional ones sometimes left out. */
export function requestArbitrary(doc: Record<string, unknown>, o: Operation, mode: Mode): fc.Arbitrary<GeneratedRequest> {
  const part = (where: Parameter['in']) =>
    fc.record(Object.fromEntries(params(o, where).map((p) => [p.name, valueArbitrary(doc, p.schema, mode)])), {
      requiredKeys: params(o, where).filter((p) => p.required).map((p) => p.name),
    });
  const media = o.op.requestBody?.content['application/json'] as { schema?: Record<string, unknown>; example?: unknown; examples?: Record<string, { value: unknown }> } | undefined;
  const bodySchema = media?.schema;
  const examples = [...(media && 'example' in media ? [media.example] : []), ...Object.values(media?.examples ?? {}).map((e) => e.value)].map((e) => fc.constant(e));
  const body = bodySchema ? fc.oneof(...examples, valueArbitrary(doc, bodySchema, mode)) : fc.constant(undefined);
  const maybeBody = o.op.requestBody?.required === false ? fc.option(body, { nil: undefined }) : body;
  return fc.record({ path: part('path'), query: part('query'), headers: part('header'), body: maybeBody }).map((r) => ({
    o,
    path: r.path,
    query: r.query,
    headers: Object.fromEntries(Object.entries(r.headers).filter(([, v]) => sendableHeader(v))) as Record<string, string>,
    body: r.body,
  }));
}

/** A valid request broken in one part: a path or query parameter, a header, or the body. */
export function brokenRequestArbitrary(doc: Record<string, unknown>, o: Operation): fc.Arbitrary<GeneratedRequest> {
  const targets = [...(o.op.parameters ?? []).map((p) => ({ p })), ...(o.op.requestBody ? [{ p: undefined }, { p: undefined }, { p: undefined }] : [])];
  if (targets.length === 0) return requestArbitrary(doc, o, 'typical');
  return fc.tuple(requestArbitrary(doc, o, 'typical'), fc.constantFrom(...targets)).chain(([valid, { p }]) => {
    if (!p) {
      const broken = brokenArbitrary(doc, o.op.requestBody!.content['application/json']!.schema).map((b) => ({ ...valid, body: b.value, brokenAt: `body ${b.at}` }));
      const framing = fc.constantFrom<GeneratedRequest>(
        { ...valid, body: undefined, brokenAt: 'body (none)' },
        { ...valid, contentType: 'text/plain', brokenAt: 'body media type' },
        { ...valid, body: { ...(valid.body as object), padding: 'x'.repeat(300_000) }, brokenAt: 'body size' },
      );
      return fc.oneof(broken, framing);
    }
    return brokenArbitrary(doc, p.schema).map((b) => {
      const bucket = p.in === 'header' ? 'headers' : p.in;
      // fetch() cannot send every broken header: an over-long one stands in for those.
      const value = p.in === 'header' && !sendableHeader(b.value) ? `!${'x'.repeat(1001)}` : b.value;
      return { ...valid, [bucket]: { ...valid[bucket], [p.name]: value }, brokenAt: `${p.in} ${p.name}` };
    });
  });
}

/** Why the request is not valid by the document, if it is not. */
export function requestIssue(contract: OpenApiContract, r: GeneratedRequest): string | undefined {
  if (r.contentType && r.body !== undefined && !r.o.op.requestBody?.content[r.contentType]) return `body sent as ${r.contentType}`;
  for (const p of r.o.op.parameters ?? []) {
    const bucket = p.in === 'header' ? r.headers : p.in === 'path' ? r.path : r.query;
    const value = bucket[p.name];
    if (value === undefined) {
      if (p.required) return `${p.in} ${p.name} missing`;
      continue;
    }
    // Parameters travel as text: check the text against the schema the way the edge coerces it.
    const coerced = typeof value === 'string' && /integer|number/.test(JSON.stringify(p.schema.type)) && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    const typed = p.in !== 'header' && typeof value !== 'string' && p.schema.type === 'string' ? String(value) : coerced;
    const issue = contract.parameterIssue(r.o, p, typed);
    if (issue) return `${p.in} ${p.name}: ${issue}`;
  }
  return contract.bodyIssue(r.o, r.body);
}

export interface Sent {
  answer: Answer & { json(): unknown };
  url: string;
}

export async function send(base: string, r: GeneratedRequest, extraHeaders: Record<string, string> = {}): Promise<Sent> {
  const path = r.o.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(r.path[name])));
  const query = new URLSearchParams(Object.entries(r.query).map(([k, v]) => [k, String(v)])).toString();
  const url = `${base}${path}${query ? `?${query}` : ''}`;
  const headers: Record<string, string> = { ...r.headers, ...extraHeaders };
  if (r.body !== undefined) headers['content-type'] = r.contentType ?? 'application/json';
  const res = await fetch(url, { method: r.o.method, headers, ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}) });
  return { answer: await answerOf(res), url };
}

/** The value of a link's runtime expression ($response.body#/…, $request.path.…) for one answer. */
export function linkValue(expression: string, sent: { request: GeneratedRequest; body: unknown }): unknown {
  const body = /^\$response\.body#(.*)$/.exec(expression);
  if (body) return (body[1] ?? '').split('/').slice(1).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], sent.body);
  const path = /^\$request\.path\.(.+)$/.exec(expression);
  if (path) return sent.request.path[path[1]!];
  return expression;
}
