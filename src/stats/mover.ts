/**
 * Workers: every MOVE_EVERY_MS, the finished minutes go from Redis to
 * fleet_stats, and rows older than STATS_RETENTION_MS are deleted. A minute
 * is finished once every process has flushed it: a flush interval and some
 * slack for clocks after its end. No lease is needed: a minute's counts are
 * taken from Redis atomically (redis-minutes.ts takeMinute), so each count
 * is moved by exactly one worker, and the rows are added to, never set. A
 * flush that still comes late for a moved minute makes a new hash, moved at
 * the next pass. If the database refuses the rows, the counts go back to
 * Redis for the next pass.
 */
import type { Redis } from 'ioredis';
import type { SqlAccess } from '../db/types';
import type { Logger } from '../log';
import { MINUTE_MS, minuteOf, StatsKeys, type Minute } from './keys';
import { addCounts, finishedMinutes, takeMinute } from './redis-minutes';
import { addMinute, deleteBefore } from './store';

export const MOVE_EVERY_MS = 30_000;
/** Clock differences between processes, and a flush's own time. */
const SLACK_MS = 5_000;

export interface MoverOptions {
  redis: Redis;
  redisPrefix: string;
  sql: SqlAccess;
  /** STATS_FLUSH_MS: how late a process's counts of a minute may reach Redis. */
  flushMs: number;
  retentionMs: number;
  log: Logger;
}

/** The first minute not finished at `now`. */
export function firstOpenMinute(now: number, flushMs: number): Minute {
  return minuteOf(now - flushMs - SLACK_MS);
}

/** Moves one minute; answers whether there was anything. */
async function moveOne(o: MoverOptions, keys: StatsKeys, m: Minute): Promise<boolean> {
  const counts = await takeMinute(o.redis, keys, m);
  if (counts.size === 0) return false;
  try {
    await o.sql.autocommit((db) => addMinute(db, m, counts));
  } catch (err) {
    await addCounts(o.redis, keys, m, counts).catch((back: unknown) => o.log.error({ err: back, minute: m * MINUTE_MS }, 'fleet statistics of a minute lost'));
    throw err;
  }
  return true;
}

/** One pass at time `now`: moves the finished minutes, then applies retention. Answers the minutes moved. */
export async function moveFinished(o: MoverOptions, now = Date.now()): Promise<number> {
  const keys = new StatsKeys(o.redisPrefix);
  let moved = 0;
  for (const m of await finishedMinutes(o.redis, keys, firstOpenMinute(now, o.flushMs))) {
    if (await moveOne(o, keys, m)) moved++;
  }
  await o.sql.autocommit((db) => deleteBefore(db, minuteOf(now - o.retentionMs)));
  return moved;
}

/** The worker's timer; its first pass right away (minutes left by processes that stopped). A pass still running skips the tick. */
export function startStatsMover(o: MoverOptions): { close(): Promise<void> } {
  let busy: Promise<void> | null = null;
  const pass = (): void => {
    if (busy) return;
    busy = moveFinished(o)
      .then(() => undefined, (err: unknown) => o.log.warn({ err }, 'fleet statistics not moved to the database; the next pass retries'))
      .finally(() => (busy = null));
  };
  pass();
  const timer = setInterval(pass, MOVE_EVERY_MS);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await busy;
    },
  };
}
