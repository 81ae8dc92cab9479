// LazyConnection: Kafka clients made only after the broker probe passes, one attempt at a
// time, forgotten on failure so the next use tries again (recovery without a restart).
import { describe, expect, it } from 'vitest';
import { LazyConnection, type Connectable } from '../../src/edge/kafka-connection.js';

class FakeClient implements Connectable {
  connects = 0;
  disconnects = 0;
  constructor(private readonly outcome: () => Promise<void>) {}
  async connect() {
    this.connects++;
    return this.outcome();
  }
  async disconnect() {
    this.disconnects++;
  }
}

describe('LazyConnection', () => {
  it('makes no client while the probe fails, and one once it passes', async () => {
    let reachable = false;
    const made: FakeClient[] = [];
    const conn = new LazyConnection(
      () => {
        const c = new FakeClient(async () => undefined);
        made.push(c);
        return c;
      },
      async () => {
        if (!reachable) throw new Error('Kafka unreachable (refused)');
      },
    );
    await expect(conn.get()).rejects.toThrow(/unreachable/);
    await expect(conn.get()).rejects.toThrow(/unreachable/);
    expect(made).toHaveLength(0);
    reachable = true;
    const client = await conn.get();
    expect(made).toEqual([client]);
    expect(conn.isConnected()).toBe(true);
    expect(await conn.get()).toBe(client); // reused
  });

  it('shares one attempt between concurrent callers and forgets it when it fails', async () => {
    let fail = true;
    const made: FakeClient[] = [];
    const failures: string[] = [];
    const conn = new LazyConnection(
      () => {
        const c = new FakeClient(async () => {
          await new Promise((r) => setTimeout(r, 10));
          if (fail) throw new Error('broker transport failure');
        });
        made.push(c);
        return c;
      },
      async () => undefined,
      (err) => failures.push(err.message),
    );
    const results = await Promise.allSettled([conn.get(), conn.get(), conn.get()]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(made).toHaveLength(1);
    expect(failures).toEqual(['broker transport failure']);
    fail = false;
    const recovered = await conn.get();
    expect(made).toHaveLength(2);
    expect(recovered).toBe(made[1]);
  });

  it('drop() replaces the client; close() disconnects a connected one and refuses new use', async () => {
    const made: FakeClient[] = [];
    const conn = new LazyConnection(
      () => {
        const c = new FakeClient(async () => undefined);
        made.push(c);
        return c;
      },
      async () => undefined,
    );
    const first = (await conn.get()) as FakeClient;
    conn.drop();
    await new Promise((r) => setTimeout(r, 0));
    expect(first.disconnects).toBe(1);
    const second = (await conn.get()) as FakeClient;
    expect(second).not.toBe(first);
    await conn.close();
    expect(second.disconnects).toBe(1);
    await expect(conn.get()).rejects.toThrow(/closed/);
  });
});
