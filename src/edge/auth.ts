// Optional bearer token for mutating routes (API_TOKEN). Compared in constant time: both
// sides are hashed first so the comparison never depends on the token's length.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { edgeError } from './errors.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function tokenMatches(header: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = digest(m?.[1] ?? '');
  const ok = timingSafeEqual(given, digest(expected));
  return ok && m !== null;
}

export function bearerAuth(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!MUTATING.has(request.method)) return;
    if (tokenMatches(request.headers.authorization, token)) return;
    reply.header('www-authenticate', 'Bearer realm="order-service"');
    throw edgeError('UNAUTHORIZED');
  };
}
