/**
 * The series store's own contract (the shared vocabulary is ../types.ts):
 * what creates it, what ingest, rollup and expire answer.
 */
import type { DeviceKey, EpochMs } from '../../db/types';
import type { CollectionProfile, Frame, SeriesReader } from '../types';

/** The collection profiles by name (undefined: no such profile). */
export type ProfileLookup = (name: string) => CollectionProfile | undefined;

export interface SeriesStoreOptions {
  /** Profiles by name: ingest's default, and what rollup, expire and series read (retention, interval, aliases). */
  profiles: ProfileLookup;
  /** The clock (tests, benchmark); Date.now by default. */
  now?: () => EpochMs;
  /** How long after a bucket's end rollup waits for late frames; default 15 minutes. */
  rollupLagMs?: number;
  /** Frames dated further ahead of now are refused (a device's clock gone wrong); default 1 day. */
  maxFutureMs?: number;
}

/** A frame, or one value of it, that the store did not keep, and why. */
export interface Dropped {
  device: string;
  profile: string;
  time?: EpochMs;
  /** Absent when the whole frame was dropped. */
  path?: string;
  reason: string;
}

export interface IngestResult {
  /** Frames stored (a row each). */
  frames: number;
  /** Values stored, rates included. */
  values: number;
  /** Counter values that became a rate. */
  rates: number;
  /** Reboots seen (a point under REBOOTS_PATH each). */
  reboots: number;
  /** At most MAX_DROPPED_LISTED entries; `droppedCount` counts them all. */
  dropped: Dropped[];
  droppedCount: number;
}

export interface RollupResult {
  /** Rows written per resolution. */
  rows: { '5m': number; '1h': number; '1d': number };
}

export interface ExpireResult {
  /** MySQL/MariaDB: day partitions dropped, added ahead, and of qoe_raw compacted, as "table.pYYYYMMDD". */
  partitionsDropped: string[];
  partitionsAdded: string[];
  partitionsCompacted: string[];
  /** Rows deleted by range (SQLite; and on MySQL profiles keeping less than the longest raw retention, and the rollups). */
  rowsDeleted: number;
}

export interface SeriesStore extends SeriesReader {
  /** Stores frames: a few multi-row statements per call. Bad frames and values are dropped with a reason, never thrown. */
  ingest(frames: Frame[], profiles?: ProfileLookup): Promise<IngestResult>;
  /** Rolls up every bucket finished at `now` (less the lag) not rolled up yet: raw → 5m → 1h → 1d, the tiers each profile keeps. */
  rollup(now?: EpochMs): Promise<RollupResult>;
  /** Applies each profile's retention at `now`. */
  expire(now?: EpochMs): Promise<ExpireResult>;
}

export type { DeviceKey };
