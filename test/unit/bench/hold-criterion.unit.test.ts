// The bench's hold criterion and its search for the maximum at each p99 bound (pure: fake steps).
import { describe, expect, it } from 'vitest';
import { backlogGrowthPerSecond, holds, holdsAt, keepsUp, maxRateKey, type HoldInput } from '../../../bench/hold-criterion.js';
import { checkMaximum, highestHolding, searchMaxima } from '../../../bench/max-rate-search.js';

/** A step at `rate` that kept up, with p99 `p99` ms and a flat backlog unless told. */
function step(rate: number, p99: number, over: Partial<HoldInput> = {}): HoldInput {
  return {
    offeredRate: rate,
    load: { scheduled: rate * 10, skipped: 0, failed: {} },
    httpAcceptedPerSecond: rate,
    e2ePerSecond: rate,
    unmatchedAfterDrain: 0,
    fromAccept: { p99 },
    backlog: Array.from({ length: 10 }, (_, t) => ({ t, backlog: 5 })),
    ...over,
  };
}

describe('hold criterion', () => {
  it('holds when it keeps up and p99 is within the bound', () => {
    expect(holds(step(400, 90), 100)).toBe(true);
    expect(holds(step(400, 101), 100)).toBe(false);
    expect(holdsAt(step(400, 500))).toEqual({ '100': false, '1000': true });
  });

  it('does not hold at any bound when the backlog grows, even with the old throughput checks passing', () => {
    const growing = step(400, 50, { backlog: Array.from({ length: 10 }, (_, t) => ({ t, backlog: 100 * t })) });
    expect(backlogGrowthPerSecond(growing.backlog)).toBeCloseTo(100);
    expect(keepsUp(growing)).toBe(false);
    expect(holds(growing, 1000)).toBe(false);
  });

  it('tolerates a backlog that jitters around a level', () => {
    const jitter = step(400, 50, { backlog: Array.from({ length: 12 }, (_, t) => ({ t, backlog: t % 2 ? 300 : 20 })) });
    expect(keepsUp(jitter)).toBe(true);
  });

  it('keeps the throughput checks: skipped slots, errors, HTTP and end-to-end rate, leftovers', () => {
    expect(keepsUp(step(400, 10, { load: { scheduled: 4000, skipped: 1, failed: {} } }))).toBe(false);
    expect(keepsUp(step(400, 10, { load: { scheduled: 4000, skipped: 0, failed: { 503: 41 } } }))).toBe(false);
    expect(keepsUp(step(400, 10, { httpAcceptedPerSecond: 379 }))).toBe(false);
    expect(keepsUp(step(400, 10, { e2ePerSecond: 359 }))).toBe(false);
    expect(keepsUp(step(400, 10, { unmatchedAfterDrain: 1 }))).toBe(false);
  });

  it('names the summary keys', () => {
    expect(maxRateKey(100)).toBe('maxRateP99_100ms');
    expect(maxRateKey(1000)).toBe('maxRateP99_1s');
  });
});

/** A service whose p99 is 20 ms up to 150/s, 400 ms up to 300/s, and that falls behind above. */
const service = (rate: number) => (rate > 300 ? step(rate, 5000, { e2ePerSecond: 300 }) : step(rate, rate <= 150 ? 20 : 400));

describe('searchMaxima', () => {
  it('finds one maximum per bound from one ladder, bisecting each, never running a rate twice', async () => {
    const ran: number[] = [];
    const maxima = await searchMaxima({ rates: [100, 200, 400, 800], refineSteps: 2, bounds: [100, 1000] }, async (r) => {
      ran.push(r);
      return service(r);
    });
    expect(maxima).toEqual({ '100': 150, '1000': 300 });
    expect(ran.slice(0, 3)).toEqual([100, 200, 400]); // the ladder stops at the first loose failure
    expect(new Set(ran).size).toBe(ran.length);
  });

  it('is 0 at a bound the lowest rate misses', async () => {
    const maxima = await searchMaxima({ rates: [100, 200], refineSteps: 0, bounds: [100, 1000] }, async (r) => step(r, 500));
    expect(maxima).toEqual({ '100': 0, '1000': 200 });
  });
});

describe('checkMaximum', () => {
  it('halves a maximum that does not hold until one holds, then bisects up between held and failed', async () => {
    const checked = await checkMaximum(400, 1000, 2, async (r) => service(r));
    expect(checked).toMatchObject({ held: true, rate: 300 });
    expect(checked.checks.map((c) => c.offeredRate)).toEqual([400, 200, 300]);
    const never = await checkMaximum(400, 100, 1, async (r) => step(r, 150));
    expect(never).toMatchObject({ held: false, rate: 200 });
    expect(never.checks).toHaveLength(2);
  });

  // Regression: the 2026-12-03 runs' short steps found 300/s, the checks on the soak's
  // database held only below 130/s, and lowering by 20 % twice (300, 240, 190) gave up
  // with no maximum at p99 ≤ 1 s although 25/s had held there.
  it('finds a maximum that holds at less than half the short-step maximum', async () => {
    const soakDatabase = (rate: number) => step(rate, rate <= 140 ? 600 : 4000);
    const checked = await checkMaximum(300, 1000, 3, async (r) => soakDatabase(r));
    expect(checked).toMatchObject({ held: true, rate: 110 });
    expect(checked.checks.map((c) => c.offeredRate)).toEqual([300, 150, 70, 110]);
  });

  it('stops once held and failed are within 10 %', async () => {
    const checked = await checkMaximum(300, 1000, 9, async (r) => step(r, r <= 200 ? 600 : 4000));
    expect(checked.rate).toBe(200);
    expect(checked.checks.map((c) => c.offeredRate)).toEqual([300, 150, 220, 180, 200]);
  });
});

describe('highestHolding', () => {
  it('is the highest rate among every check that held at the bound, whichever bound it was run for', () => {
    const checks = [step(190, 7000), step(25, 167), step(20, 73)];
    expect(highestHolding(checks, 1000)).toBe(25);
    expect(highestHolding(checks, 100)).toBe(20);
    expect(highestHolding([step(190, 7000)], 1000)).toBeNull();
  });
});
