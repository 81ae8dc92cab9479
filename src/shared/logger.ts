// One logger factory: structured pino logs; secrets and personal data never at info.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.password', 'password'], censor: '[redacted]' },
  });
}
