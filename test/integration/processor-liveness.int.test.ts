// Pins issue 11's liveness gap: the processor's /health answered 200 whatever its consume
// loop did, so an orchestrator never restarted a replica whose loop hung. Here the loop
// hangs inside a batch (failpoint after-mongo-write=sleep) while commands wait: /ready
// says "stalled" and /health turns 503 once PROCESSOR_LIVENESS_TIMEOUT_MS has passed.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { createKafka } from '../../src/shared/kafka.js';
import { ensureCommandsTopic, produceCommands } from '../support/command-feed.js';
import { lifecycle, waitFor } from '../support/commands.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { replicaReadiness, spawnReplica, type ReplicaProcess } from '../support/processor-process.js';

const health = async (r: ReplicaProcess) => {
  const res = await fetch(`${r.opsUrl}/health`);
  return { status: res.status, body: (await res.json()) as { reasons?: string[] } };
};

describe('processor liveness', () => {
  const orders = Array.from({ length: 5 }, (_, i) => lifecycle(`ORD-live-${i}`));
  const hangOn = orders[0]![1]!;
  const env = {
    ...isolatedEnv('liveness', 1),
    PROCESSOR_STALL_TIMEOUT_MS: '1000',
    PROCESSOR_LIVENESS_TIMEOUT_MS: '4000',
    ORDER_SERVICE_FAILPOINTS: `after-mongo-write=sleep:600000@${hangOn.commandId}`,
  };
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'liveness-test' });
  let replica: ReplicaProcess | undefined;

  afterAll(() => {
    replica?.child.kill('SIGKILL');
  });

  it('is live while it works, and fails when the consume loop hangs with lag', async () => {
    await ensureCommandsTopic(kafka, config);
    replica = await spawnReplica(env);
    await waitFor(async () => (await replicaReadiness(replica!))?.status === 200, 60_000, 'replica ready');
    expect((await health(replica)).status).toBe(200);

    await produceCommands(kafka, config.topics.commands, orders.map((o) => o[0]!));
    await produceCommands(kafka, config.topics.commands, orders.flatMap((o) => o.slice(1)));
    const hung = await waitFor(async () => {
      const h = await health(replica!);
      return h.status === 503 ? h : undefined;
    }, 60_000, '/health 503');
    expect(hung.body.reasons?.[0]).toMatch(/consume loop hung: lag \d+ and no batch committed for \d+ s/);
    expect((await replicaReadiness(replica))?.body.reasons?.join(' ')).toMatch(/stalled/);
  }, 120_000);
});
