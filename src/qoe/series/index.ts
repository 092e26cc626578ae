/**
 * The QoE series store (issue 14 §2): frames in, counters as rates, packed
 * rows per frame, rollups, retention, and the SeriesReader reports and
 * alert rules query.
 *
 *   values.ts, rates.ts   a frame's values: profile parameters, gauges, counters as rates (wraps, resets, reboots)
 *   codec.ts              a row's values packed into one BLOB
 *   layouts.ts            the columns of packed rows, stored once by hash
 *   streams.ts            one row per device + profile: the previous frame's counters (rates survive restarts)
 *   ingest.ts             frames → rows, a few statements per call
 *   rollup.ts, expire.ts  raw → 5m → 1h → 1d; retention (day partitions on MySQL)
 *   reader.ts             series(q), devicesWithFramesSince
 *
 * Schema: migration 1766800000000-qoe-series.
 */
import type { SqlAccess } from '../../db/types';
import { ingest } from './ingest';
import { Layouts } from './layouts';
import { DayPartitions } from './partitions';
import { devicesWithFramesSince, readSeries } from './reader';
import { rollup } from './rollup';
import { expire } from './expire';
import { RESOLUTIONS, shapeOf, TABLES } from './tiers';
import type { Resolution } from '../types';
import type { SeriesStore, SeriesStoreOptions } from './types';

export type { Dropped, ExpireResult, IngestResult, ProfileLookup, RollupResult, SeriesStore, SeriesStoreOptions } from './types';
export { DEFAULT_RETENTION, keptResolutions } from './tiers';

const DEFAULT_LAG_MS = 15 * 60_000;
const DEFAULT_MAX_FUTURE_MS = 86_400_000;

export function createSeriesStore(sql: SqlAccess, options: SeriesStoreOptions): SeriesStore {
  const layouts = new Layouts();
  const partitions = sql.driver === 'mysql' ? (Object.fromEntries(RESOLUTIONS.map((r) => [r, new DayPartitions(sql, TABLES[r])])) as Record<Resolution, DayPartitions>) : null;
  const now = options.now ?? Date.now;
  const lagMs = options.rollupLagMs ?? DEFAULT_LAG_MS;
  const shape = (profile: string) => shapeOf(options.profiles(profile));
  const ingestCtx = { sql, layouts, partitions: partitions?.raw ?? null, now, maxFutureMs: options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS };
  return {
    ingest: (frames, profiles = options.profiles) => ingest(ingestCtx, frames, profiles),
    rollup: async (at = now()) => ({ rows: await rollup({ sql, layouts, lagMs, partitions }, at, shape) }),
    expire: (at = now()) => expire({ sql, partitions, lagMs }, at, shape),
    series: (q) => readSeries({ sql, layouts, now, shapeOf: shape }, q),
    devicesWithFramesSince: (profile, since, limit, after) => devicesWithFramesSince(sql, profile, since, limit, after),
  };
}
