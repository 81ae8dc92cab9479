// A Kafka client connected on first use, for an edge that must start and answer while
// the broker is down. A new client is made only after the broker probe succeeds (see
// broker-probe.ts), one attempt at a time; a failed attempt is forgotten and the next use
// tries again, so the process recovers by itself. Once connected, librdkafka reconnects
// on its own.
import type { BrokerProbe } from './broker-probe.js';

export interface Connectable {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export class LazyConnection<T extends Connectable> {
  private current: { client?: T; ready: Promise<T>; connected: boolean } | undefined;
  private closed = false;

  constructor(
    private readonly make: () => T,
    private readonly probe: BrokerProbe,
    private readonly onFailure: (err: Error) => void = () => undefined,
  ) {}

  /** The connected client; rejects when Kafka is unreachable or this attempt fails. */
  get(): Promise<T> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    if (!this.current) this.current = this.attempt();
    return this.current.ready;
  }

  isConnected(): boolean {
    return this.current?.connected ?? false;
  }

  /** Forgets the client (after a fatal error); the next get() makes a new one. */
  drop(): void {
    const c = this.current;
    this.current = undefined;
    if (c) void c.ready.then((client) => client.disconnect()).catch(() => undefined);
  }

  /** Disconnects a connected client; an attempt still connecting ends by itself. */
  async close(): Promise<void> {
    this.closed = true;
    const c = this.current;
    this.current = undefined;
    if (c?.connected && c.client) await c.client.disconnect().catch(() => undefined);
  }

  private attempt() {
    const entry: { client?: T; ready: Promise<T>; connected: boolean } = { connected: false, ready: Promise.resolve(undefined as unknown as T) };
    entry.ready = (async () => {
      await this.probe();
      if (this.closed) throw new Error('connection closed');
      const client = this.make();
      entry.client = client;
      await client.connect();
      entry.connected = true;
      if (this.closed) {
        await client.disconnect().catch(() => undefined);
        throw new Error('connection closed');
      }
      return client;
    })();
    entry.ready.catch((err: Error) => {
      if (this.current === entry) this.current = undefined;
      this.onFailure(err);
    });
    return entry;
  }
}
