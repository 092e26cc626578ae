/**
 * What a report reads: the rollup tier (1h; 1d for ranges over a week, or
 * over two days on a fleet too large for the hourly row budget),
 * the range aligned on its buckets, and how far the rolled-up rows reach.
 * Rollups are made a day at a time once the day is over; a range of at most
 * a day is completed from raw rows (bucketed on the fly, as the series
 * reader does for charts), a longer one never scans raw: its report says
 * where the data stops.
 */
import type { Db } from '../../db/sql';
import { markOf } from '../series/rollup';
import { BUCKET_MS, DAY_MS, keptResolutions, type ProfileShape } from '../series/tiers';
import { ReportInputError, type ReportResolution } from './types';

/** Ranges longer than this read daily rows by default. */
export const HOURLY_UP_TO_MS = 7 * DAY_MS;
/** Hourly rows are read for ranges up to this (720 rows a device); beyond, 1d. */
export const HOURLY_MAX_MS = 31 * DAY_MS;
export const MAX_RANGE_MS = 400 * DAY_MS;
/** Raw rows complete a range of at most this. */
export const RAW_UP_TO_MS = DAY_MS;
/** Ranges up to this read hourly rows by default, whatever the fleet's size. */
const ALWAYS_HOURLY_MS = 2 * DAY_MS;
/**
 * Beyond 2 days, hourly rows are read by default only while the fleet's
 * devices times the range's hours stay under this (about 10 s of MariaDB on
 * a shared 2-core machine); daily rows otherwise, 24 times fewer.
 */
export const HOURLY_ROW_BUDGET = 2_000_000;

export interface ScanPlan {
  profile: string;
  resolution: ReportResolution;
  bucketMs: number;
  /** Aligned on buckets: [from, to). */
  from: number;
  to: number;
  /** Rolled-up rows are read in [from, storedTo). */
  storedTo: number;
  /** Raw rows are read in [storedTo, to), bucketed, when true. */
  raw: boolean;
  coveredUntil: number;
  now: number;
  notes: string[];
}

export interface RangeAsked {
  from?: number;
  to?: number;
  resolution?: ReportResolution;
  /**
   * A range of this length ending at `to` (degrading lines' two windows),
   * `from` unused. Without `to`, it ends where the rollups reach (the last
   * whole windows of data), or now when it is short enough for raw rows.
   */
  spanMs?: number;
}

/** The tier a range reads when none is asked for: hourly up to 2 days, and up to 7 within the row budget; daily beyond. */
async function defaultResolution(db: Db, profile: string, span: number, budget: number, notes: string[]): Promise<ReportResolution> {
  if (span > HOURLY_UP_TO_MS) return '1d';
  if (span <= ALWAYS_HOURLY_MS) return '1h';
  const [row] = await db.select('SELECT COUNT(*) AS n FROM qoe_streams WHERE profile = ?', [profile]);
  const devices = Number(row?.n ?? 0);
  const hours = Math.ceil(span / BUCKET_MS['1h']);
  if (devices * hours <= budget) return '1h';
  notes.push(`read at 1d: ${devices} devices × ${hours} hours is over the hourly budget of ${budget} rows; resolution=1h reads the hourly rows`);
  return '1d';
}

function resolutionOf(shape: ProfileShape, span: number, wanted: ReportResolution, profile: string): ReportResolution {
  const kept = keptResolutions(shape);
  if (wanted === '1h' && span > HOURLY_MAX_MS) throw new ReportInputError('resolution', `resolution 1h reads at most ${HOURLY_MAX_MS / DAY_MS} days: 1d for this range`);
  if (kept.includes(wanted)) return wanted;
  const other = wanted === '1h' ? '1d' : '1h';
  if (kept.includes(other) && !(other === '1h' && span > HOURLY_MAX_MS)) return other;
  throw new ReportInputError('profile', `collection profile ${profile} keeps no ${wanted} rollup for this range (its interval or retention)`);
}

interface Sizing {
  db: Db;
  budget: number;
  notes: string[];
}

async function tierOf(z: Sizing, profile: string, shape: ProfileShape, span: number, asked: ReportResolution | undefined): Promise<ReportResolution> {
  return resolutionOf(shape, span, asked ?? (await defaultResolution(z.db, profile, span, z.budget, z.notes)), profile);
}

/** The range asked for, checked, and the tier it reads. */
async function rangeOf(z: Sizing, profile: string, shape: ProfileShape, asked: RangeAsked, now: number): Promise<{ fromAsked: number; toAsked: number; resolution: ReportResolution }> {
  const db = z.db;
  if (asked.spanMs !== undefined) {
    const resolution = await tierOf(z, profile, shape, asked.spanMs, asked.resolution);
    const to = asked.to ?? (asked.spanMs <= RAW_UP_TO_MS ? now : Math.min(now, (await markOf(db, profile, resolution)) ?? now));
    return { fromAsked: to - asked.spanMs, toAsked: to, resolution };
  }
  const toAsked = asked.to ?? now;
  const fromAsked = asked.from ?? toAsked - DAY_MS;
  if (fromAsked >= toAsked) throw new ReportInputError('from', `from must be before to (${new Date(toAsked).toISOString()})`);
  if (toAsked - fromAsked > MAX_RANGE_MS) throw new ReportInputError('from', `a report covers at most ${MAX_RANGE_MS / DAY_MS} days`);
  return { fromAsked, toAsked, resolution: await tierOf(z, profile, shape, toAsked - fromAsked, asked.resolution) };
}

export async function planScan(db: Db, profile: string, shape: ProfileShape, asked: RangeAsked, now: number, budget = HOURLY_ROW_BUDGET): Promise<ScanPlan> {
  const notes: string[] = [];
  const { fromAsked, toAsked, resolution } = await rangeOf({ db, budget, notes }, profile, shape, asked, now);
  const bucketMs = BUCKET_MS[resolution];
  const from = Math.floor(fromAsked / bucketMs) * bucketMs;
  const to = Math.ceil(toAsked / bucketMs) * bucketMs;
  const mark = (await markOf(db, profile, resolution)) ?? from;
  const storedTo = Math.max(from, Math.min(to, mark));
  const raw = storedTo < to && toAsked - fromAsked <= RAW_UP_TO_MS;
  if (storedTo < to && !raw) {
    notes.push(`${resolution} rollups reach ${new Date(storedTo).toISOString()}: no data after it (rollups are made once a day is over; a range of at most a day is completed from raw rows)`);
  }
  return { profile, resolution, bucketMs, from, to, storedTo, raw, coveredUntil: raw ? Math.min(to, now) : storedTo, now, notes };
}
