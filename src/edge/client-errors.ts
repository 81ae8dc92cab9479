// Answers for requests that never became a request: bad framing (chunk sizes, header
// syntax), a client too slow to send its request (408), headers over the limit (431).
// Node hands these to the server's clientError handler before Fastify has a request, so
// they get the same problem+json as everything else, written on the socket directly.
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, problem } from './errors.js';

type ClientErrorAnswer = [status: number, code: string, detail: string];
/** Node's error code → the answer; anything else is MALFORMED (also read by the OpenAPI document). */
export const CLIENT_ERROR_ANSWERS: Readonly<Record<string, ClientErrorAnswer>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request headers are larger than this service accepts'],
};
export const MALFORMED: ClientErrorAnswer = [400, 'MALFORMED_REQUEST', 'The request is not valid HTTP/1.1'];
const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Fastify's `clientErrorHandler`: a problem+json answer, then the connection is closed. */
export function clientErrorHandler(err: NodeJS.ErrnoException & { reason?: string }, socket: Socket): void {
  // A reset connection is gone; a socket that already carries a response must not get a second one.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] = CLIENT_ERROR_ANSWERS[err.code ?? ''] ?? [MALFORMED[0], MALFORMED[1], `${MALFORMED[2]}${err.reason ? ` (${err.reason})` : ''}`];
  if (socket.writable) {
    const body = JSON.stringify(problem(status, code, detail));
    socket.write(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
