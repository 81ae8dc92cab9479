// When a fixed rate "holds": the service keeps up with it (every slot sent and accepted,
// events keep pace, nothing left after the drain), its backlog does not grow while the
// load runs, and the p99 from the 202 to the event stays within a stated bound. A
// throughput that keeps up only by queueing for seconds is not one an order API can
// promise, so each maximum the bench reports is tied to a latency bound.

export interface HoldInput {
  offeredRate: number;
  load: { scheduled: number; skipped: number; failed: Record<string, number> };
  httpAcceptedPerSecond: number;
  e2ePerSecond: number;
  unmatchedAfterDrain: number;
  fromAccept: { p99: number };
  /** Accepted commands without their event yet, sampled while the load runs (t in s from its start). */
  backlog: { t: number; backlog: number }[];
}

/** The bounds the bench reports a maximum for: p99 202 → event ≤ 100 ms and ≤ 1 s. */
export const P99_BOUNDS_MS = [100, 1000] as const;

/** A backlog that rises faster than this share of the offered rate is growing (at 5 %, the processor keeps < 95 % of the rate). */
export const BACKLOG_GROWTH_LIMIT = 0.05;

/** Least-squares slope of the backlog over time, commands/s (0 with fewer than 3 samples). */
export function backlogGrowthPerSecond(samples: { t: number; backlog: number }[]): number {
  if (samples.length < 3) return 0;
  const n = samples.length;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const mb = samples.reduce((s, x) => s + x.backlog, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of samples) {
    num += (x.t - mt) * (x.backlog - mb);
    den += (x.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Keeps up: every slot sent and answered (≤ 1 % errors), ≥ 95 % of the rate accepted over
 * HTTP, ≥ 90 % completed end to end, nothing unmatched after the drain, the backlog not growing.
 */
export function keepsUp(s: HoldInput): boolean {
  const failed = Object.values(s.load.failed).reduce((a, b) => a + b, 0);
  return (
    s.load.skipped === 0 &&
    failed <= s.load.scheduled * 0.01 &&
    s.httpAcceptedPerSecond >= s.offeredRate * 0.95 &&
    s.e2ePerSecond >= s.offeredRate * 0.9 &&
    s.unmatchedAfterDrain === 0 &&
    backlogGrowthPerSecond(s.backlog) <= s.offeredRate * BACKLOG_GROWTH_LIMIT
  );
}

/** Holds at a p99 bound: keeps up, and p99 202 → event ≤ `p99BoundMs`. */
export function holds(s: HoldInput, p99BoundMs: number): boolean {
  return keepsUp(s) && s.fromAccept.p99 <= p99BoundMs;
}

/** `{ "100": true, "1000": false }`: whether the step holds at each bound. */
export function holdsAt(s: HoldInput, bounds: readonly number[] = P99_BOUNDS_MS): Record<string, boolean> {
  return Object.fromEntries(bounds.map((b) => [String(b), holds(s, b)]));
}

/** The summary key of the maximum at a bound: 100 → maxRateP99_100ms, 1000 → maxRateP99_1s. */
export const maxRateKey = (boundMs: number): string => `maxRateP99_${boundMs % 1000 === 0 ? `${boundMs / 1000}s` : `${boundMs}ms`}`;
