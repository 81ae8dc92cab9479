// Issue 24: the events topic must keep every event for `order-service rebuild`. The
// processor warns and /ready answers `degraded` (still 200) when it is told the topic
// keeps less (TOPIC_EVENTS_RETENTION_MS; the client cannot read topic configs), and when
// the brokers say its first events are gone.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpsServer } from '../../src/processor/http.js';
import { createProducer } from '../../src/shared/kafka.js';
import { isolatedEnv, startProcessor, type RunningProcessor } from '../support/processor-harness.js';

async function readiness(running: RunningProcessor): Promise<{ status: number; body: { status: string; degraded?: string[] } }> {
  const server = await startOpsServer(0, '127.0.0.1', running.processor, running.metrics.registry);
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`);
    return { status: res.status, body: (await res.json()) as { status: string; degraded?: string[] } };
  } finally {
    server.close();
  }
}

describe('processor: events topic retention for rebuilds', () => {
  let running: RunningProcessor | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('is ready, not degraded, with the whole log kept (the default)', async () => {
    running = await startProcessor(isolatedEnv('retention-ok', 1));
    expect(await readiness(running)).toEqual({ status: 200, body: { status: 'ready', reasons: [] } });
  });

  it('is degraded with a retention that deletes events', async () => {
    running = await startProcessor({ ...isolatedEnv('retention-7d', 1), TOPIC_EVENTS_RETENTION_MS: String(7 * 24 * 3600 * 1000) });
    const { status, body } = await readiness(running);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.degraded).toEqual([expect.stringMatching(/keeps events for 604800000 ms .*rebuild .* would be incomplete/)]);
  });

  it('is degraded once the first events of a partition were deleted', async () => {
    const env = isolatedEnv('retention-cut', 1);
    running = await startProcessor(env);
    const { kafka, config } = running;
    await running.stop();
    running = undefined;
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic: config.topics.events, messages: [{ key: 'k', value: 'a' }, { key: 'k', value: 'b' }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopicRecords({ topic: config.topics.events, partitions: [{ partition: 0, offset: '1' }] });
    await admin.disconnect();

    running = await startProcessor(env);
    const { body } = await readiness(running);
    expect(body.status).toBe('degraded');
    expect(body.degraded).toEqual([expect.stringMatching(/lost its first events \(partition 0 starts at 1\)/)]);
  });
});
