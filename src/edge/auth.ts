// Who is calling: a static bearer token (API_TOKEN) or a JWT verified against a JWKS
// (AUTH_JWKS_URL: issuer, audience, expiry with clock skew, an allow-list of asymmetric
// algorithms — `none` and HMAC can never pass). With either configured, every route needs
// a token unless it declares itself public (RouteAccess below): reads the scope
// orders:read, commands orders:write. No token or a bad one → 401; a good token without
// the scope → 403 (RFC 6750 WWW-Authenticate both).
// The caller's subject becomes the command's issuedBy and scopes Idempotency-Keys.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { AuthConfig } from '../shared/config.js';
import { edgeError } from './errors.js';
import { problems } from './openapi.js';

export const SCOPES = { read: 'orders:read', write: 'orders:write' } as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** The authenticated caller of a request. */
export interface Caller {
  /** The token's `sub` (or `api-token` for the static token): recorded as the command's issuedBy. */
  subject: string;
  scopes: ReadonlySet<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** Identity recorded for requests made with the static API_TOKEN. */
export const STATIC_TOKEN_SUBJECT = 'api-token';
const JWKS_TIMEOUT_MS = 2000;
/** A subject travels in command records and order history: one printable line, bounded. */
const SUBJECT = /^[\x21-\x7E][\x20-\x7E]{0,255}$/;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function tokenMatches(header: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = digest(m?.[1] ?? '');
  const ok = timingSafeEqual(given, digest(expected));
  return ok && m !== null;
}

/** The scopes of a JWT: `scope` (space-separated, RFC 8693) or `scp` (string or array). */
function scopesOf(payload: JWTPayload): Set<string> {
  const out = new Set<string>();
  const add = (v: unknown) => {
    const list = typeof v === 'string' ? v.split(/\s+/) : Array.isArray(v) ? v : [];
    for (const s of list) if (typeof s === 'string' && s !== '') out.add(s);
  };
  add(payload.scope);
  add(payload.scp);
  return out;
}

type Verify = (token: string) => Promise<Caller>;

function jwtVerifier(jwt: NonNullable<AuthConfig['jwt']>): Verify {
  // Keys are cached and re-fetched on an unknown `kid` (key rotation), at most every 30 s.
  const keys = createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: JWKS_TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        algorithms: jwt.algorithms,
        clockTolerance: jwt.clockSkewSeconds,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      // The key set could not be fetched or read (timeout, a 5xx, a broken body): the
      // issuer's problem, not the caller's, whose token may be fine. jose raises the bare
      // JOSEError class for a non-200 answer and an unparsable body.
      const keySetFailed = err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || !(err instanceof joseErrors.JOSEError) || err.constructor === joseErrors.JOSEError;
      if (keySetFailed) {
        throw Object.assign(edgeError('DEPENDENCY_UNAVAILABLE', 'The token issuer key set (JWKS)'), { cause: err });
      }
      throw invalidToken(describeJoseError(err));
    }
    if (typeof payload.sub !== 'string' || !SUBJECT.test(payload.sub)) throw invalidToken('the sub claim must be a printable text of at most 256 characters');
    return { subject: payload.sub, scopes: scopesOf(payload) };
  };
}

/** Why a token failed, in words safe to return (never the token itself). */
function describeJoseError(err: joseErrors.JOSEError): string {
  if (err instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `the ${err.claim} claim is not acceptable`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this service does not accept';
  if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token is not signed by a key of the issuer';
  return 'the token is not a valid JWT';
}

const AUTH_REALM = 'Bearer realm="order-service"';

function invalidToken(detail: string) {
  return Object.assign(edgeError('INVALID_TOKEN', detail), { headers: { 'www-authenticate': `${AUTH_REALM}, error="invalid_token"` } });
}

export interface Authenticator {
  /** The caller behind an Authorization header; throws a 401 (or 503) edge error. */
  authenticate(header: string | undefined): Promise<Caller>;
}

export function createAuthenticator(auth: AuthConfig): Authenticator | undefined {
  if (!auth.apiToken && !auth.jwt) return undefined;
  const verifyJwt = auth.jwt ? jwtVerifier(auth.jwt) : undefined;
  const everyScope = new Set<string>(Object.values(SCOPES));
  return {
    async authenticate(header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      if (!m) throw Object.assign(edgeError('UNAUTHORIZED'), { headers: { 'www-authenticate': AUTH_REALM } });
      if (auth.apiToken && tokenMatches(header, auth.apiToken)) return { subject: STATIC_TOKEN_SUBJECT, scopes: everyScope };
      if (verifyJwt && (m[1] as string).split('.').length === 3) return verifyJwt(m[1] as string);
      throw invalidToken('the token is not one this service accepts');
    },
  };
}

/**
 * Who may call a route, declared in the route's own options (`config: { access }`):
 * - undeclared: a token is needed, with the route's `config.scope` (default by method:
 *   reads orders:read, anything else orders:write); `scope: 'any'` asks for a token only;
 * - `operations` (/metrics, /docs): open unless AUTH_PROTECT_OPS, then a token of any scope;
 * - `public` (/health, /ready): always open.
 * The matched route decides, never the URL text: the router decodes and normalises the
 * target (percent-encoding, absolute-form) before it matches, and a check on the raw text
 * would disagree with it. A request that matches no route needs a token too.
 */
export type RouteAccess = 'public' | 'operations';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    scope?: Scope | 'any';
  }
}

/** The scope a request needs: reading is orders:read, anything else orders:write. */
export const scopeFor = (method: string): Scope => (method === 'GET' || method === 'HEAD' ? SCOPES.read : SCOPES.write);

interface RouteConfig {
  access?: RouteAccess | undefined;
  scope?: Scope | 'any' | undefined;
}

/** What a route with `config` asks of its caller: nothing, a token, or a token with a scope. */
export function requirementOf(config: RouteConfig | undefined, method: string, protectOps: boolean): 'none' | 'token' | Scope {
  if (config?.access === 'public') return 'none';
  if (config?.access === 'operations') return protectOps ? 'token' : 'none';
  if (config?.scope === 'any') return 'token';
  return config?.scope ?? scopeFor(method);
}

/** onRequest hook (runs after routing, before any body is read): authenticates per the matched route's access. */
export function authHook(authenticator: Authenticator, opts: { protectOps: boolean }) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // Unmatched requests are not answered without a token: no route map for anonymous callers.
    const needs = request.is404 ? 'token' : requirementOf(request.routeOptions.config, request.method, opts.protectOps);
    if (needs === 'none') return;
    try {
      request.caller = await authenticator.authenticate(request.headers.authorization);
    } catch (err) {
      const headers = (err as { headers?: Record<string, string> }).headers;
      if (headers) reply.headers(headers);
      request.log.info({ code: (err as { code?: string }).code, detail: (err as Error).message }, 'request not authenticated');
      throw err;
    }
    // Every later line of the request names the caller (reply.log writes "request completed").
    request.log = request.log.child({ caller: request.caller.subject });
    reply.log = request.log;
    if (needs === 'token') return;
    if (!request.caller.scopes.has(needs)) {
      reply.header('www-authenticate', `${AUTH_REALM}, error="insufficient_scope", scope="${needs}"`);
      throw edgeError('INSUFFICIENT_SCOPE', needs);
    }
  };
}

/** OpenAPI: the security schemes in force, and the requirement of a route needing `scope`. */
export function openApiSecurity(auth: AuthConfig): {
  schemes: Record<string, { type: 'http'; scheme: 'bearer'; bearerFormat?: string; description: string }> | undefined;
  requirement: (needs: Scope | 'token') => { security?: Record<string, string[]>[] };
} {
  const schemes: NonNullable<ReturnType<typeof openApiSecurity>['schemes']> = {};
  if (auth.apiToken) schemes.apiToken = { type: 'http', scheme: 'bearer', description: 'The static API_TOKEN; it carries both scopes' };
  if (auth.jwt) {
    schemes.jwt = {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: `A JWT from ${auth.jwt.issuer} for audience ${auth.jwt.audience}; scopes (scope or scp claim): ${SCOPES.read} for reads, ${SCOPES.write} for commands`,
    };
  }
  const names = Object.keys(schemes);
  if (names.length === 0) return { schemes: undefined, requirement: () => ({}) };
  // Any one scheme will do; the role list names the scope (OpenAPI 3.1 allows roles on non-OAuth schemes).
  return { schemes, requirement: (needs) => ({ security: names.map((n) => ({ [n]: n === 'jwt' && needs !== 'token' ? [needs] : [] })) }) };
}

/** onRoute hook: a documented route's OpenAPI security, from the same rule authHook enforces. */
export function documentRouteSecurity(auth: AuthConfig): (route: RouteOptions) => void {
  const { requirement, schemes } = openApiSecurity(auth);
  return (route) => {
    const schema = route.schema as (FastifySchema & { hide?: boolean }) | undefined;
    if (!schema || schema.hide) return;
    const method = Array.isArray(route.method) ? (route.method[0] as string) : route.method;
    const needs = requirementOf(route.config, method, auth.protectOps);
    if (needs === 'none' || !schemes) return;
    // No token or a bad one: 401; a token without the scope: 403.
    const refusals = problems(needs === 'token' ? [401] : [401, 403]);
    route.schema = { ...schema, ...requirement(needs), response: { ...(schema.response as object | undefined), ...refusals } };
  };
}
