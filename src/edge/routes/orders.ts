// The orders resource: create (POST), read one (GET with ETag) and its history, list (keyset), modify (PATCH).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Order, TimelineEntry } from '../../domain/index.js';
import { readTimelines } from '../../shared/history-collection.js';
import { findOrderDocument, listOrderDocuments } from '../../shared/orders-collection.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { edgeError } from '../errors.js';
import { etagOf, historyView, matchesIfNoneMatch, orderView } from '../order-view.js';
import { DEFAULT_LIST_LIMIT, commandHeaders, commandResponses, httpBodySchema, listQuery, orderHistoryResponses, orderIdParams, orderListResponses, orderResponses } from '../route-schemas.js';
import { useProblemSchema } from '../openapi.js';
import { submitCommand, type EdgeContext } from '../submission.js';
import { COMMAND_LINKS, ORDER_LINKS } from './order-actions.js';

/** The seed's create body, shown in the OpenAPI document. */
const SEED_EXAMPLE = {
  customerId: 'CUST-001',
  priority: 'standard',
  items: [{ sku: 'SKU-001', productName: 'Widget A', quantity: 2, price: { amount: 29.99, currency: 'USD' } }],
  shippingAddress: { street: '123 Main St', city: 'New York', state: 'NY', zipCode: '10001', country: 'US' },
};

export function ordersRoutes(app: FastifyInstance, ctx: EdgeContext): void {
  useProblemSchema(app);
  app.post(
    '/api/v1/orders',
    {
      links: { 201: ORDER_LINKS, 202: { ...ORDER_LINKS, ...COMMAND_LINKS } },
      schema: {
        operationId: 'createOrder',
        summary: 'Create an order (CreateOrder command)',
        tags: ['orders'],
        headers: commandHeaders,
        body: { ...httpBodySchema('CreateOrder'), examples: [SEED_EXAMPLE] },
        response: commandResponses('CreateOrder'),
      },
    },
    (request, reply) => submitCommand(ctx, request, reply, 'CreateOrder', undefined),
  );

  app.patch<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId',
    {
      links: { 200: { getOrder: ORDER_LINKS.getOrder! }, 202: { getOrder: ORDER_LINKS.getOrder!, ...COMMAND_LINKS } },
      schema: {
        operationId: 'modifyOrder',
        summary: 'Modify an order: address, priority, items, promisedDeliveryAt (ModifyOrder command)',
        tags: ['orders'],
        params: orderIdParams,
        headers: commandHeaders,
        body: httpBodySchema('ModifyOrder'),
        response: commandResponses('ModifyOrder'),
      },
    },
    (request, reply) => submitCommand(ctx, request, reply, 'ModifyOrder', request.params.orderId),
  );

  app.get<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId',
    {
      schema: {
        operationId: 'getOrder',
        summary: 'Read an order (ETag / If-None-Match)',
        tags: ['orders'],
        params: orderIdParams,
        response: orderResponses,
      },
    },
    async (request, reply) => {
      const doc = await readOrderConditionally(ctx, request, reply);
      return doc ? orderView(doc.order, doc.version, doc.timeline) : reply;
    },
  );

  app.get<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId/history',
    {
      schema: {
        operationId: 'getOrderHistory',
        summary: "An order's status changes, oldest first, with the commandId and correlation id behind each (ETag / If-None-Match)",
        tags: ['orders'],
        params: orderIdParams,
        response: orderHistoryResponses,
      },
    },
    async (request, reply) => {
      // The timeline only grows with the version, so the order's ETag fits its history too.
      const doc = await readOrderConditionally(ctx, request, reply);
      return doc ? historyView(doc.order.orderId, doc.timeline) : reply;
    },
  );

  app.get<{ Querystring: { status?: string; priority?: string; customerId?: string; limit?: number; cursor?: string } }>(
    '/api/v1/orders',
    {
      schema: {
        operationId: 'listOrders',
        summary: 'List orders, newest first (keyset pagination)',
        tags: ['orders'],
        querystring: listQuery,
        response: orderListResponses,
      },
    },
    async (request) => {
      const { status, priority, customerId, cursor } = request.query;
      const limit = request.query.limit ?? DEFAULT_LIST_LIMIT;
      const before = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !before) throw edgeError('INVALID_CURSOR', undefined, { errors: [{ in: 'query', pointer: '/cursor', detail: 'is not a cursor this service issued' }] });
      const docs = await ctx.database((db) =>
        listOrderDocuments(db, {
          limit,
          ...(status !== undefined ? { status } : {}),
          ...(priority !== undefined ? { priority } : {}),
          ...(customerId !== undefined ? { customerId } : {}),
          ...(before ? { before } : {}),
        }),
      );
      const timelines = await ctx.database((db) => readTimelines(db, new Map(docs.map((d) => [d._id, d.version]))));
      const items = docs.flatMap((d) => (d.order ? [orderView(d.order, d.version, timelines.get(d._id)!.entries)] : []));
      const last = docs[docs.length - 1];
      const nextCursor = docs.length === limit && last?.order ? encodeCursor({ createdAt: last.order.createdAt, orderId: last._id }) : null;
      return { items, limit, nextCursor };
    },
  );
}

/**
 * The stored order and its timeline, with its ETag set (404 when unknown); undefined
 * once If-None-Match matched and 304 was sent. No ETag while the timeline lags the
 * order: a client must not keep an incomplete one as current.
 */
async function readOrderConditionally(
  ctx: EdgeContext,
  request: FastifyRequest<{ Params: { orderId: string } }>,
  reply: FastifyReply,
): Promise<{ order: Order; version: number; timeline: TimelineEntry[] } | undefined> {
  const { orderId } = request.params;
  const doc = await ctx.database((db) => findOrderDocument(db, orderId));
  if (!doc?.order) throw edgeError('ORDER_NOT_FOUND', orderId);
  const etag = etagOf(doc.version);
  reply.header('cache-control', 'no-cache');
  if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
    await reply.header('etag', etag).code(304).send();
    return undefined;
  }
  const timeline = (await ctx.database((db) => readTimelines(db, new Map([[orderId, doc.version]])))).get(orderId)!;
  if (timeline.complete) reply.header('etag', etag);
  return { order: doc.order, version: doc.version, timeline: timeline.entries };
}
