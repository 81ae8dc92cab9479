// The rate of a run counted from its first progress, not from its start: start-up (process
// spawn, MongoDB indexes, transactional producer, group join, first fetch) is not
// throughput. On the 2,000-command pair it was a large, variable share of a 3 s run, and
// the median processor ratio moved by a fifth between two consecutive runs (0.878, 1.062 on
// 2026-12-03/04). rawConsume is measured the same way (from its first batch).

/** A count of finished items at a moment (ms on any monotonic clock). */
export interface Progress {
  ms: number;
  done: number;
}

/**
 * Items per second between the first sample that shows progress and the last sample. With
 * no progress before the last sample (everything landed in one step), the whole span from
 * the first sample is used instead.
 */
export function rateAfterFirstProgress(samples: readonly Progress[]): number {
  const start = samples[0];
  const last = samples.at(-1);
  if (!start || !last || last.ms <= start.ms) return NaN;
  const first = samples.find((s) => s.done > 0);
  if (!first || first.done >= last.done || first.ms >= last.ms) return last.done / ((last.ms - start.ms) / 1000);
  return (last.done - first.done) / ((last.ms - first.ms) / 1000);
}
