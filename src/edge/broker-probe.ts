// A plain TCP connect to the bootstrap brokers: the cheap "is Kafka reachable at all?"
// question, asked before a librdkafka client is made. librdkafka's connect() holds a libuv
// thread-pool worker for up to 30 s when no broker answers and does not finish early when
// one comes back; a few such attempts starve file and DNS I/O of the whole process. The
// probe costs a socket, answers within `timeoutMs`, and lets recovery happen at once.
import net from 'node:net';

export type BrokerProbe = () => Promise<void>;

export function brokerProbe(brokers: readonly string[], timeoutMs = 1000): BrokerProbe {
  const targets = brokers.map((b) => {
    const i = b.lastIndexOf(':');
    return { host: b.slice(0, i), port: Number(b.slice(i + 1)) };
  });
  const one = (t: { host: string; port: number }) =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: t.host, port: t.port });
      const done = (err?: Error) => {
        socket.destroy();
        if (err) reject(err);
        else resolve();
      };
      socket.setTimeout(timeoutMs, () => done(new Error(`${t.host}:${t.port} did not answer within ${timeoutMs} ms`)));
      socket.once('connect', () => done());
      socket.once('error', (err) => done(new Error(`${t.host}:${t.port}: ${err.message}`)));
    });
  return async () => {
    try {
      await Promise.any(targets.map(one));
    } catch (err) {
      const reasons = err instanceof AggregateError ? err.errors.map((e: Error) => e.message) : [(err as Error).message];
      throw new Error(`Kafka unreachable (${reasons.join('; ')})`);
    }
  };
}
