/**
 * Requests per second per key (an API token), as a token bucket per process:
 * a burst of `perSecond` requests, then `perSecond` a second. No shared
 * state: N REST API processes allow N times the rate, which is the point of
 * running N of them.
 */
/** Buckets kept before the full ones are dropped (a full bucket is the same as none). */
const SWEEP_ABOVE = 1000;

export class RateLimiter {
  private readonly buckets = new Map<string, { level: number; at: number }>();

  constructor(private readonly perSecond: number) {}

  /** Takes one request's worth; false when the key is over its rate (0 = no limit). */
  take(key: string, now = Date.now()): boolean {
    if (this.perSecond <= 0) return true;
    const b = this.buckets.get(key) ?? { level: this.perSecond, at: now };
    b.level = Math.min(this.perSecond, b.level + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (!this.buckets.has(key) && this.buckets.size >= SWEEP_ABOVE) this.sweep(now);
    this.buckets.set(key, b);
    if (b.level < 1) return false;
    b.level -= 1;
    return true;
  }

  /** How many keys have a bucket (revoked tokens' included until swept). */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops the buckets that have filled up again: a second since their last request. */
  private sweep(now: number): void {
    for (const [key, b] of this.buckets) if (now - b.at >= 1000) this.buckets.delete(key);
  }
}
