/**
 * Counters of where an engine process spends its time, for the benchmark's
 * "sandbox share of CPU" (wall time of synchronous sandbox runs is CPU time
 * of this thread). Logged when the worker stops.
 */
export const engineStats = {
  steps: 0,
  scriptRuns: 0,
  sandboxMs: 0,
  stepMs: 0,
};

/** Front end: hand-off overhead of each step (wait for the answer minus the worker's own time), ms. */
const overheads: number[] = [];
const MAX_SAMPLES = 100_000;

export function recordOverhead(ms: number): void {
  if (overheads.length < MAX_SAMPLES) overheads.push(ms);
}

/** p50/p99/max of the hand-off overhead so far, and how many steps were measured. */
export function overheadSummary(): { n: number; p50: number; p99: number; max: number } | null {
  if (overheads.length === 0) return null;
  const sorted = [...overheads].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

export async function timed<T>(counter: 'sandboxMs' | 'stepMs', run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    engineStats[counter] += performance.now() - t0;
  }
}
