/** Percentiles of a list of durations (ms), nearest-rank, for the bench's reports. */
export interface Distribution {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
  return { n: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: sorted.length === 0 ? NaN : sorted[sorted.length - 1] };
}

/** "p50 12 / p90 30 / p99 80 / max 95 ms" */
export function describe(d: Distribution, digits = 0): string {
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  return `p50 ${f(d.p50)} / p90 ${f(d.p90)} / p99 ${f(d.p99)} / max ${f(d.max)} ms`;
}

/** Counts of each distinct value. */
export function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
