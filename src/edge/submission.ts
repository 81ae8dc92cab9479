// The one path every mutating route takes: idempotency → command record → Kafka → answer.
// 202 once Kafka acknowledged; with `Prefer: wait=N` the outcome decides (201/200 with
// the order, 404/409/422 with the rejection) unless time runs out (202 again).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { precheck } from '../domain/index.js';
import { buildCommand, orderIdFromUuid, toCommandPayload, type CommandType, type HttpBody } from '../schemas/index.js';
import type { Config } from '../shared/config.js';
import type { StoredResponse } from '../shared/idempotency-collection.js';
import { readTimelines } from '../shared/history-collection.js';
import { findOrderDocument } from '../shared/orders-collection.js';
import type { CommandSender } from './command-sender.js';
import type { Database } from './database.js';
import { PROBLEM_CONTENT_TYPE } from './errors.js';
import { beginIdempotent, idempotencyScope, requestHash } from './idempotency.js';
import { etagOf, orderView } from './order-view.js';
import { appliedStatus, rejectionProblem } from './outcome-status.js';
import type { OutcomeWaiter } from './outcome-waiter.js';
import { parseWaitPreference } from './prefer.js';
import { annotateRequest, requestContext } from './request-tracing.js';

export interface EdgeContext {
  config: Config;
  /** The edge's MongoDB, every call bounded by EDGE_MONGO_TIMEOUT_MS (database.ts). */
  database: Database;
  sender: CommandSender;
  waiter: OutcomeWaiter;
  /** UUID v7 (time-ordered) for orderIds and commandIds. */
  newId(): string;
  now(): Date;
}

export const orderLocation = (orderId: string): string => `/api/v1/orders/${orderId}`;


function send(reply: FastifyReply, r: StoredResponse) {
  return reply.code(r.status).headers(r.headers).send(r.body);
}

export async function submitCommand<T extends CommandType>(
  ctx: EdgeContext,
  request: FastifyRequest,
  reply: FastifyReply,
  type: T,
  targetOrderId: string | undefined,
): Promise<FastifyReply> {
  const body = request.body as HttpBody<T> | undefined;
  const payload = toCommandPayload(type, body);
  const wait = parseWaitPreference(request.headers.prefer, ctx.config.edge.maxWaitSeconds);
  let orderId = targetOrderId ?? orderIdFromUuid(ctx.newId());
  let commandId = ctx.newId();
  const issuedBy = request.caller?.subject;
  const meta = () => ({
    commandId,
    orderId,
    issuedAt: ctx.now().toISOString(),
    correlationId: String(request.id),
    source: `${ctx.config.serviceName}/edge`,
    ...(issuedBy !== undefined ? { issuedBy } : {}),
  });

  // The processor's own stateless rules (blank texts, duplicate SKUs, impossible dates,
  // money): a command that would only be rejected later is answered now, with its code.
  const rejection = precheck(buildCommand(type, meta(), payload));
  if (rejection) {
    const answer = rejectionProblem(rejection);
    return reply.code(answer.status).type(PROBLEM_CONTENT_TYPE).send(answer);
  }

  const key = request.headers['idempotency-key'];
  let idem: { complete(r: StoredResponse): Promise<void>; release(): Promise<void> } | undefined;
  if (typeof key === 'string') {
    const start = await ctx.database((db) =>
      beginIdempotent(db, {
        scope: idempotencyScope(request.method, request.routeOptions.url ?? request.url, targetOrderId, issuedBy),
        key,
        hash: requestHash(body),
        orderId,
        commandId,
        leaseMs: ctx.config.edge.produceTimeoutMs + (wait?.applied ?? 0) * 1000 + 5000,
      }),
    );
    if (start.kind === 'replay') return send(reply.header('idempotent-replayed', 'true'), start.response);
    ({ orderId, commandId } = start);
    idem = start;
  }

  const command = buildCommand(type, meta(), payload);
  annotateRequest(request, { 'order.id': orderId, 'command.id': commandId, 'command.type': type });
  try {
    // The produce span (command-sender.ts) becomes a child of the request's span.
    await ctx.sender.send(command, requestContext(request));
  } catch (err) {
    // Let a retry with the same key go ahead at once, reusing this commandId.
    if (idem) await ctx.database(() => idem.release()).catch((e: Error) => request.log.warn({ err: e.message }, 'could not release idempotency key'));
    throw err;
  }
  request.log.info({ orderId, commandId, commandType: type }, 'command acknowledged by Kafka');

  const answer = await answerFor(ctx, type, orderId, commandId, wait);
  if (idem) await ctx.database(() => idem.complete(answer)).catch((e: Error) => request.log.warn({ err: e.message }, 'could not store idempotent answer'));
  return send(reply, answer);
}

async function answerFor(
  ctx: EdgeContext,
  type: CommandType,
  orderId: string,
  commandId: string,
  wait: { applied: number } | undefined,
): Promise<StoredResponse> {
  const headers: Record<string, string> = { location: orderLocation(orderId) };
  const accepted: StoredResponse = { status: 202, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body: { orderId, commandId, status: 'pending' } };
  if (!wait || wait.applied === 0) return accepted;
  // At EDGE_MAX_WAITERS the preference is not applied: 202 at once, no Preference-Applied.
  const waiting = ctx.waiter.wait(commandId, orderId, wait.applied * 1000);
  if (!waiting) return accepted;
  headers['preference-applied'] = `wait=${wait.applied}`;
  accepted.headers['preference-applied'] = headers['preference-applied'];
  const outcome = await waiting;
  if (!outcome) return accepted;
  if (outcome.status === 'rejected') {
    const body = rejectionProblem({ code: outcome.code ?? 'VALIDATION_FAILED', reason: outcome.reason ?? 'The command was rejected' }, { orderId, commandId });
    return { status: body.status, headers: { ...headers, 'content-type': PROBLEM_CONTENT_TYPE }, body };
  }
  const doc = await ctx.database((db) => findOrderDocument(db, orderId)).catch(() => null);
  const timeline = doc ? (await ctx.database((db) => readTimelines(db, new Map([[orderId, doc.version]]))).catch(() => undefined))?.get(orderId) : undefined;
  const status = appliedStatus(type);
  if (!doc?.order || !timeline) return { status, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body: { orderId, commandId, status: 'applied', version: outcome.version } };
  return {
    status,
    headers: { ...headers, ...(timeline.complete ? { etag: etagOf(doc.version) } : {}), 'content-type': 'application/json; charset=utf-8' },
    body: orderView(doc.order, doc.version, timeline.entries),
  };
}
