/**
 * The minutes not yet in the database, in Redis (keys.ts): every process
 * adds its counts to the current minute's hash (HINCRBY in a MULTI), the mover takes
 * finished minutes out (HGETALL and DEL in one MULTI: each count is taken
 * once however many movers run), readers add them to the database's rows.
 */
import type { Redis } from 'ioredis';
import { minuteOf, type Minute, type StatsKeys } from './keys';
import type { Counts } from './series';

/** A hash is dropped this long after its last write even when no worker moves it (a cluster without the worker role). */
const KEEP_S = 2 * 24 * 3600;

/**
 * Adds `counts` to minute `m`'s hash. A MULTI, not a pipeline: a connection
 * lost midway must not leave some counts added, which the caller would add
 * again at its next flush.
 */
export async function addCounts(redis: Redis, keys: StatsKeys, m: Minute, counts: Counts): Promise<void> {
  const key = keys.minute(m);
  const p = redis.multi();
  for (const [name, n] of counts) p.hincrby(key, name, n);
  p.expire(key, KEEP_S);
  p.zadd(keys.minutes, m, String(m));
  // Entries of hashes that expired unmoved.
  p.zremrangebyscore(keys.minutes, '-inf', minuteOf(Date.now() - KEEP_S * 1000));
  failedOf(await p.exec());
}

/** Throws the first error of a pipeline's or MULTI's answers. */
function failedOf(results: [Error | null, unknown][] | null): [Error | null, unknown][] {
  if (results === null) throw new Error('Redis transaction aborted');
  const failed = results.find(([err]) => err !== null);
  if (failed) throw failed[0];
  return results;
}

function countsOf(hash: Record<string, string>): Counts {
  const out: Counts = new Map();
  for (const [name, text] of Object.entries(hash)) {
    const n = Number(text);
    if (Number.isFinite(n) && n !== 0) out.set(name, n);
  }
  return out;
}

/** The minutes in [from, to) that Redis holds. */
async function minutesIn(redis: Redis, keys: StatsKeys, from: Minute, to: Minute): Promise<Minute[]> {
  return (await redis.zrangebyscore(keys.minutes, from, `(${to}`)).map(Number);
}

/** The counts Redis holds for the minutes in [from, to), by minute. */
export async function readMinutes(redis: Redis, keys: StatsKeys, from: Minute, to: Minute): Promise<Map<Minute, Counts>> {
  const minutes = await minutesIn(redis, keys, from, to);
  if (minutes.length === 0) return new Map();
  const p = redis.pipeline();
  for (const m of minutes) p.hgetall(keys.minute(m));
  const results = failedOf(await p.exec());
  return new Map(minutes.map((m, i) => [m, countsOf(results[i][1] as Record<string, string>)]));
}

/** Takes one minute's counts out of Redis (gone from there once this resolves); empty when another mover took them. */
export async function takeMinute(redis: Redis, keys: StatsKeys, m: Minute): Promise<Counts> {
  const key = keys.minute(m);
  const results = failedOf(await redis.multi().hgetall(key).del(key).zrem(keys.minutes, String(m)).exec());
  return countsOf(results[0][1] as Record<string, string>);
}

/** The minutes before `before` that Redis holds, oldest first. */
export function finishedMinutes(redis: Redis, keys: StatsKeys, before: Minute): Promise<Minute[]> {
  return minutesIn(redis, keys, 0, before);
}
