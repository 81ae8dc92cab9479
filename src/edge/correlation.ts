// Correlation id: taken from X-Correlation-ID (or X-WMS-Correlation-ID) when it looks like
// an id, generated otherwise. It becomes Fastify's request id, so every log line of the
// request carries it, and it flows into the command record.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';
export const WMS_CORRELATION_HEADER = 'x-wms-correlation-id';

/** Conservative on purpose: it is echoed in headers and logs and must fit the command contract. */
const ACCEPTABLE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function correlationIdOf(headers: IncomingHttpHeaders): string {
  for (const name of [CORRELATION_HEADER, WMS_CORRELATION_HEADER]) {
    const value = headers[name];
    if (typeof value === 'string' && ACCEPTABLE.test(value)) return value;
  }
  return randomUUID();
}
