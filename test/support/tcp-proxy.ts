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
