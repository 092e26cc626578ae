/**
 * The fleet statistics' Redis keys: one hash per minute (series → count),
 * and a sorted set of the minutes that have a hash, so that the mover and
 * the readers find them without SCAN. Every key carries the hash tag
 * {stats}: on a Redis Cluster they share a slot, so a MULTI may take a
 * minute's hash and its entry in the set together.
 */

/** Epoch minutes (UTC) of a time in ms. */
export type Minute = number;

export const MINUTE_MS = 60_000;

export const minuteOf = (ms: number): Minute => Math.floor(ms / MINUTE_MS);

export class StatsKeys {
  constructor(private readonly redisPrefix: string) {}

  /** The hash of one minute's counts. */
  minute(m: Minute): string {
    return `${this.redisPrefix}{stats}:minute:${m}`;
  }

  /** The minutes with a hash, each scored by itself. */
  get minutes(): string {
    return `${this.redisPrefix}{stats}:minutes`;
  }
}
