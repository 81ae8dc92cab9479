// /ready: can this edge do its job right now? Kafka answers metadata for the commands
// topic, MongoDB answers a ping, the registry answers. Each check is bounded in time and
// costs the same however much the system holds; a failing one names itself. The outcome
// consumer only serves `Prefer: wait` (without it such requests get their 202 later, at
// the deadline): while it is unassigned the edge is `degraded`, still ready, so a working
// 202 path is not taken out of the load balancer.
import type { Db } from 'mongodb';
import type { Admin, Kafka } from '../shared/kafka.js';
import { brokerProbe } from './broker-probe.js';
import { LazyConnection } from './kafka-connection.js';
import type { OutcomeWaiter } from './outcome-waiter.js';

export interface ReadinessReport {
  ready: boolean;
  /** ready, degraded (ready, but a non-essential check fails) or not ready. */
  status: 'ready' | 'degraded' | 'not ready';
  /** `essential: false` marks a check that does not decide readiness. */
  checks: Record<string, { ok: boolean; essential?: false; detail?: string }>;
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
            // The global compatibility setting: one small document, unlike /subjects (every subject).
            const res = await fetch(`${deps.registryUrl.replace(/\/$/, '')}/config`, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
            if (!res.ok) throw new Error(`registry answered ${res.status}`);
            await res.arrayBuffer();
          },
          checks,
        ),
      ]);
      checks.outcomes = deps.waiter.isAssigned()
        ? { ok: true, essential: false }
        : { ok: false, essential: false, detail: 'outcome consumer not assigned: Prefer: wait answers 202 at its deadline' };
      const ready = Object.values(checks).every((c) => c.ok || c.essential === false);
      const status = !ready ? 'not ready' : Object.values(checks).every((c) => c.ok) ? 'ready' : 'degraded';
      return { ready, status, checks };
    },
    close: () => admin.close(),
  };
}
