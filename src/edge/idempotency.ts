// Idempotency-Key handling: same key + same body → the same answer (and the same
// commandId, so even an interrupted first attempt is applied once); same key + another
// body → 422. Keys are scoped per caller and route (caller + method + route + orderId):
// two callers using the same key never see each other's answer.
import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  takeOverIdempotencyKey,
  type StoredResponse,
} from '../shared/idempotency-collection.js';
import { edgeError } from './errors.js';

export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7E]{1,255}$';

/** JSON with object keys sorted at every level, so key order does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Fingerprint of a request body (a missing body counts as `{}`). */
export const requestHash = (body: unknown): string => createHash('sha256').update(canonicalJson(body ?? {})).digest('base64url');

/** Space-separated parts; the caller is URI-encoded so a subject with spaces cannot pose as another scope. */
export const idempotencyScope = (method: string, route: string, orderId?: string, caller?: string): string =>
  [method, route, ...(orderId === undefined ? [] : [orderId]), ...(caller === undefined ? [] : [`by:${encodeURIComponent(caller)}`])].join(' ');

export type IdempotentStart =
  | { kind: 'proceed'; orderId: string; commandId: string; complete(response: StoredResponse): Promise<void>; release(): Promise<void> }
  | { kind: 'replay'; response: StoredResponse };

export interface IdempotentRequest {
  scope: string;
  key: string;
  hash: string;
  /** Ids to use if this is the first request with the key. */
  orderId: string;
  commandId: string;
  /** How long the first request may take before a retry is allowed to take over. */
  leaseMs: number;
}

export async function beginIdempotent(db: Db, req: IdempotentRequest, now = new Date()): Promise<IdempotentStart> {
  const id = `${req.scope} ${req.key}`;
  const leaseUntil = new Date(now.getTime() + req.leaseMs);
  const proceed = (orderId: string, commandId: string): IdempotentStart => ({
    kind: 'proceed',
    orderId,
    commandId,
    complete: (response) => completeIdempotencyKey(db, id, response),
    release: () => releaseIdempotencyKey(db, id),
  });
  const claim = await claimIdempotencyKey(db, {
    _id: id,
    requestHash: req.hash,
    orderId: req.orderId,
    commandId: req.commandId,
    state: 'in-progress',
    leaseUntil,
    createdAt: now,
  });
  if (claim.claimed) return proceed(req.orderId, req.commandId);
  const existing = claim.existing;
  // Vanished between insert and read (expired by TTL): treat as in progress; the client retries.
  if (!existing) throw edgeError('IDEMPOTENCY_KEY_IN_PROGRESS');
  if (existing.requestHash !== req.hash) throw edgeError('IDEMPOTENCY_KEY_REUSED');
  if (existing.state === 'completed' && existing.response) return { kind: 'replay', response: existing.response };
  if (existing.leaseUntil.getTime() > now.getTime()) throw edgeError('IDEMPOTENCY_KEY_IN_PROGRESS');
  if (!(await takeOverIdempotencyKey(db, id, existing.leaseUntil, leaseUntil))) throw edgeError('IDEMPOTENCY_KEY_IN_PROGRESS');
  return proceed(existing.orderId, existing.commandId);
}
