/**
 * How much sandbox time faulting runs may use on one worker. A bad script
 * rolled out to many devices faults on each of them once before the
 * per-device backoff starts, and each of those runs holds the worker's
 * thread for its time limit (a memory bomb ~0.2 s): a few dozen devices
 * informing together would hold every other device's steps past the front
 * end's wait.
 *
 * Token buckets of milliseconds: one per channel and one for all channels
 * together, each refilled at its rate per minute up to a small burst. Runs
 * that end well cost nothing, and a channel whose bucket is full (no recent
 * faulting run) is never held back, so healthy channels always run. A channel
 * with an empty bucket, or one that faulted lately while the shared bucket is
 * empty, is skipped: a `script.budget` channel fault, which backs off like
 * any other.
 */
export interface BudgetRates {
  /** Refill of one channel's bucket, ms per minute. */
  channelMsPerMinute: number;
  /** Most a channel's bucket holds, ms: the longest burst of its faulting runs. */
  channelBurstMs: number;
  /** The same for all channels together. */
  totalMsPerMinute: number;
  totalBurstMs: number;
}

interface Bucket {
  ms: number;
  at: number;
}

export class ChannelBudget {
  private readonly channels = new Map<string, Bucket>();
  private readonly total: Bucket;

  constructor(readonly rates: BudgetRates, private readonly now: () => number = () => performance.now()) {
    this.total = { ms: rates.totalBurstMs, at: now() };
  }

  /** The channel may run now. */
  allows(channel: string): boolean {
    const own = this.channels.get(channel);
    if (!own) return true;
    const ms = this.refill(own, this.rates.channelMsPerMinute, this.rates.channelBurstMs);
    if (ms >= this.rates.channelBurstMs) return true;
    return ms > 0 && this.refill(this.total, this.rates.totalMsPerMinute, this.rates.totalBurstMs) > 0;
  }

  /** A run of the channel faulted after `ms`. */
  charge(channel: string, ms: number): void {
    let own = this.channels.get(channel);
    if (!own) {
      own = { ms: this.rates.channelBurstMs, at: this.now() };
      this.channels.set(channel, own);
    }
    own.ms = this.refill(own, this.rates.channelMsPerMinute, this.rates.channelBurstMs) - ms;
    this.total.ms = this.refill(this.total, this.rates.totalMsPerMinute, this.rates.totalBurstMs) - ms;
  }

  private refill(bucket: Bucket, perMinute: number, burst: number): number {
    const now = this.now();
    bucket.ms = Math.min(burst, bucket.ms + ((now - bucket.at) * perMinute) / 60_000);
    bucket.at = now;
    return bucket.ms;
  }
}

/**
 * The default budget, in units of the script time limit T (50 ms by
 * default): per channel 40 T a minute (2 s, 3 % of the worker's thread) in
 * bursts of at most 5 T; all channels together 120 T a minute (10 %) in
 * bursts of 10 T, well under the front end's wait for a step.
 */
export function defaultChannelBudget(scriptTimeoutMs: number): ChannelBudget {
  const t = scriptTimeoutMs;
  return new ChannelBudget({ channelMsPerMinute: 40 * t, channelBurstMs: 5 * t, totalMsPerMinute: 120 * t, totalBurstMs: 10 * t });
}
