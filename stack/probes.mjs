// Readiness probes that speak each server's own protocol, with Node built-ins only
// (they run before node_modules exist): Kafka Metadata, MongoDB `hello`, HTTP health.
import { Socket, createConnection } from 'node:net';

function request(host, port, payload, isComplete, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const chunks = [];
    const done = (err, value) => {
      socket.destroy();
      err ? reject(err) : resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(new Error('timeout')));
    socket.on('error', done);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (c) => {
      chunks.push(c);
      const buf = Buffer.concat(chunks);
      if (isComplete(buf)) done(null, buf);
    });
    socket.on('end', () => done(new Error('connection closed')));
  });
}

const sizePrefixedComplete = (buf) => buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0);

/** Kafka Metadata v1 request; ready when the broker lists at least one live broker. */
export async function kafkaReady(host, port) {
  const clientId = Buffer.from('stack-probe');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
  let o = 0;
  o = body.writeInt16BE(3, o); // api key: Metadata
  o = body.writeInt16BE(1, o); // version 1
  o = body.writeInt32BE(7, o); // correlation id
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  body.writeInt32BE(-1, o); // null topic array: all topics
  const frame = Buffer.concat([Buffer.alloc(4), body]);
  frame.writeInt32BE(body.length, 0);
  const res = await request(host, port, frame, sizePrefixedComplete);
  if (res.readInt32BE(4) !== 7) throw new Error('unexpected correlation id');
  const brokers = res.readInt32BE(8);
  if (brokers < 1) throw new Error('no live broker in metadata yet');
  return true;
}

/** MongoDB OP_MSG { hello: 1, $db: "admin" }; ready when the reply says ok: 1. */
export async function mongoReady(host, port) {
  const doc = bson([['hello', 1], ['$db', 'admin']]);
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(16 + 4 + 1 + doc.length, 0);
  header.writeInt32LE(1, 4); // request id
  header.writeInt32LE(0, 8);
  header.writeInt32LE(2013, 12); // OP_MSG
  header.writeUInt32LE(0, 16); // flags
  header.writeUInt8(0, 20); // section kind 0: body
  const res = await request(host, port, Buffer.concat([header, doc]), (b) => b.length >= 4 && b.length >= b.readInt32LE(0));
  // Look for the double element `ok` (type 0x01) in the reply body.
  const marker = Buffer.from([0x01, 0x6f, 0x6b, 0x00]);
  const at = res.indexOf(marker, 21);
  if (at < 0 || res.readDoubleLE(at + marker.length) !== 1) throw new Error('hello did not answer ok: 1');
  return true;
}

function bson(entries) {
  const parts = entries.map(([k, v]) => {
    const key = Buffer.from(`${k}\0`);
    if (typeof v === 'number') {
      const n = Buffer.alloc(4);
      n.writeInt32LE(v);
      return Buffer.concat([Buffer.from([0x10]), key, n]);
    }
    const s = Buffer.from(`${v}\0`);
    const len = Buffer.alloc(4);
    len.writeInt32LE(s.length);
    return Buffer.concat([Buffer.from([0x02]), key, len, s]);
  });
  const body = Buffer.concat(parts);
  const out = Buffer.alloc(4 + body.length + 1);
  out.writeInt32LE(out.length, 0);
  body.copy(out, 4);
  return out;
}

/** GET url; ready on a 2xx answer (optionally checking the body). */
export async function httpReady(url, check = () => true) {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  const text = await res.text();
  if (!res.ok || !check(text)) throw new Error(`${url} answered ${res.status}`);
  return true;
}

/** True when something accepts TCP connections on host:port. */
export function portInUse(host, port) {
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(500);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('timeout', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(false));
    s.connect(port, host);
  });
}
