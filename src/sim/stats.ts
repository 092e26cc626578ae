import type { SessionOutcome } from './device';

/** Counters of a fleet's sessions, and the round-trip samples for percentiles. */
export class FleetStats {
  completed = 0;
  refused = 0;
  failed = 0;
  rpcs = 0;
  violations = 0;
  /** Distinct error lines with how often each happened. */
  readonly errors = new Counter();
  private rtt: number[] = [];

  record(o: SessionOutcome): void {
    this[o.result]++;
    this.rpcs += o.rpcs;
    this.violations += o.violations.length;
    for (const r of o.rttUs) this.rtt.push(r);
    if (o.reason) this.errors.add(`${o.result}: ${o.reason.replace(/\d+/g, 'N')}`);
  }

  get sessions(): number {
    return this.completed + this.refused + this.failed;
  }

  /** Round-trip percentiles in milliseconds (p in 0..100). */
  rttMs(p: number): number {
    return percentile(this.rtt, p) / 1000;
  }

  get roundTrips(): number {
    return this.rtt.length;
  }

  /** Starts a new measurement window (keeps nothing of the last). */
  reset(): void {
    this.completed = this.refused = this.failed = this.rpcs = this.violations = 0;
    this.rtt = [];
    this.errors.clear();
  }
}

export class Counter extends Map<string, number> {
  add(key: string): void {
    this.set(key, (this.get(key) ?? 0) + 1);
  }
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
