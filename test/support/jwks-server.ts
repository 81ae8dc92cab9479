// A real local token issuer for tests: an HTTP server on 127.0.0.1 serving a JWKS with a
// key pair made at start, and helpers that mint JWTs — valid ones and the kinds an API
// must refuse (expired, wrong audience or issuer, signed by a key not in the set, `alg: none`).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';

export const ISSUER = 'https://issuer.test/';
export const AUDIENCE = 'order-service';
const KID = 'test-key-1';

export interface TokenOptions {
  sub?: string;
  scope?: string;
  audience?: string;
  issuer?: string;
  /** Seconds from now; negative = already expired. */
  expiresIn?: number;
  /** Sign with a key the JWKS does not hold (same kid). */
  wrongKey?: boolean;
  extra?: JWTPayload;
}

export interface JwksServer {
  url: string;
  /** Requests the server answered (key set fetches). */
  fetches(): number;
  /** How the key set answers from now on: the keys (default), an HTTP status, or a body that is not JSON. */
  answerWith(answer: 'keys' | 'not-json' | number): void;
  token(opts?: TokenOptions): Promise<string>;
  /** An unsecured JWT (`alg: none`, empty signature) with valid-looking claims. */
  unsigned(opts?: TokenOptions): string;
  close(): Promise<void>;
}

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

function claims(opts: TokenOptions): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: opts.sub ?? 'svc-wave-planner',
    scope: opts.scope ?? 'orders:read orders:write',
    iss: opts.issuer ?? ISSUER,
    aud: opts.audience ?? AUDIENCE,
    iat: now - 60,
    exp: now + (opts.expiresIn ?? 300),
    ...opts.extra,
  };
}

export async function startJwksServer(): Promise<JwksServer> {
  const good = await generateKeyPair('RS256');
  const wrong = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(good.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  let fetches = 0;
  let answer: 'keys' | 'not-json' | number = 'keys';
  const server: Server = createServer((req, res) => {
    fetches++;
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    if (typeof answer === 'number') return void res.writeHead(answer, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
    if (answer === 'not-json') return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const sign = (payload: JWTPayload, key: CryptoKey) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' }).sign(key);
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    answerWith: (a) => {
      answer = a;
    },
    token: (opts = {}) => sign(claims(opts), opts.wrongKey ? wrong.privateKey : good.privateKey),
    unsigned: (opts = {}) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(opts))}.`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Edge environment that trusts this issuer. */
export const jwtEnv = (jwks: JwksServer): Record<string, string> => ({ AUTH_JWKS_URL: jwks.url, AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE, AUTH_CLOCK_SKEW_SECONDS: '30' });
