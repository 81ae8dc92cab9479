// The served OpenAPI document (/docs/json) as a checker of HTTP answers and requests:
// which operation a request is, whether its parts are valid by the document, and what an
// answer disagrees with (status, content type, headers, body). Used by the edge harness
// (every integration test's answers) and by the generated contract test.
//
// Response schemas are checked closed: an object schema that does not say otherwise
// gets additionalProperties: false here, so a field the document lacks is a finding
// (the document itself stays open, for clients that ignore new fields).
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { HTTP_FORMATS } from '../../src/edge/route-schemas.js';

type Json = Record<string, unknown>;
export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. /api/v1/orders/{orderId}. */
  path: string;
  op: Json & { operationId?: string; parameters?: Parameter[]; requestBody?: { required?: boolean; content: Record<string, { schema: Json }> }; responses: Record<string, DocResponse> };
}
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Json;
}
interface DocResponse {
  description: string;
  headers?: Record<string, { required?: boolean; schema?: Json }>;
  content?: Record<string, { schema?: Json }>;
  links?: Record<string, { operationId: string; parameters?: Record<string, string>; requestBody?: unknown }>;
}
export interface Answer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  /** The body as sent (empty string when none). */
  text: string;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();
const isJson = (media: string) => media === 'application/json' || media.endsWith('+json');

/** A copy of the document whose response schemas are closed (see the header). */
function closeResponseSchemas(doc: Json): Json {
  const copy = structuredClone(doc) as Json;
  const close = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(close);
    if (!node || typeof node !== 'object') return;
    const s = node as Json;
    if (s.properties && s.additionalProperties === undefined && s.$ref === undefined) s.additionalProperties = false;
    Object.values(s).forEach(close);
  };
  for (const item of Object.values((copy.paths ?? {}) as Record<string, Json>)) {
    for (const op of Object.values(item) as Operation['op'][]) for (const r of Object.values(op.responses ?? {})) close(r.content);
  }
  // Shared components that only answers use (the order, the problem) are closed too.
  close((copy.components as Json | undefined)?.schemas);
  return copy;
}

export class OpenApiContract {
  readonly operations: Operation[];
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(readonly doc: Json) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, formats: HTTP_FORMATS, validateFormats: true });
    // Requests are checked against the document as served, answers against the closed copy.
    this.ajv.addSchema(doc, 'served');
    this.ajv.addSchema(closeResponseSchemas(doc), 'closed');
    this.operations = Object.entries(doc.paths as Record<string, Record<string, Operation['op']>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
  }

  /** The operation a Fastify route (method + url like /api/v1/orders/:orderId) serves, if documented. */
  forRoute(method: string, routeUrl: string): Operation | undefined {
    const path = routeUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    return this.operations.find((o) => o.method === method && o.path === path);
  }

  byId(operationId: string): Operation {
    const found = this.operations.find((o) => o.op.operationId === operationId);
    if (!found) throw new Error(`no operation ${operationId} in the document`);
    return found;
  }

  private validator(ref: string): ValidateFunction {
    let v = this.cache.get(ref);
    if (!v) {
      v = this.ajv.compile({ $ref: ref });
      this.cache.set(ref, v);
    }
    return v;
  }

  private errorsOf(ref: string, value: unknown): string | undefined {
    const v = this.validator(ref);
    if (v(value)) return undefined;
    const detail = (e: NonNullable<typeof v.errors>[number]) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`;
    return (v.errors ?? []).map(detail).join('; ').slice(0, 400);
  }

  private at(o: Operation, ...rest: string[]) {
    return `#/${pointer('paths', o.path, o.method.toLowerCase(), ...rest)}`;
  }

  /** Why a request part is not valid by the document (undefined: it is valid). */
  parameterIssue(o: Operation, p: Parameter, value: unknown): string | undefined {
    const i = (o.op.parameters ?? []).indexOf(p);
    return this.errorsOf(`served${this.at(o, 'parameters', String(i), 'schema')}`, value);
  }

  bodyIssue(o: Operation, body: unknown): string | undefined {
    if (body === undefined) return o.op.requestBody?.required ? 'a body is required' : undefined;
    if (!o.op.requestBody) return undefined;
    return this.errorsOf(`served${this.at(o, 'requestBody', 'content', 'application/json', 'schema')}`, body);
  }

  /** The documented response for a status: exact, then the range (4XX), then default. */
  responseKey(o: Operation, status: number): string | undefined {
    const keys = Object.keys(o.op.responses);
    return [String(status), `${String(status)[0]}XX`, 'default'].find((k) => keys.includes(k));
  }

  response(o: Operation, status: number): DocResponse | undefined {
    const key = this.responseKey(o, status);
    return key === undefined ? undefined : o.op.responses[key];
  }

  /** What an answer disagrees with in the document; `payload` is the object the route answered, before serialization. */
  answerFindings(o: Operation, answer: Answer, payload?: unknown): string[] {
    const where = `${o.method} ${o.path} → ${answer.status}`;
    const key = this.responseKey(o, answer.status);
    if (key === undefined) return [`${where}: status not documented (documented: ${Object.keys(o.op.responses).join(', ')})`];
    const r = o.op.responses[key]!;
    const findings: string[] = [];
    for (const [name, h] of Object.entries(r.headers ?? {})) {
      const value = answer.headers[name.toLowerCase()];
      if (value === undefined) {
        if (h.required) findings.push(`${where}: header ${name} missing`);
        continue;
      }
      const issue = this.errorsOf(`closed${this.at(o, 'responses', key, 'headers', name, 'schema')}`, value);
      if (issue) findings.push(`${where}: header ${name}: ${issue}`);
    }
    const media = mediaType(answer.headers['content-type']);
    const documented = Object.keys(r.content ?? {});
    if (documented.length === 0) {
      if (answer.text !== '') findings.push(`${where}: a body where the document has none`);
      return findings;
    }
    if (!documented.includes(media)) return [...findings, `${where}: content type ${media || '(none)'} not documented (documented: ${documented.join(', ')})`];
    let body: unknown = answer.text;
    if (isJson(media)) {
      try {
        body = JSON.parse(answer.text);
      } catch {
        return [...findings, `${where}: body is not JSON`];
      }
    }
    const schemaRef = `closed${this.at(o, 'responses', key, 'content', media, 'schema')}`;
    for (const [label, value] of payload === undefined ? [['body', body]] : [['body', body], ['answered object', payload]]) {
      const issue = this.errorsOf(schemaRef, value);
      if (issue) findings.push(`${where}: ${label} does not match the documented schema: ${issue}`);
    }
    // RFC 9457: the status member, when present, is the HTTP status.
    if (media === 'application/problem+json' && (body as { status?: unknown }).status !== answer.status) findings.push(`${where}: problem status member ${String((body as { status?: unknown }).status)}`);
    return findings;
  }
}

/** Answer of a fetch() response, body read as text. */
export async function answerOf(r: Response): Promise<Answer & { json(): unknown }> {
  const text = await r.text();
  const headers: Record<string, string> = {};
  r.headers.forEach((v, k) => (headers[k] = v));
  return { status: r.status, headers, text, json: () => (text === '' ? undefined : JSON.parse(text)) };
}
