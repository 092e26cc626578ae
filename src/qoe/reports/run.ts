/**
 * Runs a report: the plan (tier, range, rollup coverage), the devices, one
 * scan with the kind's visitor, the rows. Reports read the series tables
 * directly (packed rows, series/codec.ts), a slice of devices per statement
 * (scan.ts), never through per-device queries.
 */
import type { SqlAccess } from '../../db/types';
import { Layouts } from '../series/layouts';
import type { ProfileLookup } from '../series/types';
import type { CollectionProfile } from '../types';
import { BANDWIDTH_COLUMNS, bandwidthReport, TOP_TALKER_COLUMNS, topTalkersReport } from './bandwidth';
import { DEGRADING_COLUMNS, DegradingVisitor } from './degrading';
import { fleetDevices } from './fleet';
import type { AnyParams, DegradingParams, ParamsOf } from './params';
import { percentileColumns, percentilesReport } from './percentiles';
import { planScan, type RangeAsked, type ScanPlan } from './plan';
import { scan, type Visitor } from './scan';
import { ReportInputError, type GroupBy, type Report, type ReportKind, type ReportRow } from './types';
import { WIFI_CHANNEL_COLUMNS, WifiChannelVisitor } from './wifi-channels';

export interface ReportServiceOptions {
  sql: SqlAccess;
  /** The collection profiles by name (a ProfileView's lookup). */
  profiles: ProfileLookup;
  now?: () => number;
  /** Rows per statement (scan.ts); tests make it small to cross slices. */
  rowsPerRead?: number;
  /** See plan.ts HOURLY_ROW_BUDGET. */
  hourlyRowBudget?: number;
}

/** What a kind contributes to a run: its visitor, and its rows once the scan is done. */
interface KindRun {
  visitor: Visitor;
  columns: string[];
  rows(): ReportRow[];
  total?(): number;
  notes?(): string[];
}

function kindRun(kind: ReportKind, params: AnyParams, plan: ScanPlan): KindRun {
  switch (kind) {
    case 'bandwidth':
      return { ...bandwidthReport(params as ParamsOf<'bandwidth'>), columns: BANDWIDTH_COLUMNS };
    case 'top-talkers':
      return { ...topTalkersReport(params as ParamsOf<'top-talkers'>), columns: TOP_TALKER_COLUMNS };
    case 'percentiles': {
      const p = params as ParamsOf<'percentiles'>;
      return { ...percentilesReport(p), columns: percentileColumns(p.percentiles) };
    }
    case 'degrading': {
      const p = params as DegradingParams;
      // The last window ends at the plan's end, aligned on its buckets.
      const visitor = new DegradingVisitor(p, plan.to - p.window);
      return { visitor, columns: DEGRADING_COLUMNS, rows: () => visitor.rows(), total: () => visitor.matched };
    }
    case 'wifi-channels': {
      const visitor = new WifiChannelVisitor();
      const notes = () => (visitor.unplaced > 0 ? [`clients of ${visitor.unplaced} access points left out: their radio is not told by instance number, and their device has several radios`] : []);
      return { visitor, columns: WIFI_CHANNEL_COLUMNS, rows: () => visitor.rows(), notes };
    }
  }
}

/** The range a kind reads: degrading reads two windows ending at `to` (by default where the rollups reach: plan.ts). */
function rangeOf(kind: ReportKind, params: AnyParams): RangeAsked {
  if (kind !== 'degrading') return params as RangeAsked;
  const p = params as DegradingParams;
  return { spanMs: 2 * p.window, to: p.to, resolution: p.resolution };
}

export class ReportService {
  private readonly layouts = new Layouts();
  private readonly now: () => number;

  constructor(private readonly o: ReportServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The profile a report reads, or a ReportInputError naming `profile`. */
  profile(name: string): CollectionProfile {
    const profile = this.o.profiles(name);
    if (!profile) throw new ReportInputError('profile', `no collection profile named ${name}`);
    return profile;
  }

  async run<K extends ReportKind>(kind: K, params: ParamsOf<K>): Promise<Report> {
    const started = performance.now();
    const profile = this.profile(params.profile);
    const now = this.now();
    const plan = await this.o.sql.autocommit((db) => planScan(db, profile.name, profile, rangeOf(kind, params), now, this.o.hourlyRowBudget));
    const groupBy = 'groupBy' in params ? (params.groupBy as GroupBy) : undefined;
    const devices = await fleetDevices(this.o.sql, profile.name, plan.from, { filter: params.filter, groupBy });
    const k = kindRun(kind, params, plan);
    const scanned = await scan({ sql: this.o.sql, layouts: this.layouts, rowsPerRead: this.o.rowsPerRead }, plan, devices, profile.intervalS, k.visitor);
    const rows = k.rows();
    return {
      kind, profile: profile.name, from: plan.from, to: plan.to, resolution: plan.resolution, coveredUntil: plan.coveredUntil,
      devices: scanned.devices, params: { ...params }, columns: k.columns, rows, totalRows: k.total?.() ?? rows.length,
      notes: [...plan.notes, ...(k.notes?.() ?? [])],
      cost: { rows: scanned.rows, statements: scanned.statements + 2, ms: Math.round(performance.now() - started) },
    };
  }
}
