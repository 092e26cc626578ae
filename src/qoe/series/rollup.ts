/**
 * rollup(now): per profile and kept resolution (tiers.ts), the buckets
 * finished at `now - lag` and not rolled up yet are made from the next finer
 * resolution kept: per stream, bucket and column, min, max, average and the
 * count of values (a raw value v counts as v, v, v, 1), so a coarser bucket
 * is exact from finer ones (averages weighted by count). A row holds the
 * four numbers of each column (codec.ts), its layout the columns.
 * Buckets done are marked in qoe_rollup_marks; re-running one overwrites it.
 * Frames arriving after their bucket was rolled up stay in raw only.
 */
import { chunks, placeholders, type Db } from '../../db/sql';
import type { SqlAccess } from '../../db/types';
import { decode, encode } from './codec';
import type { Layouts } from './layouts';
import { BUCKET_MS, bucketStart, DAY_MS, keptResolutions, ROLLUPS, sourceOf, TABLES, type ProfileShape, type RollupResolution } from './tiers';
import type { Column } from './values';

/** Streams read per query: a window's rows of that many streams in memory at once. */
const STREAMS_PER_READ = 2_000;
const ROWS_PER_STATEMENT = 500;

export interface RollupContext {
  sql: SqlAccess;
  layouts: Layouts;
  lagMs: number;
}

/** min, max, sum, count of one column of one bucket. */
interface Agg {
  column: Column;
  min: number;
  max: number;
  sum: number;
  n: number;
}

type Buckets = Map<string, { stream: number; time: number; aggs: Map<string, Agg> }>;

function add(aggs: Map<string, Agg>, column: Column, min: number, max: number, avg: number, n: number): void {
  if (!(n > 0) || Number.isNaN(avg)) return;
  const a = aggs.get(column.path);
  if (!a) aggs.set(column.path, { column, min, max, sum: avg * n, n });
  else {
    a.min = Math.min(a.min, min);
    a.max = Math.max(a.max, max);
    a.sum += avg * n;
    a.n += n;
  }
}

/** Adds one source row to its bucket. */
function accumulate(buckets: Buckets, r: RollupResolution, row: { stream: number; time: number; columns: Column[]; values: number[] }, raw: boolean): void {
  const time = bucketStart(row.time, r);
  const key = `${row.stream}:${time}`;
  let b = buckets.get(key);
  if (!b) buckets.set(key, (b = { stream: row.stream, time, aggs: new Map() }));
  row.columns.forEach((c, i) => {
    if (raw) add(b.aggs, c, row.values[i], row.values[i], row.values[i], 1);
    else add(b.aggs, c, row.values[4 * i], row.values[4 * i + 1], row.values[4 * i + 2], row.values[4 * i + 3]);
  });
}

/** The rows of source table `from` of a profile's streams [lo, hi) in [start, end). */
async function readSource(db: Db, from: string, profile: string, lo: number, hi: number, start: number, end: number): Promise<{ stream: number; time: number; layout: number; data: Buffer }[]> {
  const rows = await db.select(
    `SELECT r.stream, r.time, r.layout, r.data FROM ${from} r JOIN qoe_streams s ON s.id = r.stream
     WHERE s.profile = ? AND s.id >= ? AND s.id < ? AND r.time >= ? AND r.time < ?`,
    [profile, lo, hi, start, end],
  );
  return rows.map((row) => ({ stream: Number(row.stream), time: Number(row.time), layout: Number(row.layout), data: row.data as Buffer }));
}

function upsert(db: Db): string {
  return db.driver === 'mysql' ? 'ON DUPLICATE KEY UPDATE layout = VALUES(layout), data = VALUES(data)' : 'ON CONFLICT (stream, time) DO UPDATE SET layout = excluded.layout, data = excluded.data';
}

async function writeBuckets(ctx: RollupContext, r: RollupResolution, buckets: Buckets): Promise<number> {
  const list = [...buckets.values()].map((b) => {
    const aggs = [...b.aggs.values()].sort((x, y) => (x.column.path < y.column.path ? -1 : 1));
    return { b, columns: aggs.map((a) => a.column), values: aggs.flatMap((a) => [a.min, a.max, a.sum / a.n, a.n]) };
  });
  if (list.length === 0) return 0;
  const ids = await ctx.sql.autocommit((db) => ctx.layouts.ids(db, list.map((l) => l.columns)));
  await ctx.sql.transaction(async (db) => {
    for (const batch of chunks(list.map((l, i) => [l.b.stream, l.b.time, ids[i], encode(l.values, () => true)] as const), ROWS_PER_STATEMENT)) {
      db.later(`INSERT INTO ${TABLES[r]} (stream, time, layout, data) VALUES ${batch.map(() => placeholders(4)).join(',')} ${upsert(db)}`, batch.flat());
    }
  });
  return list.length;
}

/** Rolls up [start, end) of one profile into `r`, a slice of streams at a time; answers the rows written. */
async function rollWindow(ctx: RollupContext, profile: string, shape: ProfileShape, r: RollupResolution, start: number, end: number, maxId: number): Promise<number> {
  const from = sourceOf(shape, r);
  let written = 0;
  for (let lo = 0; lo <= maxId; lo += STREAMS_PER_READ) {
    const rows = await ctx.sql.autocommit((db) => readSource(db, TABLES[from], profile, lo, lo + STREAMS_PER_READ, start, end));
    if (rows.length === 0) continue;
    await ctx.sql.autocommit((db) => ctx.layouts.load(db, rows.map((row) => row.layout)));
    const buckets: Buckets = new Map();
    for (const row of rows) accumulate(buckets, r, { stream: row.stream, time: row.time, columns: ctx.layouts.columns(row.layout), values: decode(row.data) }, from === 'raw');
    written += await writeBuckets(ctx, r, buckets);
  }
  return written;
}

async function markOf(db: Db, profile: string, r: RollupResolution): Promise<number | null> {
  const rows = await db.select('SELECT done_until FROM qoe_rollup_marks WHERE profile = ? AND resolution = ?', [profile, r]);
  return rows.length > 0 ? Number(rows[0].done_until) : null;
}

async function setMark(db: Db, profile: string, r: RollupResolution, until: number): Promise<void> {
  const clause = db.driver === 'mysql' ? 'ON DUPLICATE KEY UPDATE done_until = VALUES(done_until)' : 'ON CONFLICT (profile, resolution) DO UPDATE SET done_until = excluded.done_until';
  await db.run(`INSERT INTO qoe_rollup_marks (profile, resolution, done_until) VALUES (?, ?, ?) ${clause}`, [profile, r, until]);
}

/** One profile, one resolution: the finished buckets since its mark (at first, since its source's retention). */
async function rollResolution(ctx: RollupContext, profile: string, shape: ProfileShape, r: RollupResolution, now: number, maxId: number): Promise<number> {
  const end = bucketStart(now - ctx.lagMs, r);
  const source = sourceOf(shape, r);
  const mark = await ctx.sql.autocommit((db) => markOf(db, profile, r));
  let start = mark ?? bucketStart(now - shape.retention[source] * DAY_MS, r);
  let written = 0;
  // Windows of at least an hour (12 buckets of 5 minutes read in one query per slice of streams), at most a bucket of 1 day.
  const step = Math.max(BUCKET_MS[r], BUCKET_MS['1h']);
  while (start < end) {
    const stop = Math.min(end, start + step);
    written += await rollWindow(ctx, profile, shape, r, start, stop, maxId);
    await ctx.sql.autocommit((db) => setMark(db, profile, r, stop));
    start = stop;
  }
  return written;
}

/** Every profile that has streams, with its shape. */
export async function rollup(ctx: RollupContext, now: number, shapeOf: (profile: string) => ProfileShape): Promise<Record<RollupResolution, number>> {
  const written: Record<RollupResolution, number> = { '5m': 0, '1h': 0, '1d': 0 };
  const profiles = await ctx.sql.autocommit((db) => db.select('SELECT profile, MAX(id) AS max_id FROM qoe_streams GROUP BY profile'));
  for (const row of profiles) {
    const profile = String(row.profile);
    const shape = shapeOf(profile);
    const kept = keptResolutions(shape);
    for (const r of ROLLUPS) {
      if (kept.includes(r)) written[r] += await rollResolution(ctx, profile, shape, r, now, Number(row.max_id));
    }
  }
  return written;
}
