// /ready: can this edge do its job right now? Kafka answers metadata for the commands
// topic, MongoDB answers a ping, the registry answers, and the outcome consumer is
// assigned. Each check is bounded in time; a failing one names itself.
import type { Db } from 'mongodb';
import type { Admin, Kafka } from '../shared/kafka.js';
import { brokerProbe } from './broker-probe.js';
import { LazyConnection } from './kafka-connection.js';
import type { OutcomeWaiter } from './outcome-waiter.js';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createReadiness(deps: { kafka: Kafka; brokers: readonly string[]; topic: string; db: Db; registryUrl: string; waiter: OutcomeWaiter }): Readiness {
  const probe = brokerProbe(deps.brokers);
  const admin = new LazyConnection<Admin>(() => deps.kafka.admin(), probe);

  const run = async (name: string, fn: () => Promise<unknown>, out: ReadinessReport['checks']) => {
    try {
      await bounded(fn(), name);
      out[name] = { ok: true };
    } catch (err) {
      out[name] = { ok: false, detail: String((err as Error).message ?? err).slice(0, 200) };
    }
  };

  return {
    async check() {
      const checks: ReadinessReport['checks'] = {};
      await Promise.all([
        run('kafka', async () => (await probe(), await admin.get()).fetchTopicMetadata({ topics: [deps.topic] }), checks),
        run('mongodb', () => deps.db.command({ ping: 1 }), checks),
        run(
          'registry',
          async () => {
            const res = await fetch(`${deps.registryUrl.replace(/\/$/, '')}/subjects`, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
            if (!res.ok) throw new Error(`registry answered ${res.status}`);
            await res.arrayBuffer();
          },
          checks,
        ),
      ]);
      checks.outcomes = deps.waiter.isAssigned() ? { ok: true } : { ok: false, detail: 'outcome consumer not assigned yet' };
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    },
    close: () => admin.close(),
  };
}
