// A ratio measured several times, ours and its baseline interleaved (ours, baseline,
// baseline, ours, …) so that drift in the machine's load falls on both sides: the median
// is what we report, min–max says how far one run can be trusted.

export interface RatioSpread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

const round3 = (x: number) => Number(x.toFixed(3));

export function ratioSpread(values: number[]): RatioSpread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: round3(median), min: round3(sorted[0] ?? NaN), max: round3(sorted.at(-1) ?? NaN), values: values.map(round3) };
}

/**
 * `warmupRounds` discarded rounds (the first round of a pair often ran low: JIT, caches,
 * the servers' own warm-up), then `repeats` rounds of ours and baseline, alternating which
 * goes first; returns every measured pair in order.
 */
export async function interleaved<A, B>(repeats: number, ours: (round: number) => Promise<A>, baseline: (round: number) => Promise<B>, warmupRounds = 0): Promise<{ ours: A; baseline: B }[]> {
  for (let w = 0; w < warmupRounds; w++) {
    await ours(-1 - w);
    await baseline(-1 - w);
  }
  const rounds: { ours: A; baseline: B }[] = [];
  for (let round = 0; round < repeats; round++) {
    if (round % 2 === 0) {
      const a = await ours(round);
      rounds.push({ ours: a, baseline: await baseline(round) });
    } else {
      const b = await baseline(round);
      rounds.push({ ours: await ours(round), baseline: b });
    }
  }
  return rounds;
}

/** "0.77 (0.71–0.80, n=3)" */
export const formatSpread = (s: RatioSpread): string => `${s.median} (${s.min}–${s.max}, n=${s.values.length})`;
