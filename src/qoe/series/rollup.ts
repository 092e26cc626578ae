/**
 * rollup(now): per profile and kept resolution (tiers.ts), the UTC days
 * finished at `now - lag` and not rolled up yet are made from the next finer
 * resolution kept (buckets.ts). A day at a time: its rows are written in key
 * order into an empty day partition, so InnoDB fills its pages; until a day
 * is rolled up, readers make its buckets from raw (reader.ts).
 * Days done are marked in qoe_rollup_marks; re-running one overwrites it.
 * Frames arriving after their day was rolled up stay in raw only.
 */
import { chunks, placeholders, type Db } from '../../db/sql';
import type { SqlAccess } from '../../db/types';
import type { Resolution } from '../types';
import { accumulate, bucketRow, type Buckets } from './buckets';
import { decode, encode } from './codec';
import type { Layouts } from './layouts';
import type { DayPartitions } from './partitions';
import { bucketStart, DAY_MS, keptResolutions, ROLLUPS, sourceOf, TABLES, type ProfileShape, type RollupResolution } from './tiers';

/** Streams read per query: a day's rows of that many streams in memory at once. */
const STREAMS_PER_READ = 1_000;
const ROWS_PER_STATEMENT = 500;

export interface RollupContext {
  sql: SqlAccess;
  layouts: Layouts;
  lagMs: number;
  /** MySQL only. */
  partitions: Record<Resolution, DayPartitions> | null;
}

export interface SourceRow {
  stream: number;
  time: number;
  layout: number;
  data: Buffer;
}

/** The rows of table `from` of a profile's streams [lo, hi) in [start, end). */
export async function readSource(db: Db, from: string, profile: string, lo: number, hi: number, start: number, end: number): Promise<SourceRow[]> {
  const rows = await db.select(
    `SELECT r.stream, r.time, r.layout, r.data FROM ${from} r JOIN qoe_streams s ON s.id = r.stream
     WHERE s.profile = ? AND s.id >= ? AND s.id < ? AND r.time >= ? AND r.time < ?`,
    [profile, lo, hi, start, end],
  );
  return rows.map((row) => ({ stream: Number(row.stream), time: Number(row.time), layout: Number(row.layout), data: row.data as Buffer }));
}

/** Source rows into buckets of `r`. */
export async function bucketsOf(db: Db, layouts: Layouts, rows: SourceRow[], r: RollupResolution, raw: boolean): Promise<Buckets> {
  await layouts.load(db, rows.map((row) => row.layout));
  const buckets: Buckets = new Map();
  for (const row of rows) accumulate(buckets, bucketStart(row.time, r), { stream: row.stream, columns: layouts.columns(row.layout), values: decode(row.data) }, raw);
  return buckets;
}

function upsert(db: Db): string {
  return db.driver === 'mysql' ? 'ON DUPLICATE KEY UPDATE layout = VALUES(layout), data = VALUES(data)' : 'ON CONFLICT (stream, time) DO UPDATE SET layout = excluded.layout, data = excluded.data';
}

async function writeBuckets(ctx: RollupContext, r: RollupResolution, buckets: Buckets): Promise<number> {
  const list = [...buckets.values()].sort((a, b) => a.stream - b.stream || a.time - b.time).map((b) => ({ b, ...bucketRow(b) }));
  if (list.length === 0) return 0;
  const ids = await ctx.sql.autocommit((db) => ctx.layouts.ids(db, list.map((l) => l.columns)));
  await ctx.partitions?.[r].ensure(list[0].b.time, list.reduce((m, l) => Math.max(m, l.b.time), 0));
  await ctx.sql.transaction(async (db) => {
    for (const batch of chunks(list.map((l, i) => [l.b.stream, l.b.time, ids[i], encode(l.values, () => true)] as const), ROWS_PER_STATEMENT)) {
      db.later(`INSERT INTO ${TABLES[r]} (stream, time, layout, data) VALUES ${batch.map(() => placeholders(4)).join(',')} ${upsert(db)}`, batch.flat());
    }
  });
  return list.length;
}

/** Rolls up the day [start, start + 1 day) of one profile into `r`, a slice of streams at a time; answers the rows written. */
async function rollDay(ctx: RollupContext, profile: string, shape: ProfileShape, r: RollupResolution, start: number, maxId: number): Promise<number> {
  const from = sourceOf(shape, r);
  let written = 0;
  for (let lo = 0; lo <= maxId; lo += STREAMS_PER_READ) {
    const buckets = await ctx.sql.autocommit(async (db) => bucketsOf(db, ctx.layouts, await readSource(db, TABLES[from], profile, lo, lo + STREAMS_PER_READ, start, start + DAY_MS), r, from === 'raw'));
    written += await writeBuckets(ctx, r, buckets);
  }
  return written;
}

export async function markOf(db: Db, profile: string, name: string): Promise<number | null> {
  const rows = await db.select('SELECT done_until FROM qoe_rollup_marks WHERE profile = ? AND resolution = ?', [profile, name]);
  return rows.length > 0 ? Number(rows[0].done_until) : null;
}

export async function setMark(db: Db, profile: string, name: string, until: number): Promise<void> {
  const clause = db.driver === 'mysql' ? 'ON DUPLICATE KEY UPDATE done_until = VALUES(done_until)' : 'ON CONFLICT (profile, resolution) DO UPDATE SET done_until = excluded.done_until';
  await db.run(`INSERT INTO qoe_rollup_marks (profile, resolution, done_until) VALUES (?, ?, ?) ${clause}`, [profile, name, until]);
}

/** One profile, one resolution: the finished days since its mark, never further back than its source keeps (at first, all of that). */
async function rollResolution(ctx: RollupContext, profile: string, shape: ProfileShape, r: RollupResolution, now: number, maxId: number): Promise<number> {
  const end = bucketStart(now - ctx.lagMs, '1d');
  const mark = await ctx.sql.autocommit((db) => markOf(db, profile, r));
  const oldest = bucketStart(now - shape.retention[sourceOf(shape, r)] * DAY_MS, '1d');
  let written = 0;
  for (let start = Math.max(mark ?? oldest, oldest); start < end; start += DAY_MS) {
    written += await rollDay(ctx, profile, shape, r, start, maxId);
    await ctx.sql.autocommit((db) => setMark(db, profile, r, start + DAY_MS));
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
