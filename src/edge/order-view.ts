// The order as HTTP clients see it: the stored state with money as decimal amounts
// (`{"amount": 29.99, "currency": "USD"}`, as in the seed) instead of minor units.
import { amountAsNumber, type Money, type Order, type TimelineEntry } from '../domain/index.js';

const price = (m: Money) => ({ amount: amountAsNumber(m), currency: m.currency });

/** `timeline`: the order's history entries, oldest first (history-collection.ts). */
export function orderView(order: Order, version: number, timeline: readonly TimelineEntry[]) {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    priority: order.priority,
    status: order.status,
    items: order.items.map((i) => ({
      sku: i.sku,
      productName: i.productName,
      quantity: i.quantity,
      price: price(i.unitPrice),
      lineTotal: price(i.lineTotal),
    })),
    totalAmount: price(order.totalAmount),
    shippingAddress: order.shippingAddress,
    promisedDeliveryAt: order.promisedDeliveryAt,
    waveId: order.waveId,
    trackingNumber: order.trackingNumber,
    carrier: order.carrier,
    deliveredAt: order.deliveredAt,
    cancellationReason: order.cancellationReason,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    version,
    timeline: timelineView(timeline),
  };
}

/** The status timeline, oldest first: which command (and request, by correlation id) moved the order where. */
export function timelineView(entries: readonly TimelineEntry[]) {
  return entries.map((t) => ({ status: t.status, event: t.event, at: t.at, version: t.version, commandId: t.commandId, correlationId: t.correlationId, ...(t.issuedBy !== undefined ? { issuedBy: t.issuedBy } : {}) }));
}

/** GET /api/v1/orders/{orderId}/history. */
export const historyView = (orderId: string, entries: readonly TimelineEntry[]) => ({ orderId, entries: timelineView(entries) });

export type OrderView = ReturnType<typeof orderView>;

/** Weak validator of an order representation: its aggregate version. */
export const etagOf = (version: number): string => `W/"${version}"`;

/** RFC 9110 §13.1.2 If-None-Match with weak comparison. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => {
    const c = candidate.trim();
    return c === '*' || c.replace(/^W\//, '') === opaque;
  });
}
