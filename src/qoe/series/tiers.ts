/**
 * The resolutions a series is kept at, their bucket sizes and tables, and
 * which of them a profile keeps: a rollup tier is kept only when its bucket
 * is longer than the profile's interval (a 5-minute bucket of a profile
 * collected every 15 minutes would hold one frame: a copy of raw, for
 * nothing).
 */
import { DEFAULT_RETENTION } from '../profiles/builtin';
import type { CollectionProfile, Resolution, Retention } from '../types';

export const DAY_MS = 86_400_000;

/** What the shipped profiles keep, in days (profiles/builtin.ts); also what data of a profile no longer defined keeps. */
export { DEFAULT_RETENTION };

export type RollupResolution = Exclude<Resolution, 'raw'>;
export const ROLLUPS: readonly RollupResolution[] = ['5m', '1h', '1d'];
export const RESOLUTIONS: readonly Resolution[] = ['raw', ...ROLLUPS];

export const BUCKET_MS: Record<RollupResolution, number> = { '5m': 300_000, '1h': 3_600_000, '1d': DAY_MS };

export const TABLES: Record<Resolution, string> = { raw: 'qoe_raw', '5m': 'qoe_5m', '1h': 'qoe_1h', '1d': 'qoe_1d' };

/** What the store needs of a profile to roll up and expire: a defined one, or the defaults for data left by a removed one. */
export interface ProfileShape {
  intervalS: number;
  retention: Retention;
}

export function shapeOf(profile: CollectionProfile | undefined): ProfileShape {
  return profile ?? { intervalS: 0, retention: DEFAULT_RETENTION };
}

/** The resolutions a profile keeps, finest first: raw always, a rollup when its bucket holds more than one frame and its retention is not 0. */
export function keptResolutions(p: ProfileShape): Resolution[] {
  return RESOLUTIONS.filter((r) => r === 'raw' || (BUCKET_MS[r] > p.intervalS * 1000 && p.retention[r] > 0));
}

/** The resolution a rollup tier is made from: the next finer one kept. */
export function sourceOf(p: ProfileShape, r: RollupResolution): Resolution {
  const kept = keptResolutions(p);
  return kept[kept.indexOf(r) - 1];
}

export function bucketStart(time: number, r: RollupResolution): number {
  return Math.floor(time / BUCKET_MS[r]) * BUCKET_MS[r];
}
