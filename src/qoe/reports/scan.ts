/**
 * The read under every report: the rolled-up rows of the plan's devices in
 * the plan's range, a slice of devices at a time (about ROWS_PER_READ rows
 * a statement, every row of a device in the same slice), decoded and handed
 * to a visitor; after each slice the visitor finishes those devices and may
 * forget them, so memory holds one slice, whatever the fleet's size.
 */
import { placeholders, type Db } from '../../db/sql';
import type { SqlAccess } from '../../db/types';
import { bucketRow } from '../series/buckets';
import { decode } from '../series/codec';
import type { Layouts } from '../series/layouts';
import { bucketsOf, type SourceRow } from '../series/rollup';
import { TABLES } from '../series/tiers';
import type { Column } from '../series/values';
import type { FleetDevice } from './fleet';
import type { ScanPlan } from './plan';

/** Rows per statement: ~100 bytes each decoded, a few MiB per slice. */
export const ROWS_PER_READ = 50_000;
const MAX_DEVICES_PER_READ = 1_000;

/** One bucket of one device: the rolled-up row's columns and values (series/buckets.ts), and the seconds it spans up to now. */
export interface BucketRow {
  time: number;
  seconds: number;
  columns: Column[];
  values: number[];
}

export interface Visitor {
  row(device: FleetDevice, bucket: BucketRow): void;
  /** Every row of these devices was seen. */
  flush(devices: FleetDevice[]): void;
}

export interface ScanContext {
  sql: SqlAccess;
  layouts: Layouts;
  /** Default ROWS_PER_READ. */
  rowsPerRead?: number;
}

export interface ScanResult {
  /** Devices with at least one row. */
  devices: number;
  rows: number;
  statements: number;
}

async function select(db: Db, table: string, ids: number[], from: number, to: number): Promise<SourceRow[]> {
  const rows = await db.select(`SELECT stream, time, layout, data FROM ${table} WHERE stream IN ${placeholders(ids.length)} AND time >= ? AND time < ?`, [...ids, from, to]);
  return rows.map((r) => ({ stream: Number(r.stream), time: Number(r.time), layout: Number(r.layout), data: r.data as Buffer }));
}

function devicesPerRead(plan: ScanPlan, rowsPerRead: number, intervalS: number): number {
  const buckets = (plan.to - plan.from) / plan.bucketMs;
  const rawRows = plan.raw ? (plan.to - plan.storedTo) / Math.max(intervalS * 1000, 60_000) : 0;
  return Math.max(1, Math.min(MAX_DEVICES_PER_READ, Math.floor(rowsPerRead / (buckets + rawRows))));
}

/** Reads one slice; answers the rows seen and the statements sent. */
async function scanSlice(ctx: ScanContext, db: Db, plan: ScanPlan, slice: FleetDevice[], visitor: Visitor, seen: Set<number>): Promise<[number, number]> {
  const byStream = new Map(slice.map((d) => [d.stream, d]));
  const ids = [...byStream.keys()];
  const seconds = (time: number) => (Math.min(time + plan.bucketMs, plan.now) - time) / 1000;
  let rows = 0;
  let statements = 0;
  if (plan.storedTo > plan.from) {
    const stored = await select(db, TABLES[plan.resolution], ids, plan.from, plan.storedTo);
    statements++;
    await ctx.layouts.load(db, stored.map((r) => r.layout));
    for (const r of stored) {
      seen.add(r.stream);
      visitor.row(byStream.get(r.stream) as FleetDevice, { time: r.time, seconds: seconds(r.time), columns: ctx.layouts.columns(r.layout), values: decode(r.data) });
    }
    rows += stored.length;
  }
  if (plan.raw) {
    const raw = await select(db, TABLES.raw, ids, plan.storedTo, plan.to);
    statements++;
    for (const b of (await bucketsOf(db, ctx.layouts, raw, plan.resolution, true)).values()) {
      seen.add(b.stream);
      visitor.row(byStream.get(b.stream) as FleetDevice, { time: b.time, seconds: seconds(b.time), ...bucketRow(b) });
      rows++;
    }
  }
  visitor.flush(slice);
  return [rows, statements];
}

export async function scan(ctx: ScanContext, plan: ScanPlan, devices: FleetDevice[], intervalS: number, visitor: Visitor): Promise<ScanResult> {
  const size = devicesPerRead(plan, ctx.rowsPerRead ?? ROWS_PER_READ, intervalS);
  const seen = new Set<number>();
  const result: ScanResult = { devices: 0, rows: 0, statements: 0 };
  await ctx.sql.autocommit(async (db) => {
    for (let i = 0; i < devices.length; i += size) {
      const [rows, statements] = await scanSlice(ctx, db, plan, devices.slice(i, i + size), visitor, seen);
      result.rows += rows;
      result.statements += statements;
    }
  });
  result.devices = seen.size;
  return result;
}
