/**
 * Password guessing at POST /sign-in: after MAX_FAILURES wrong sign-ins for
 * one user name, or MAX_FAILURES_PER_ADDRESS from one client address, within
 * WINDOW_MS, further attempts are refused (429) without checking anything,
 * until the window has passed. Per process, like the token rate (rate.ts);
 * it also keeps a guesser from spending the server's CPU on scrypt.
 */
const WINDOW_MS = 60_000;
const MAX_FAILURES = 10;
const MAX_FAILURES_PER_ADDRESS = 30;
/** Keys kept at most: past it the oldest windows go first (a flood of names cannot grow memory). */
const MAX_KEYS = 10_000;

interface Window {
  since: number;
  failures: number;
}

export class SignInThrottle {
  private readonly windows = new Map<string, Window>();

  /** Milliseconds until `name` (null: a token, limited by address only) from `address` may try again; 0 when it may now. */
  waitMs(name: string | null, address: string, now = Date.now()): number {
    const byName = name === null ? 0 : this.waitOf(`name:${name}`, MAX_FAILURES, now);
    return Math.max(byName, this.waitOf(`address:${address}`, MAX_FAILURES_PER_ADDRESS, now));
  }

  failed(name: string | null, address: string, now = Date.now()): void {
    for (const key of [...(name === null ? [] : [`name:${name}`]), `address:${address}`]) {
      const w = this.windows.get(key);
      if (w && now - w.since < WINDOW_MS) w.failures++;
      else this.windows.set(key, { since: now, failures: 1 });
    }
    while (this.windows.size > MAX_KEYS) this.windows.delete(this.windows.keys().next().value as string);
  }

  private waitOf(key: string, max: number, now: number): number {
    const w = this.windows.get(key);
    if (!w || now - w.since >= WINDOW_MS || w.failures < max) return 0;
    return w.since + WINDOW_MS - now;
  }
}
