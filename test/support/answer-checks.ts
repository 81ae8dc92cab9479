// Every answer a test edge gives to a documented operation is checked against the edge's
// own OpenAPI document (the one /docs/json serves): status, content type, headers and
// body, and the object the route answered before serialization (Fastify's serializer
// would drop a field the schema lacks, hiding a route that changed shape).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OpenApiContract } from './openapi-contract.js';

const answered = new WeakMap<FastifyRequest, unknown>();

/** Hooks the checks into `app` (before it is ready); disagreements collect in `violations`. */
export function checkAnswersAgainstDocument(app: FastifyInstance): { violations: string[] } {
  const violations: string[] = [];
  let contract: OpenApiContract | undefined;
  app.addHook('preSerialization', async (request, _reply, payload) => {
    answered.set(request, payload);
    return payload;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    contract ??= new OpenApiContract(app.swagger() as Record<string, unknown>);
    const o = request.routeOptions.url === undefined ? undefined : contract.forRoute(request.method, request.routeOptions.url);
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : undefined;
    // Streams (the docs UI's files) are not operations of the document.
    if (!o || text === undefined) return payload;
    const headers = Object.fromEntries(Object.entries(reply.getHeaders()).map(([k, v]) => [k.toLowerCase(), v === undefined ? undefined : String(v)]));
    for (const f of contract.answerFindings(o, { status: reply.statusCode, headers, text }, answered.get(request))) violations.push(`${f}\n    answer: ${text.slice(0, 300)}`);
    return payload;
  });
  return { violations };
}
