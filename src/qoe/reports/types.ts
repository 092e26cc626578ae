/**
 * Fleet reports (issue 14 §3): what every report answers, whatever its kind.
 * A report is a table (columns and flat rows, so JSON and CSV say the same)
 * with the range and resolution it was read at.
 */
import type { EpochMs } from '../../db/types';
import type { Resolution } from '../types';

export const REPORT_KINDS = ['bandwidth', 'top-talkers', 'percentiles', 'degrading', 'wifi-channels'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** How rows are grouped by the devices' identity: the device row's product class or software version, or each of its tags. */
export const GROUP_BYS = ['none', 'productClass', 'softwareVersion', 'tag'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** The rollup tiers reports read: never raw, but for the days not rolled up yet when the range is at most a day. */
export type ReportResolution = '1h' | '1d';

export type Cell = string | number | null;
export type ReportRow = Record<string, Cell>;

export interface Report {
  kind: ReportKind;
  profile: string;
  /** The range read, aligned on the resolution's buckets: [from, to). */
  from: EpochMs;
  to: EpochMs;
  resolution: Resolution;
  /**
   * Rolled-up rows exist up to this time (rollups are made a day at a time,
   * after the day ends). A range of at most a day is completed from raw rows;
   * a longer one has no data after this time.
   */
  coveredUntil: EpochMs;
  /** Devices (streams of the profile) with data in the range. */
  devices: number;
  /** The parameters as the report understood them (defaults filled in). */
  params: Record<string, unknown>;
  columns: string[];
  rows: ReportRow[];
  /** Rows before the limit (top talkers, degrading lines); rows.length otherwise. */
  totalRows: number;
  /** Things the reader should know (e.g. a range cut by the rollups, a heuristic used). */
  notes: string[];
  /** What the report cost: rows read, statements sent, milliseconds. */
  cost: { rows: number; statements: number; ms: number };
}

/** A bad report parameter: `field` as the client wrote it ("series", "profile"). */
export class ReportInputError extends Error {
  readonly code = 'ACS_ERR_BAD_REQUEST';
  constructor(readonly field: string, message: string) {
    super(message);
  }
}
