// The /metrics scraper the multi-replica tests count with: a miscount there would make a
// "handled exactly 3" assertion pass or fail for the wrong reason.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scraped } from '../../support/replica-metrics.js';
import type { ReplicaProcess } from '../../support/processor-process.js';

const exposition = `# HELP order_processor_commands_total Commands handled.
# TYPE order_processor_commands_total counter
order_processor_commands_total{type="ModifyOrder",outcome="applied"} 2
order_processor_commands_total{type="ModifyOrder",outcome="duplicate"} 1
order_processor_commands_total{type="CreateOrder",outcome="applied"} 5
order_processor_commands_total_other{type="ModifyOrder",outcome="applied"} 100
order_processor_batch_retries_total{kind="conflict"} 4
order_processor_up 1
`;

describe('scraped(): a counter of a spawned replica', () => {
  let server: Server;
  let replica: ReplicaProcess;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end(exposition));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    replica = { child: {} as ChildProcess, opsUrl: `http://127.0.0.1:${port}`, logs: [] };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sums every series whose labels include the wanted ones, and no series of a longer name', async () => {
    expect(await scraped(replica, 'order_processor_commands_total', { type: 'ModifyOrder' })).toBe(3);
    expect(await scraped(replica, 'order_processor_commands_total', { type: 'ModifyOrder', outcome: 'applied' })).toBe(2);
    expect(await scraped(replica, 'order_processor_commands_total')).toBe(8);
  });

  it('reads unlabelled series, and 0 for a series that does not exist', async () => {
    expect(await scraped(replica, 'order_processor_up')).toBe(1);
    expect(await scraped(replica, 'order_processor_batch_retries_total', { kind: 'conflict' })).toBe(4);
    expect(await scraped(replica, 'order_processor_batch_retries_total', { kind: 'mongo' })).toBe(0);
  });

  it('is 0 while the ops port is closed', async () => {
    expect(await scraped({ ...replica, opsUrl: 'http://127.0.0.1:1' }, 'order_processor_up')).toBe(0);
  });
});
