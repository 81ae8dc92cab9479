import net from 'node:net';

/** A TCP proxy on `port` to `target` (host:port): a server "comes back" when it starts listening. */
export function startProxy(port: number, target: string): Promise<net.Server> {
  const [host, targetPort] = target.split(':') as [string, string];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), host);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

export interface FreezableProxy {
  port: number;
  /** Stops forwarding in both directions (connections stay open, new ones are accepted and held): a server that stopped answering. */
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

/** A TCP proxy on a free port to `target` that can freeze like a stopped process or a partition. */
export async function startFreezableProxy(target: string): Promise<FreezableProxy> {
  const [host, targetPort] = target.split(':') as [string, string];
  const sockets = new Set<net.Socket>();
  // Bytes that arrived while frozen, delivered in order on thaw (no pipe(): it resumes streams on its own).
  const held: [net.Socket, Buffer][] = [];
  let frozen = false;
  const forward = (from: net.Socket, to: net.Socket) => {
    sockets.add(from);
    from.on('data', (chunk: Buffer) => (frozen ? held.push([to, chunk]) : to.write(chunk)));
    from.on('error', () => to.destroy());
    from.on('close', () => {
      sockets.delete(from);
      to.destroy();
    });
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), host);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const [to, chunk] of held.splice(0)) if (!to.destroyed) to.write(chunk);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
