import { createServer, type AddressInfo } from 'node:net';

/** A TCP port that was free a moment ago (for servers a test starts itself). */
export const freePort = (): Promise<number> =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
