/**
 * expire(now): each profile's retention per resolution. On MySQL/MariaDB a
 * series table loses whole day partitions once every profile is done with
 * them (the longest retention of that resolution), gets tomorrow's ahead,
 * and the raw days finished and rolled up are compacted (partitions.ts); a
 * profile keeping less than the longest is deleted by range. On SQLite every
 * expiry is a DELETE by range.
 */
import type { Db } from '../../db/sql';
import type { SqlAccess } from '../../db/types';
import type { Resolution } from '../types';
import type { DayPartitions } from './partitions';
import { markOf, setMark } from './rollup';
import { DAY_MS, RESOLUTIONS, TABLES, type ProfileShape } from './tiers';
import type { ExpireResult } from './types';

export interface ExpireContext {
  sql: SqlAccess;
  partitions: Record<Resolution, DayPartitions> | null;
  lagMs: number;
}

/** qoe_rollup_marks row of the raw compaction: done up to the end of the last day compacted. */
const COMPACTED = { profile: '', name: 'compact' };

/** Rows of `profile`'s streams in `table` older than `cutoff`. */
async function deleteOlder(db: Db, table: string, profile: string, cutoff: number): Promise<number> {
  const sql = db.driver === 'mysql'
    // The join reads the profile's streams first, then each one's rows by primary key (stream, time).
    ? `DELETE r FROM ${table} r JOIN qoe_streams s ON s.id = r.stream WHERE s.profile = ? AND r.time < ?`
    : `DELETE FROM ${table} WHERE stream IN (SELECT id FROM qoe_streams WHERE profile = ?) AND time < ?`;
  return (await db.run(sql, [profile, cutoff])).affected;
}

/** Raw days over for `lag` and an hour (rolled up by then), not compacted yet, the oldest first. */
async function compactRaw(ctx: ExpireContext, raw: DayPartitions, now: number): Promise<string[]> {
  const done = (await ctx.sql.autocommit((db) => markOf(db, COMPACTED.profile, COMPACTED.name))) ?? 0;
  const due = (await raw.list()).filter((p) => p.end > done && p.end <= now - ctx.lagMs - 3_600_000);
  for (const p of due) {
    await raw.compact(p);
    await ctx.sql.autocommit((db) => setMark(db, COMPACTED.profile, COMPACTED.name, p.end));
  }
  return due.map((p) => p.name);
}

async function dropPartitions(ctx: ExpireContext, parts: Record<Resolution, DayPartitions>, now: number, longest: Record<Resolution, number>, result: ExpireResult): Promise<void> {
  for (const r of RESOLUTIONS) {
    result.partitionsAdded.push(...(await parts[r].ensure(now, now)).map((n) => `${TABLES[r]}.${n}`));
    result.partitionsDropped.push(...(await parts[r].dropBefore(now - longest[r] * DAY_MS)).map((n) => `${TABLES[r]}.${n}`));
  }
  result.partitionsCompacted = (await compactRaw(ctx, parts.raw, now)).map((n) => `qoe_raw.${n}`);
}

export async function expire(ctx: ExpireContext, now: number, shapeOf: (profile: string) => ProfileShape): Promise<ExpireResult> {
  const result: ExpireResult = { partitionsDropped: [], partitionsAdded: [], partitionsCompacted: [], rowsDeleted: 0 };
  const profiles = (await ctx.sql.autocommit((db) => db.select('SELECT DISTINCT profile FROM qoe_streams'))).map((r) => String(r.profile));
  if (profiles.length === 0) return result;
  const shapes = new Map(profiles.map((p) => [p, shapeOf(p)]));
  const longest = Object.fromEntries(RESOLUTIONS.map((r) => [r, Math.max(...[...shapes.values()].map((s) => s.retention[r]))])) as Record<Resolution, number>;
  if (ctx.partitions) await dropPartitions(ctx, ctx.partitions, now, longest, result);
  for (const [profile, shape] of shapes) {
    for (const r of RESOLUTIONS) {
      if (ctx.partitions && shape.retention[r] >= longest[r]) continue;
      result.rowsDeleted += await ctx.sql.autocommit((db) => deleteOlder(db, TABLES[r], profile, now - shape.retention[r] * DAY_MS));
    }
  }
  return result;
}
