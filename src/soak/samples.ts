/**
 * The soak's memory samples and its verdict: every `everyMs`, the RSS of each
 * ACS process and Redis's used_memory. After the warm-up (the first minute
 * fills caches, connection pools and V8's heap), the samples are split into
 * two halves and each half's low point is its level: a series passes when the
 * second half's low is within `maxGrowth` of the first half's. Low points,
 * because RSS follows V8's garbage collection in a sawtooth several minutes
 * long (the first 10-minute soak, BENCHMARKS.md): a one-minute mean lands on
 * either side of a cycle, while what a leak raises is the floor the heap
 * comes back to after a collection.
 */
import { rssMiB } from '../bench/proc-stats';

export interface Sample {
  /** Seconds since the soak started. */
  t: number;
  /** MiB of each series: the ACS processes' RSS by role, and "redis" (used_memory). */
  mib: Record<string, number>;
  /** Sessions the fleet completed so far. */
  sessions: number;
}

export const WARM_UP_S = 60;

export class Sampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly t0 = performance.now();

  constructor(
    private readonly pids: Record<string, number>,
    private readonly redisMiB: () => Promise<number>,
    private readonly sessions: () => number,
  ) {}

  start(everyMs: number): void {
    void this.take();
    this.timer = setInterval(() => void this.take(), everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async take(): Promise<void> {
    const t = (performance.now() - this.t0) / 1000;
    const mib = Object.fromEntries(Object.entries(this.pids).map(([role, pid]) => [role, rssMiB(pid)]));
    mib.redis = await this.redisMiB().catch(() => NaN);
    this.samples.push({ t, mib, sessions: this.sessions() });
  }
}

export interface Growth {
  series: string;
  /** The low point of the first and of the second half after the warm-up. */
  firstLowMiB: number;
  secondLowMiB: number;
  peakMiB: number;
  /** secondLowMiB / firstLowMiB - 1 */
  growth: number;
}

/** Each series' low points in the two halves after the warm-up; NaN growth when the run was too short to tell. */
export function growthOf(samples: readonly Sample[]): Growth[] {
  const after = samples.filter((s) => s.t >= WARM_UP_S);
  const mid = after.length > 0 ? (after[0].t + after[after.length - 1].t) / 2 : 0;
  const [first, second] = [after.filter((s) => s.t < mid), after.filter((s) => s.t >= mid)];
  const enough = first.length >= 3 && second.length >= 3;
  return Object.keys(samples[0]?.mib ?? {}).map((series) => {
    const low = (xs: Sample[]) => Math.min(...xs.map((s) => s.mib[series]));
    const [firstLowMiB, secondLowMiB] = [low(first), low(second)];
    const peakMiB = Math.max(...after.map((s) => s.mib[series]));
    return { series, firstLowMiB, secondLowMiB, peakMiB, growth: enough ? secondLowMiB / firstLowMiB - 1 : NaN };
  });
}
