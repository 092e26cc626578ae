/**
 * GET /stats/fleet's answer: the fleet's counts over a time range in
 * buckets of 1, 5 or 60 minutes, from fleet_stats (moved minutes) plus
 * Redis (minutes not moved yet; a minute may be partly in each, the parts
 * add up). Every series is a dense array aligned with `times`.
 */
import type { Redis } from 'ioredis';
import type { SqlAccess } from '../db/types';
import { MINUTE_MS, minuteOf, StatsKeys, type Minute } from './keys';
import { readMinutes } from './redis-minutes';
import { add, INFORM_OUTCOMES, parseSeries, type Counts, type SeriesKind } from './series';
import { readBuckets } from './store';
import { STEPS, type FleetHistory, type Step } from './types';

export { STEPS, type FleetHistory, type SeriesMap, type Step } from './types';

/** Most buckets one answer holds (24 h at 1m is 1,440). */
export const MAX_BUCKETS = 2_000;

const GROUPS: Record<SeriesKind, 'sessions' | 'events' | 'cpeFaults' | 'channelFaults'> = { s: 'sessions', e: 'events', f: 'cpeFaults', c: 'channelFaults' };

/** The buckets of [from, to): first bucket start and count, aligned on multiples of the step. */
export function bucketsOf(fromMs: number, toMs: number, step: Step): { first: Minute; count: number } {
  const size = STEPS[step];
  const first = Math.floor(minuteOf(fromMs) / size) * size;
  const end = Math.ceil((minuteOf(toMs - 1) + 1) / size) * size;
  return { first, count: Math.max(0, (end - first) / size) };
}

/** DB buckets and Redis minutes, summed by bucket. */
async function countsByBucket(redis: Redis, sql: SqlAccess, redisPrefix: string, first: Minute, end: Minute, size: number): Promise<Map<Minute, Counts>> {
  const [stored, recent] = await Promise.all([
    sql.autocommit((db) => readBuckets(db, first, end, size)),
    readMinutes(redis, new StatsKeys(redisPrefix), first, end),
  ]);
  for (const [m, counts] of recent) {
    const bucket = m - (m % size);
    const into = stored.get(bucket) ?? new Map<string, number>();
    for (const [name, n] of counts) add(into, name, n);
    stored.set(bucket, into);
  }
  return stored;
}

function emptyHistory(fromMs: number, toMs: number, step: Step, times: number[]): FleetHistory {
  const zeros = times.map(() => 0);
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), step, times, informs: zeros, sessions: {}, events: {}, cpeFaults: {}, channelFaults: {} };
}

/** Puts `n` at bucket `i` of the series `name` (made of zeros when new). */
function place(h: FleetHistory, name: string, i: number, n: number): void {
  const parsed = parseSeries(name);
  if (!parsed) return;
  const group = h[GROUPS[parsed.kind]];
  const values = (group[parsed.label] ??= h.times.map(() => 0));
  values[i] += n;
  if (parsed.kind === 's' && (INFORM_OUTCOMES as readonly string[]).includes(parsed.label)) h.informs[i] += n;
}

export async function fleetHistory(redis: Redis, sql: SqlAccess, redisPrefix: string, range: { fromMs: number; toMs: number; step: Step }): Promise<FleetHistory> {
  const size = STEPS[range.step];
  const { first, count } = bucketsOf(range.fromMs, range.toMs, range.step);
  const times = Array.from({ length: count }, (_, i) => (first + i * size) * MINUTE_MS);
  const h = emptyHistory(range.fromMs, range.toMs, range.step, times);
  const buckets = await countsByBucket(redis, sql, redisPrefix, first, first + count * size, size);
  for (const [bucket, counts] of buckets) {
    const i = (bucket - first) / size;
    if (i < 0 || i >= count) continue;
    for (const [name, n] of counts) place(h, name, i, n);
  }
  return h;
}
