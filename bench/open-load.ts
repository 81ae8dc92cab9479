// Open-model load on the edge: request n is sent at t0 + n/rate whatever happened to the
// earlier ones (no coordinated omission), over keep-alive connections. Even slots create
// an order (POST /api/v1/orders), odd slots validate the oldest order whose create was
// accepted (PUT /api/v1/orders/{id}/validate) — so half the commands update an existing
// order. With a `pool` of existing orders, every slot instead updates the
// next pool order not waiting for an answer: validate, then modify (back to received),
// and so on — the collection stays the same size, for long memory runs.
import { Agent, request } from 'node:http';
import { SEED_BODY } from './edge-measure.js';

export type CommandKind = 'create' | 'validate' | 'modify';

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
  /** 503 answers that came without a Retry-After header (shedding must say when to retry). */
  unavailableWithoutRetryAfter: number;
}

export interface LoadOptions {
  /** One edge, or several: slots 2k and 2k+1 (a create and a validate) go to base k mod their count. */
  base: string | readonly string[];
  rate: number;
  seconds: number;
  maxInFlight?: number;
  /** Existing orders to cycle through instead of creating new ones, with the command each takes next. */
  pool?: ReadonlyMap<string, 'validate' | 'modify'>;
  onAccepted(a: Accepted): void;
}

function send(agent: Agent, base: string, method: string, path: string, body: string): Promise<{ status: number; body: string; retryAfter: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent, method, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, retryAfter: res.headers['retry-after'] !== undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function openLoad(opts: LoadOptions): Promise<LoadResult> {
  const maxInFlight = opts.maxInFlight ?? 2000;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const toValidate: string[] = [];
  const result: LoadResult = { scheduled: 0, accepted: 0, failed: {}, skipped: 0, unavailableWithoutRetryAfter: 0 };
  const pending = new Set<Promise<void>>();
  // Pool mode: orders ready for their next command, and what that command is.
  const ready = [...(opts.pool?.keys() ?? [])];
  const next = new Map([...(opts.pool ?? [])].map(([id, kind]) => [id, { kind, modifies: 0 }]));
  const bases = typeof opts.base === 'string' ? [opts.base] : opts.base;
  const request = (slot: number): { kind: CommandKind; orderId?: string; call: Promise<{ status: number; body: string; retryAfter: boolean }> } | undefined => {
    const base = bases[(slot >> 1) % bases.length]!;
    if (opts.pool) {
      const orderId = ready.shift();
      if (!orderId) return undefined;
      const n = next.get(orderId)!;
      if (n.kind === 'validate') return { kind: 'validate', orderId, call: send(agent, base, 'PUT', `/api/v1/orders/${orderId}/validate`, '{}') };
      const priority = n.modifies % 2 === 0 ? 'next_day' : 'standard';
      return { kind: 'modify', orderId, call: send(agent, base, 'PATCH', `/api/v1/orders/${orderId}`, JSON.stringify({ priority })) };
    }
    const orderId = slot % 2 === 1 ? toValidate.shift() : undefined;
    if (orderId) return { kind: 'validate', orderId, call: send(agent, base, 'PUT', `/api/v1/orders/${orderId}/validate`, '{}') };
    return { kind: 'create', call: send(agent, base, 'POST', '/api/v1/orders', SEED_BODY) };
  };
  const settled = (orderId: string | undefined, kind: CommandKind) => {
    if (!opts.pool || !orderId) return;
    const n = next.get(orderId)!;
    if (kind === 'modify') n.modifies++;
    n.kind = kind === 'validate' ? 'modify' : 'validate';
    ready.push(orderId);
  };
  const fire = (slot: number, scheduledAt: number) => {
    const r = request(slot);
    if (!r) {
      result.skipped++; // every pool order is waiting for an answer
      return;
    }
    const { kind, orderId, call } = r;
    const p = call.then(
      (r) => {
        if (r.status !== 202) {
          result.failed[r.status] = (result.failed[r.status] ?? 0) + 1;
          if (r.status === 503 && !r.retryAfter) result.unavailableWithoutRetryAfter++;
          if (opts.pool && orderId) ready.push(orderId); // same command again later
          return;
        }
        const id = orderId ?? (JSON.parse(r.body) as { orderId: string }).orderId;
        result.accepted++;
        if (kind === 'create') toValidate.push(id);
        settled(orderId, kind);
        opts.onAccepted({ kind, orderId: id, scheduledAt, acceptedAt: performance.now() });
      },
      () => {
        result.failed.error = (result.failed.error ?? 0) + 1;
        if (opts.pool && orderId) ready.push(orderId);
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
