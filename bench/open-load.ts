// Open-model load on the edge: request n is sent at t0 + n/rate whatever happened to the
// earlier ones (no coordinated omission), over keep-alive connections. Even slots create
// an order (POST /api/v1/orders), odd slots validate the oldest order whose create was
// accepted (PUT /api/v1/orders/{id}/validate) — so half the commands update an existing
// order. Latencies are taken from the scheduled send time.
import { Agent, request } from 'node:http';
import { SEED_BODY } from './edge-measure.js';

export type CommandKind = 'create' | 'validate';

export interface Accepted {
  kind: CommandKind;
  orderId: string;
  /** performance.now() of the scheduled send and of the 202. */
  scheduledAt: number;
  acceptedAt: number;
}

export interface LoadResult {
  scheduled: number;
  accepted: number;
  /** Answers other than 202, by status ('error' = no answer). */
  failed: Record<string, number>;
  /** Slots not sent because maxInFlight requests were already waiting. */
  skipped: number;
}

export interface LoadOptions {
  base: string;
  rate: number;
  seconds: number;
  maxInFlight?: number;
  onAccepted(a: Accepted): void;
}

function send(agent: Agent, base: string, method: string, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent, method, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function openLoad(opts: LoadOptions): Promise<LoadResult> {
  const maxInFlight = opts.maxInFlight ?? 2000;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const toValidate: string[] = [];
  const result: LoadResult = { scheduled: 0, accepted: 0, failed: {}, skipped: 0 };
  const pending = new Set<Promise<void>>();
  const fire = (slot: number, scheduledAt: number) => {
    const orderId = slot % 2 === 1 ? toValidate.shift() : undefined;
    const kind: CommandKind = orderId ? 'validate' : 'create';
    const call = orderId ? send(agent, opts.base, 'PUT', `/api/v1/orders/${orderId}/validate`, '{}') : send(agent, opts.base, 'POST', '/api/v1/orders', SEED_BODY);
    const p = call.then(
      (r) => {
        if (r.status !== 202) {
          result.failed[r.status] = (result.failed[r.status] ?? 0) + 1;
          return;
        }
        const id = orderId ?? (JSON.parse(r.body) as { orderId: string }).orderId;
        result.accepted++;
        if (kind === 'create') toValidate.push(id);
        opts.onAccepted({ kind, orderId: id, scheduledAt, acceptedAt: performance.now() });
      },
      () => {
        result.failed.error = (result.failed.error ?? 0) + 1;
      },
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const t0 = performance.now();
  const interval = 1000 / opts.rate;
  const total = Math.round(opts.rate * opts.seconds);
  while (result.scheduled < total) {
    const due = Math.min(total, Math.floor((performance.now() - t0) / interval) + 1);
    for (; result.scheduled < due; result.scheduled++) {
      if (pending.size >= maxInFlight) result.skipped++;
      else fire(result.scheduled, t0 + result.scheduled * interval);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  agent.destroy();
  return result;
}
