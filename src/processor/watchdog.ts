// Lag per assigned partition (records still to process: see fetch-progress.ts), and
// what the probes say about progress:
// - readiness: "stalled" when lag stays and no batch commits for PROCESSOR_STALL_TIMEOUT_MS;
//   "retrying a batch: …" while an attempt fails (an outage: it resumes by itself).
// - liveness: fails when lag stays and no batch commits for PROCESSOR_LIVENESS_TIMEOUT_MS
//   while the loop is not waiting out an outage — a hung consume loop, which a restart
//   fixes. An outage is not restarted away: every replica would fail the same way.
import type { ErrorKind } from './error-classifier.js';
import type { ProcessorMetrics } from './metrics.js';

export interface WatchdogDeps {
  stallTimeoutMs: number;
  livenessTimeoutMs: number;
  metrics: ProcessorMetrics;
}

/** Per assigned partition, the records not processed yet. */
export type LagMeasure = () => ReadonlyMap<number, number>;

export class ProgressWatchdog {
  private lastCommitAt = Date.now();
  private lagSince: number | null = null;
  private totalLag = 0;
  private failing: { message: string; kind: ErrorKind } | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: WatchdogDeps) {}

  start(measure: LagMeasure, intervalMs = 2000): void {
    this.lastCommitAt = Date.now();
    this.timer = setInterval(() => this.checkLag(measure), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  batchCommitted(): void {
    this.lastCommitAt = Date.now();
    this.failing = null;
  }

  attemptFailed(err: Error, kind: ErrorKind): void {
    this.failing = { message: err.message, kind };
  }

  /** Reasons not to send traffic here (none = ready). */
  readinessReasons(): string[] {
    const reasons: string[] = [];
    if (this.failing) reasons.push(`retrying a batch: ${this.failing.message}`);
    const idle = this.idleMs();
    if (idle !== null && idle > this.deps.stallTimeoutMs) reasons.push(`stalled: lag ${this.totalLag} and no batch for ${Math.round(idle / 1000)} s`);
    return reasons;
  }

  /** Why the consume loop counts as hung, or null while it is alive. */
  deadReason(): string | null {
    const idle = this.idleMs();
    if (idle === null || idle <= this.deps.livenessTimeoutMs) return null;
    if (this.failing?.kind === 'outage') return null;
    return `consume loop hung: lag ${this.totalLag} and no batch committed for ${Math.round(idle / 1000)} s`;
  }

  /** How long lag has waited without a commit, or null when there is none. */
  private idleMs(): number | null {
    if (this.lagSince === null) return null;
    return Date.now() - Math.max(this.lastCommitAt, this.lagSince);
  }

  private checkLag(measure: LagMeasure): void {
    const { metrics } = this.deps;
    let lags: ReadonlyMap<number, number>;
    try {
      lags = measure();
    } catch {
      return; // e.g. the consumer is disconnecting: the last measure stands
    }
    let total = 0;
    metrics.lag.reset();
    for (const [partition, lag] of lags) {
      total += lag;
      metrics.lag.set({ partition: String(partition) }, lag);
    }
    if (total > 0) this.lagSince ??= Date.now();
    else this.lagSince = null;
    this.totalLag = total;
  }
}
