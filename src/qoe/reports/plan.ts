/**
 * What a report reads: the rollup tier (1h, or 1d for ranges over a week),
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

function resolutionOf(shape: ProfileShape, span: number, asked: ReportResolution | undefined, profile: string): ReportResolution {
  const kept = keptResolutions(shape);
  const wanted = asked ?? (span > HOURLY_UP_TO_MS ? '1d' : '1h');
  if (wanted === '1h' && span > HOURLY_MAX_MS) throw new ReportInputError('resolution', `resolution 1h reads at most ${HOURLY_MAX_MS / DAY_MS} days: 1d for this range`);
  if (kept.includes(wanted)) return wanted;
  const other = wanted === '1h' ? '1d' : '1h';
  if (kept.includes(other) && !(other === '1h' && span > HOURLY_MAX_MS)) return other;
  throw new ReportInputError('profile', `collection profile ${profile} keeps no ${wanted} rollup for this range (its interval or retention)`);
}

/** The range asked for, checked, and the tier it reads. */
async function rangeOf(db: Db, profile: string, shape: ProfileShape, asked: RangeAsked, now: number): Promise<{ fromAsked: number; toAsked: number; resolution: ReportResolution }> {
  if (asked.spanMs !== undefined) {
    const resolution = resolutionOf(shape, asked.spanMs, asked.resolution, profile);
    const to = asked.to ?? (asked.spanMs <= RAW_UP_TO_MS ? now : Math.min(now, (await markOf(db, profile, resolution)) ?? now));
    return { fromAsked: to - asked.spanMs, toAsked: to, resolution };
  }
  const toAsked = asked.to ?? now;
  const fromAsked = asked.from ?? toAsked - DAY_MS;
  if (fromAsked >= toAsked) throw new ReportInputError('from', `from must be before to (${new Date(toAsked).toISOString()})`);
  if (toAsked - fromAsked > MAX_RANGE_MS) throw new ReportInputError('from', `a report covers at most ${MAX_RANGE_MS / DAY_MS} days`);
  return { fromAsked, toAsked, resolution: resolutionOf(shape, toAsked - fromAsked, asked.resolution, profile) };
}

export async function planScan(db: Db, profile: string, shape: ProfileShape, asked: RangeAsked, now: number): Promise<ScanPlan> {
  const { fromAsked, toAsked, resolution } = await rangeOf(db, profile, shape, asked, now);
  const bucketMs = BUCKET_MS[resolution];
  const from = Math.floor(fromAsked / bucketMs) * bucketMs;
  const to = Math.ceil(toAsked / bucketMs) * bucketMs;
  const mark = (await markOf(db, profile, resolution)) ?? from;
  const storedTo = Math.max(from, Math.min(to, mark));
  const raw = storedTo < to && toAsked - fromAsked <= RAW_UP_TO_MS;
  const notes: string[] = [];
  if (storedTo < to && !raw) {
    notes.push(`${resolution} rollups reach ${new Date(storedTo).toISOString()}: no data after it (rollups are made once a day is over; a range of at most a day is completed from raw rows)`);
  }
  return { profile, resolution, bucketMs, from, to, storedTo, raw, coveredUntil: raw ? Math.min(to, now) : storedTo, now, notes };
}
