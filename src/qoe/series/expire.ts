/**
 * expire(now): each profile's retention per resolution. On MySQL/MariaDB the
 * raw table loses whole day partitions once every profile is done with them
 * (the longest raw retention), and gets tomorrow's partition ahead; a
 * profile keeping raw data for less is deleted by range, as the rollups
 * are. On SQLite every expiry is a DELETE by range.
 */
import type { Db } from '../../db/sql';
import type { SqlAccess } from '../../db/types';
import type { RawPartitions } from './partitions';
import { DAY_MS, RESOLUTIONS, TABLES, type ProfileShape } from './tiers';
import type { ExpireResult } from './types';
import type { Resolution } from '../types';

export interface ExpireContext {
  sql: SqlAccess;
  partitions: RawPartitions | null;
}

/** Rows of `profile`'s streams in `table` older than `cutoff`. */
async function deleteOlder(db: Db, table: string, profile: string, cutoff: number): Promise<number> {
  const sql = db.driver === 'mysql'
    // The join reads the profile's streams first, then each one's rows by primary key (stream, time).
    ? `DELETE r FROM ${table} r JOIN qoe_streams s ON s.id = r.stream WHERE s.profile = ? AND r.time < ?`
    : `DELETE FROM ${table} WHERE stream IN (SELECT id FROM qoe_streams WHERE profile = ?) AND time < ?`;
  return (await db.run(sql, [profile, cutoff])).affected;
}

export async function expire(ctx: ExpireContext, now: number, shapeOf: (profile: string) => ProfileShape): Promise<ExpireResult> {
  const result: ExpireResult = { partitionsDropped: [], partitionsAdded: [], rowsDeleted: 0 };
  const profiles = (await ctx.sql.autocommit((db) => db.select('SELECT DISTINCT profile FROM qoe_streams'))).map((r) => String(r.profile));
  const shapes = new Map(profiles.map((p) => [p, shapeOf(p)]));
  const longestRaw = Math.max(0, ...[...shapes.values()].map((s) => s.retention.raw));
  if (ctx.partitions) {
    result.partitionsAdded = await ctx.partitions.ensure(now, now);
    if (profiles.length > 0) result.partitionsDropped = await ctx.partitions.dropBefore(now - longestRaw * DAY_MS);
  }
  for (const [profile, shape] of shapes) {
    for (const r of RESOLUTIONS) {
      if (r === 'raw' && ctx.partitions && shape.retention.raw >= longestRaw) continue;
      result.rowsDeleted += await ctx.sql.autocommit((db) => deleteOlder(db, TABLES[r as Resolution], profile, now - shape.retention[r] * DAY_MS));
    }
  }
  return result;
}
