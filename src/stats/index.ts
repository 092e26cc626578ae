/**
 * Fleet statistics: every process's counts of sessions, Informs and faults,
 * summed over the cluster per minute and kept STATS_RETENTION_MS.
 *
 *   tally.ts          what this process counted (its Prometheus counters' increments)
 *   flusher.ts        every process: the counts into Redis, one hash per minute
 *   mover.ts          workers: finished minutes into fleet_stats, retention
 *   history.ts, summary.ts, routes.ts   GET /stats/fleet and /stats/fleet/summary
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config/load';
import type { SqlAccess } from '../db/types';
import type { Logger } from '../log';
import { startStatsFlusher } from './flusher';
import { startStatsMover } from './mover';

export { statsRoutes } from './routes';

type Closer = () => Promise<void>;

/** Every process: its counts flushed to Redis until the returned closer runs (a last flush). */
export async function flushFleetStats(config: Readonly<Config>, redis: Redis, log: Logger): Promise<Closer> {
  const flusher = await startStatsFlusher({ redis, redisPrefix: config.redisPrefix, everyMs: config.statsFlushMs, log });
  return () => flusher.close();
}

/** Workers: finished minutes moved to the database until the returned closer runs. */
export function moveFleetStats(config: Readonly<Config>, redis: Redis, sql: SqlAccess, log: Logger): Closer {
  const mover = startStatsMover({ redis, redisPrefix: config.redisPrefix, sql, flushMs: config.statsFlushMs, retentionMs: config.statsRetentionMs, log });
  return () => mover.close();
}
