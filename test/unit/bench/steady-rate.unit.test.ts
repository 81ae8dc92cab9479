// The processor pair's rate counts from the first handled command, so start-up time is not throughput.
import { describe, expect, it } from 'vitest';
import { rateAfterFirstProgress } from '../../../bench/steady-rate.js';

describe('rateAfterFirstProgress', () => {
  it('leaves out the start-up before the first progress', () => {
    // 2 s of start-up, then 1,000 items in the next 1 s after a first batch of 100.
    const samples = [
      { ms: 0, done: 0 },
      { ms: 1000, done: 0 },
      { ms: 2000, done: 100 },
      { ms: 2500, done: 600 },
      { ms: 3000, done: 1100 },
    ];
    expect(rateAfterFirstProgress(samples)).toBeCloseTo(1000);
  });

  it('does not depend on how long start-up took', () => {
    const run = (startupMs: number) => [
      { ms: 0, done: 0 },
      { ms: startupMs, done: 50 },
      { ms: startupMs + 2000, done: 2050 },
    ];
    expect(rateAfterFirstProgress(run(300))).toBeCloseTo(rateAfterFirstProgress(run(3000)));
  });

  it('falls back to the whole span when everything landed at once', () => {
    expect(rateAfterFirstProgress([{ ms: 0, done: 0 }, { ms: 500, done: 200 }])).toBeCloseTo(400);
  });

  it('is NaN without a span to divide by', () => {
    expect(rateAfterFirstProgress([{ ms: 0, done: 0 }])).toBeNaN();
  });
});
