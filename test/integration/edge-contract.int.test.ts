// The served OpenAPI document (/docs/json) tells the truth: requests generated from it
// (valid, boundary and broken values; stateful sequences that follow its links from a
// created order) go to a real edge and processor, and every answer is checked against the
// document: a documented status, content type, headers and body; no 5xx; a request the
// document calls invalid refused with 4xx, and one it calls valid not refused as malformed.
// Fixed seed; CONTRACT_SEED=random runs unseeded (the seed is printed), CONTRACT_RUNS
// changes the count, CONTRACT_DEBUG=1 prints every request and its status.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeAndProcessor, type EdgeAndProcessor } from '../support/edge-harness.js';
import { brokenRequestArbitrary, linkValue, requestArbitrary, requestIssue, send, type Finding, type GeneratedRequest } from '../support/contract-requests.js';
import { OpenApiContract, type Operation } from '../support/openapi-contract.js';
import { isolatedEnv } from '../support/processor-harness.js';

const SEED = process.env.CONTRACT_SEED === 'random' ? Date.now() : Number(process.env.CONTRACT_SEED ?? 22);
const RUNS = Number(process.env.CONTRACT_RUNS ?? 100);
const TIME_LIMIT_MS = 40_000;
/** Rules across fields that JSON Schema cannot state; the document names them in prose (422). */
const CROSS_FIELD_RULES = [/^\/items\/\d+\/sku$/];
/** 400s the document cannot foresee: a cursor the service did not issue. */
const SEMANTIC_400 = new Set(['INVALID_CURSOR']);

interface Known {
  orderId: string;
  links: { name: string; operationId: string; parameters: Record<string, unknown> }[];
}
interface Model {
  orders: Known[];
}

describe('the served OpenAPI document, against generated requests', () => {
  let sys: EdgeAndProcessor;
  let contract: OpenApiContract;
  let doc: Record<string, unknown>;
  const findings = new Map<string, Finding>();
  let requests = 0;

  beforeAll(async () => {
    sys = await startEdgeAndProcessor({ ...isolatedEnv('contract', 2), EDGE_MAX_WAIT_SECONDS: '3' });
    doc = (await (await fetch(`${sys.edge.base}/docs/json`)).json()) as Record<string, unknown>;
    contract = new OpenApiContract(doc);
  });
  afterAll(async () => sys?.stop());

  const note = (key: string, example: string) => {
    if (!findings.has(key)) findings.set(key, { key, example });
  };

  /** Sends one request and checks its answer; the answer's links are returned for later steps. */
  async function exercise(r: GeneratedRequest, extraHeaders: Record<string, string> = {}): Promise<{ status: number; body: unknown; links: Known['links'] }> {
    const issue = requestIssue(contract, r);
    const { answer, url } = await send(sys.edge.base, r, extraHeaders);
    requests++;
    if (process.env.CONTRACT_DEBUG) console.log(requests, r.o.method, url, answer.status);
    const label = `${r.o.method} ${r.o.path}`;
    const example = `${r.o.method} ${url} ${JSON.stringify(r.body)?.slice(0, 300) ?? ''} ${JSON.stringify(extraHeaders)} → ${answer.status} ${answer.text.slice(0, 300)}`;
    for (const f of contract.answerFindings(r.o, answer)) note(f.split(': ').slice(0, 2).join(': '), `${f.split(': ').slice(2).join(': ')}\n    ${example}`);
    const body = answer.text && /json/.test(answer.headers['content-type'] ?? '') ? (answer.json() as Record<string, unknown>) : undefined;
    if (answer.status >= 500) note(`${label} → ${answer.status}: a 5xx`, example);
    if (issue !== undefined && (answer.status < 400 || answer.status >= 500)) note(`${label}: invalid input (${r.brokenAt ?? issue.split(':')[0]}) not refused with 4xx`, `${issue}\n    ${example}`);
    if (issue === undefined) {
      const code = body?.code as string | undefined;
      const pointers = ((body?.errors as { pointer: string }[] | undefined) ?? []).map((e) => e.pointer);
      const looser =
        (answer.status === 400 && !SEMANTIC_400.has(code ?? '')) ||
        answer.status === 415 ||
        (answer.status === 422 && code === 'VALIDATION_FAILED' && !pointers.some((p) => CROSS_FIELD_RULES.some((rule) => rule.test(p))));
      if (looser) note(`${label} → ${answer.status}: valid by the document, refused as invalid (${pointers.join(', ') || code})`, example);
    }
    // A read that answered an ETag is asked again with it: the conditional answer is checked too.
    const etag = answer.headers.etag;
    if (r.o.method === 'GET' && etag && !extraHeaders['if-none-match']) await exercise(r, { 'if-none-match': etag });
    const links = Object.entries(contract.response(r.o, answer.status)?.links ?? {}).map(([name, l]) => ({
      name,
      operationId: l.operationId,
      parameters: Object.fromEntries(Object.entries(l.parameters ?? {}).map(([p, e]) => [p, linkValue(e, { request: r, body })])),
    }));
    return { status: answer.status, body, links };
  }

  const waitPreference = fc.constantFrom<Record<string, string>>({}, {}, { prefer: 'wait=3' });

  /** Any operation, typical or boundary values. */
  class Call implements fc.AsyncCommand<Model, object> {
    constructor(readonly r: GeneratedRequest, readonly useKnown: number) {}
    check = () => true;
    async run(m: Model) {
      const known = m.orders[this.useKnown % Math.max(1, m.orders.length)];
      const r = known && 'orderId' in this.r.path ? { ...this.r, path: { ...this.r.path, orderId: known.orderId } } : this.r;
      await exercise(r);
    }
    toString = () => `Call(${this.r.o.method} ${this.r.o.path})`;
  }

  /** Any operation with one part broken. */
  class Broken implements fc.AsyncCommand<Model, object> {
    constructor(readonly r: GeneratedRequest) {}
    check = () => true;
    async run() {
      await exercise(this.r);
    }
    toString = () => `Broken(${this.r.o.method} ${this.r.o.path} at ${this.r.brokenAt})`;
  }

  /** Create an order; its answer's links feed Follow. */
  class Create implements fc.AsyncCommand<Model, object> {
    constructor(readonly r: GeneratedRequest, readonly prefer: Record<string, string>) {}
    check = () => true;
    async run(m: Model) {
      const { status, links } = await exercise(this.r, this.prefer);
      if (status < 300 && links.length === 0) note(`${this.r.o.method} ${this.r.o.path} → ${status}: no links from the created order to its operations`, '');
      const orderId = links.find((l) => typeof l.parameters.orderId === 'string')?.parameters.orderId;
      if (status < 300 && typeof orderId === 'string') m.orders.push({ orderId, links });
    }
    toString = () => `Create(${JSON.stringify(this.prefer)})`;
  }

  /** Follow a link of a created order to another operation, with a generated body. */
  class Follow implements fc.AsyncCommand<Model, object> {
    constructor(readonly pick: number, readonly bodies: Map<string, GeneratedRequest>, readonly prefer: Record<string, string>) {}
    check = (m: Readonly<Model>) => m.orders.length > 0;
    async run(m: Model) {
      const order = m.orders[this.pick % m.orders.length]!;
      if (order.links.length === 0) return;
      const link = order.links[Math.floor(this.pick / m.orders.length) % order.links.length]!;
      const base = this.bodies.get(link.operationId);
      if (!base) return;
      const r = { ...base, path: { ...base.path, ...link.parameters } };
      await exercise(r, r.o.method === 'GET' ? {} : this.prefer);
    }
    toString = () => `Follow(${this.pick})`;
  }

  it('answers every generated request as the document says', async () => {
    const ops = contract.operations.filter((o) => o.path.startsWith('/api/'));
    const create = contract.forRoute('POST', '/api/v1/orders')!;
    const typical = (o: Operation) => requestArbitrary(doc, o, 'typical');
    // One generated request per operation, for the steps that follow a link there.
    const linkTargets = fc.tuple(...ops.map((o) => typical(o))).map((rs) => new Map(rs.map((r, i) => [ops[i]!.op.operationId ?? `${ops[i]!.method} ${ops[i]!.path}`, r])));
    const commands = [
      fc.tuple(fc.constantFrom(...ops), fc.constantFrom<'typical' | 'boundary'>('typical', 'boundary')).chain(([o, mode]) => requestArbitrary(doc, o, mode)).chain((r) => fc.nat().map((n) => new Call(r, n))),
      fc.constantFrom(...ops).chain((o) => brokenRequestArbitrary(doc, o)).map((r) => new Broken(r)),
      fc.tuple(typical(create), waitPreference).map(([r, prefer]) => new Create(r, prefer)),
      fc.tuple(fc.nat(), linkTargets, waitPreference).map(([n, bodies, prefer]) => new Follow(n, bodies, prefer)),
      fc.tuple(fc.nat(), linkTargets, waitPreference).map(([n, bodies, prefer]) => new Follow(n, bodies, prefer)),
    ];
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 30, size: 'max' }), (cmds) => fc.asyncModelRun(() => ({ model: { orders: [] }, real: {} }), cmds)),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
    const report = [...findings.values()].map((f) => `- ${f.key}\n    ${f.example}`).join('\n');
    console.info(`contract: seed ${SEED}, ${requests} generated requests in ${Date.now() - started} ms, ${findings.size} findings${report ? `\n${report}` : ''}`);
    expect(requests).toBeGreaterThan(100);
    expect([...findings.keys()]).toEqual([]);
  });
});
