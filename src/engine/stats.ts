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

export async function timed<T>(counter: 'sandboxMs' | 'stepMs', run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    engineStats[counter] += performance.now() - t0;
  }
}
