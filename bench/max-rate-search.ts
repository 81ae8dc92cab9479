// The search for the highest rate that holds at each p99 bound (bench/hold-criterion.ts):
// one ladder of short steps shared by every bound (it stops at the first rate that fails
// the loosest one), then a bisection per bound between its last good and first bad rate
// (a rate already measured is not run again); then each maximum is checked for the
// soak's duration on the soak's database, and halved, then bisected, when it does not
// hold there. The step runners are arguments, so the search itself is pure.
import { holds, type HoldInput } from './hold-criterion.js';

export interface SearchOptions {
  rates: number[];
  refineSteps: number;
  bounds: readonly number[];
}

/** Highest rate holding at each bound (0 when not even the lowest rate tried holds), from short steps. */
export async function searchMaxima<S extends HoldInput>(o: SearchOptions, step: (rate: number) => Promise<S>): Promise<Record<string, number>> {
  const measured = new Map<number, S>();
  const at = async (rate: number) => {
    let s = measured.get(rate);
    if (!s) {
      s = await step(rate);
      measured.set(rate, s);
    }
    return s;
  };
  const loosest = Math.max(...o.bounds);
  const good = new Map(o.bounds.map((b) => [b, 0]));
  const bad = new Map(o.bounds.map((b) => [b, 0]));
  for (const rate of o.rates) {
    const s = await at(rate);
    for (const b of o.bounds) {
      if (bad.get(b)! > 0) continue;
      if (holds(s, b)) good.set(b, rate);
      else bad.set(b, rate);
    }
    if (!holds(s, loosest)) break;
  }
  const maxima: Record<string, number> = {};
  for (const b of [...o.bounds].sort((x, y) => y - x)) {
    let g = good.get(b)!;
    let f = bad.get(b)!;
    for (let i = 0; f > 0 && i < o.refineSteps; i++) {
      const rate = Math.round((g + f) / 2);
      if (rate === g || rate === f) break;
      if (holds(await at(rate), b)) g = rate;
      else f = rate;
    }
    maxima[String(b)] = g;
  }
  return maxima;
}

/** A maximum that did not hold: at most 80 % of it, and at most 90 % of what the failed step completed end to end (scaled to the maximum), in tens, at least 10. */
export function lowered(max: number, failed: { offeredRate: number; e2ePerSecond: number }): number {
  return Math.max(10, Math.floor(Math.min(max * 0.8, (failed.e2ePerSecond * 0.9 * max) / failed.offeredRate) / 10) * 10);
}

export interface Checked<S> {
  rate: number;
  held: boolean;
  checks: S[];
}

/** Rounded down to tens, at least 10. */
const tens = (rate: number) => Math.max(10, Math.floor(rate / 10) * 10);

/**
 * Checks `rate` at `bound` with `check`; while it does not hold and retries remain, checks
 * a lower rate: `lowered` until one holds (at most half the last failed rate: a 15 s step
 * on a fresh database overstates what holds for the soak's duration on the soak's
 * database by about 2× on 2 shared cores), then the middle between the highest rate that
 * held and the lowest that failed. The result is the highest rate that held (or the last
 * one tried, when none did).
 */
export async function checkMaximum<S extends HoldInput>(rate: number, bound: number, retries: number, check: (rate: number) => Promise<S>): Promise<Checked<S>> {
  const checks: S[] = [];
  let highestHeld = 0;
  let lowestFailed = Infinity;
  for (let attempt = 0; ; attempt++) {
    if (rate <= 0) return { rate: 0, held: false, checks };
    const s = await check(rate);
    checks.push(s);
    if (holds(s, bound)) highestHeld = Math.max(highestHeld, rate);
    else lowestFailed = Math.min(lowestFailed, rate);
    const next = highestHeld > 0 ? tens((highestHeld + lowestFailed) / 2) : Math.min(lowered(rate, s), tens(rate / 2));
    // Done: out of retries, or the gap is within one step of tens (or 10 % of what held).
    const settled = highestHeld > 0 && (lowestFailed === Infinity || next <= highestHeld || lowestFailed - highestHeld <= Math.max(10, highestHeld * 0.1));
    if (attempt >= retries || settled || (highestHeld === 0 && next >= rate)) {
      return highestHeld > 0 ? { rate: highestHeld, held: true, checks } : { rate, held: false, checks };
    }
    rate = next;
  }
}

/** The highest rate among `steps` that held at `bound` (null: none did). */
export function highestHolding(steps: readonly HoldInput[], bound: number): number | null {
  const rates = steps.filter((s) => holds(s, bound)).map((s) => s.offeredRate);
  return rates.length > 0 ? Math.max(...rates) : null;
}
