// HTTP/1.1 written byte for byte: request targets and framings that fetch() normalises
// away (percent-encoded letters, absolute-form targets, dot segments, no Host, broken
// chunked framing). One request per connection; the answer is read until the server
// closes or the body it announced has arrived.
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: string;
  /** The request target exactly as sent (origin-form, absolute-form, anything). */
  target: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Bytes sent after the head instead of `body` with a Content-Length. */
  rawTail?: string | Buffer;
  /** Leave out the Host header (it is added by default). */
  noHost?: boolean;
  timeoutMs?: number;
}

export function parseRawResponse(raw: Buffer): RawResponse {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const bodyBytes = raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  let body = bodyBytes.toString('utf8');
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status, headers, body };
}

function dechunk(s: string): string {
  let out = '';
  let rest = s;
  for (;;) {
    const nl = rest.indexOf('\r\n');
    if (nl < 0) return out;
    const size = parseInt(rest.slice(0, nl), 16);
    if (!(size > 0)) return out;
    out += rest.slice(nl + 2, nl + 2 + size);
    rest = rest.slice(nl + 2 + size + 2);
  }
}

export function rawRequest(base: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  const headers: Record<string, string> = { ...(req.noHost ? {} : { host: url.host }), connection: 'close', ...req.headers };
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  if (body) headers['content-length'] = String(body.length);
  const head = `${req.method} ${req.target} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${req.method} ${req.target} within ${req.timeoutMs ?? 10_000} ms`));
    }, req.timeoutMs ?? 10_000);
    const finish = () => {
      clearTimeout(timer);
      try {
        resolve(parseRawResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    };
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', finish);
    socket.on('error', (err) => {
      // A reset after a full answer (the server closed while we still wrote) still counts.
      if (chunks.length > 0) return finish();
      clearTimeout(timer);
      reject(err);
    });
    socket.write(head);
    if (body) socket.write(body);
    if (req.rawTail !== undefined) socket.write(req.rawTail);
  });
}
