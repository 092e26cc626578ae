/**
 * Every process: every STATS_FLUSH_MS, what the tally counted since the last
 * flush goes into the Redis hash of the minute it was counted in (the middle
 * of the interval: off by at most half an interval at a minute's edge). A
 * process that counted nothing sends nothing. Counts Redis refused stay in
 * the tally for the next flush; the last flush runs when the process stops.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { minuteOf, StatsKeys } from './keys';
import { addCounts } from './redis-minutes';
import { processTally, type CounterTally } from './tally';

/** Shortest interval: a flush is a Redis round trip. */
const MIN_FLUSH_MS = 100;

export interface FlusherOptions {
  redis: Redis;
  redisPrefix: string;
  everyMs: number;
  log: Logger;
  tally?: CounterTally;
}

export interface StatsFlusher {
  /** Writes what was counted now (tests; the timer does it otherwise). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startStatsFlusher(o: FlusherOptions): Promise<StatsFlusher> {
  const tally = o.tally ?? processTally;
  const keys = new StatsKeys(o.redisPrefix);
  await tally.join();
  let since = Date.now();
  let running: Promise<void> = Promise.resolve();
  const once = async (): Promise<void> => {
    const now = Date.now();
    const counts = await tally.take();
    const minute = minuteOf((since + now) / 2);
    since = now;
    if (counts.size === 0) return;
    try {
      await addCounts(o.redis, keys, minute, counts);
    } catch (err) {
      tally.giveBack(counts);
      o.log.warn({ err }, 'fleet statistics not flushed; kept for the next flush');
    }
  };
  // One flush at a time: a slow Redis must not let two take the same interval's minute apart.
  const flush = (): Promise<void> => (running = running.then(once, once));
  const timer = setInterval(() => void flush(), Math.max(MIN_FLUSH_MS, o.everyMs));
  timer.unref();
  return {
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
      tally.leave();
    },
  };
}
