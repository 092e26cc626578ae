/**
 * SeriesReader: one device's series at the resolution asked for, or the
 * finest one its profile still keeps for the whole range, and the devices
 * with recent frames of a profile (what alert rules evaluate).
 *
 * Rolled-up points carry the bucket's average as `value` with its min and
 * max; under REBOOTS_PATH a rolled-up point's `value` is the number of
 * reboots in the bucket (at raw resolution, 1 per reboot). Rollups are made
 * a day at a time: the buckets of the days not rolled up yet (today's) are
 * made from raw rows on the fly, so a chart reaches up to now.
 */
import type { Db } from '../../db/sql';
import type { DeviceKey, SqlAccess } from '../../db/types';
import { REBOOTS_PATH, type Point, type Resolution, type Series, type SeriesQuery } from '../types';
import { bucketRow, columnStats } from './buckets';
import { decode } from './codec';
import type { Layouts } from './layouts';
import { bucketsOf } from './rollup';
import { DAY_MS, keptResolutions, RESOLUTIONS, TABLES, type ProfileShape, type RollupResolution } from './tiers';
import { patternRegExp, type Column } from './values';

export interface ReaderContext {
  sql: SqlAccess;
  layouts: Layouts;
  now: () => number;
  shapeOf: (profile: string) => ProfileShape;
}

/** The resolution to read: asked for (or the finest kept coarser one, if the profile skips it), else the finest kept for the whole range. */
export function resolutionFor(shape: ProfileShape, from: number, now: number, asked?: Resolution): Resolution {
  const kept = keptResolutions(shape);
  if (asked) return kept.find((r) => RESOLUTIONS.indexOf(r) >= RESOLUTIONS.indexOf(asked)) ?? kept[kept.length - 1];
  return kept.find((r) => from >= now - shape.retention[r] * DAY_MS) ?? kept[kept.length - 1];
}

/** Which columns a query's paths select: all (no paths), or by concrete path, pattern with "*", or alias. */
function selector(paths: string[] | undefined): (c: Column) => boolean {
  if (!paths || paths.length === 0) return () => true;
  const exact = new Set(paths.filter((p) => !p.includes('*')));
  const patterns = paths.filter((p) => p.includes('*')).map(patternRegExp);
  return (c) => exact.has(c.path) || (c.alias !== undefined && exact.has(c.alias)) || patterns.some((re) => re.test(c.path));
}

function pointOf(c: Column, values: number[], i: number, time: number, rolled: boolean): Point | null {
  if (!rolled) return Number.isNaN(values[i]) ? null : { time, value: values[i] };
  const { min, max, avg, n } = columnStats(values, i);
  if (!(n > 0) || Number.isNaN(avg)) return null;
  return c.path === REBOOTS_PATH ? { time, value: n } : { time, value: avg, min, max };
}

interface ReadRow {
  time: number;
  columns: Column[];
  values: number[];
}

async function tableRows(ctx: ReaderContext, db: Db, table: string, stream: number, from: number, to: number): Promise<{ time: number; layout: number; data: Buffer }[]> {
  const rows = await db.select(`SELECT time, layout, data FROM ${table} WHERE stream = ? AND time >= ? AND time < ? ORDER BY time`, [stream, from, to]);
  await ctx.layouts.load(db, rows.map((r) => Number(r.layout)));
  return rows.map((r) => ({ time: Number(r.time), layout: Number(r.layout), data: r.data as Buffer }));
}

interface StreamRef {
  id: number;
  profile: string;
  /** Rolled up until, by resolution. */
  marks: Map<string, number>;
}

/** Which of a layout's values to decode: the wanted columns' (a rolled-up row: the row's count, then 4 per column). */
function keeperOf(ctx: ReaderContext, wanted: (c: Column) => boolean, rolled: boolean): (layout: number) => (i: number) => boolean {
  const cache = new Map<number, (i: number) => boolean>();
  return (layout) => {
    let keep = cache.get(layout);
    if (!keep) {
      const columns = ctx.layouts.columns(layout).map(wanted);
      keep = rolled ? (i) => i === 0 || columns[(i - 1) >> 2] : (i) => columns[i];
      cache.set(layout, keep);
    }
    return keep;
  };
}

/** The stream's rows at `resolution` in [from, to): stored ones, then (rollups) buckets of the days not rolled up yet, from raw. */
async function readRows(ctx: ReaderContext, db: Db, stream: StreamRef, resolution: Resolution, q: SeriesQuery): Promise<ReadRow[]> {
  const { from, to } = q;
  const keeper = keeperOf(ctx, selector(q.paths), resolution !== 'raw');
  const stored = (await tableRows(ctx, db, TABLES[resolution], stream.id, from, to)).map((r) => ({ time: r.time, columns: ctx.layouts.columns(r.layout), values: decode(r.data, keeper(r.layout)) }));
  if (resolution === 'raw') return stored;
  const mark = stream.marks.get(resolution) ?? -Infinity;
  if (mark >= to) return stored;
  const raw = (await tableRows(ctx, db, TABLES.raw, stream.id, Math.max(from, mark), to)).map((r) => ({ stream: stream.id, ...r }));
  const buckets = await bucketsOf(db, ctx.layouts, raw, resolution as RollupResolution, true);
  const recent = [...buckets.values()].sort((a, b) => a.time - b.time).map((b) => ({ time: b.time, ...bucketRow(b) }));
  return [...stored.filter((r) => r.time < mark), ...recent];
}

async function streamSeries(ctx: ReaderContext, db: Db, stream: StreamRef, q: SeriesQuery): Promise<Series[]> {
  const resolution = resolutionFor(ctx.shapeOf(stream.profile), q.from, ctx.now(), q.resolution);
  const rows = await readRows(ctx, db, stream, resolution, q);
  const wanted = selector(q.paths);
  const out = new Map<string, Series>();
  for (const row of rows) {
    const values = row.values;
    row.columns.forEach((c, i) => {
      if (!wanted(c)) return;
      const point = pointOf(c, values, i, row.time, resolution !== 'raw');
      if (!point) return;
      let s = out.get(c.path);
      if (!s) out.set(c.path, (s = { device: q.device, profile: stream.profile, path: c.path, kind: c.kind, unit: c.kind === 'counter' ? 'per-second' : 'value', resolution, points: [] }));
      s.points.push(point);
    });
  }
  return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The device's streams (of the profile asked for) with their rollup marks: one query. */
async function streamsOf(db: Db, q: SeriesQuery): Promise<StreamRef[]> {
  const filter = q.profile === undefined ? '' : ' AND s.profile = ?';
  const rows = await db.select(
    `SELECT s.id, s.profile, m.resolution, m.done_until FROM qoe_streams s LEFT JOIN qoe_rollup_marks m ON m.profile = s.profile
     WHERE s.device_key = ?${filter} ORDER BY s.profile`,
    q.profile === undefined ? [q.device] : [q.device, q.profile],
  );
  const streams = new Map<number, StreamRef>();
  for (const row of rows) {
    const id = Number(row.id);
    let s = streams.get(id);
    if (!s) streams.set(id, (s = { id, profile: String(row.profile), marks: new Map() }));
    if (row.resolution !== null && row.resolution !== undefined) s.marks.set(String(row.resolution), Number(row.done_until));
  }
  return [...streams.values()];
}

export async function readSeries(ctx: ReaderContext, q: SeriesQuery): Promise<Series[]> {
  if (typeof q?.device !== 'string' || !Number.isFinite(q.from) || !Number.isFinite(q.to)) throw new TypeError('series query needs device (string), from and to (epoch ms)');
  if (q.resolution !== undefined && !RESOLUTIONS.includes(q.resolution)) throw new TypeError(`series query resolution ${String(q.resolution)} not one of ${RESOLUTIONS.join(', ')}`);
  if (q.paths !== undefined && !(Array.isArray(q.paths) && q.paths.every((p) => typeof p === 'string'))) throw new TypeError('series query paths not an array of strings');
  return ctx.sql.autocommit(async (db) => {
    const out: Series[] = [];
    for (const s of await streamsOf(db, q)) out.push(...(await streamSeries(ctx, db, s, q)));
    return out;
  });
}

export async function devicesWithFramesSince(sql: SqlAccess, profile: string, since: number, limit: number, after?: DeviceKey): Promise<DeviceKey[]> {
  if (!Number.isFinite(limit) || !Number.isFinite(since)) throw new TypeError('devicesWithFramesSince needs a finite since and limit');
  const n = Math.max(0, Math.min(Math.floor(limit), 10_000));
  if (n === 0) return [];
  const rows = await sql.autocommit((db) =>
    db.select(`SELECT device_key FROM qoe_streams WHERE profile = ? AND device_key > ? AND last_time >= ? ORDER BY device_key LIMIT ${n}`, [profile, after ?? '', since]),
  );
  return rows.map((r) => String(r.device_key));
}
