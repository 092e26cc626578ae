/**
 * The soak's memory samples and its verdict: every `everyMs`, the RSS of each
 * ACS process and Redis's used_memory. A series passes when its level at the
 * end is within `maxGrowth` of its level once warmed up (the first minute
 * fills caches, connection pools and V8's heap): each level is the mean of
 * three samples, so one GC cycle caught at its top does not decide.
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
const LEVEL_S = 60;

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
  warmMiB: number;
  endMiB: number;
  peakMiB: number;
  /** endMiB / warmMiB - 1 */
  growth: number;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Each series' level after the warm-up and at the end; NaN growth when the run was too short to tell. */
export function growthOf(samples: readonly Sample[]): Growth[] {
  const last = samples[samples.length - 1]?.t ?? 0;
  const warm = samples.filter((s) => s.t >= WARM_UP_S && s.t < WARM_UP_S + LEVEL_S);
  const end = samples.filter((s) => s.t > last - LEVEL_S);
  const enough = warm.length > 0 && end.length > 0 && end[0].t > warm[warm.length - 1].t;
  return Object.keys(samples[0]?.mib ?? {}).map((series) => {
    const warmMiB = mean(warm.map((s) => s.mib[series]));
    const endMiB = mean(end.map((s) => s.mib[series]));
    const peakMiB = Math.max(...samples.filter((s) => s.t >= WARM_UP_S).map((s) => s.mib[series]));
    return { series, warmMiB, endMiB, peakMiB, growth: enough ? endMiB / warmMiB - 1 : NaN };
  });
}
