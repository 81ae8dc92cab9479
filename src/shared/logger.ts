// One logger factory: structured pino logs. Secrets (bearer tokens, cookies, passwords)
// and personal data (shipping addresses) never reach a log line, at any level: pino
// censors these paths wherever a log call (or an error's own properties) carries them.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const SECRET_KEYS = ['authorization', 'cookie', 'password', 'token', 'shippingAddress'];

/** Each key at the top level and up to three levels down (`req.headers.authorization`, `err.op.response.body…` stops there). */
export const REDACTED_PATHS: readonly string[] = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  const options = { name, level, base: { service: name }, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
