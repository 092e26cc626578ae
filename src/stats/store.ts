/**
 * fleet_stats (migration 1766700000000): the fleet's counts per minute once
 * they left Redis. Adding is additive (a minute may arrive in parts: a
 * process that flushed late, a count given back after a failed move), so
 * the rows are summed, never overwritten.
 */
import { chunks, placeholders, type Db } from '../db/sql';
import type { Minute } from './keys';
import type { Counts } from './series';

/** Rows per INSERT: one minute's series are a few dozen. */
const ROWS_PER_INSERT = 500;

function addClause(db: Db): string {
  return db.driver === 'mysql' ? 'ON DUPLICATE KEY UPDATE n = n + VALUES(n)' : 'ON CONFLICT (minute, series) DO UPDATE SET n = fleet_stats.n + excluded.n';
}

/** Adds one minute's counts to its rows. */
export async function addMinute(db: Db, m: Minute, counts: Counts): Promise<void> {
  for (const batch of chunks([...counts], ROWS_PER_INSERT)) {
    const sql = `INSERT INTO fleet_stats (minute, series, n) VALUES ${batch.map(() => placeholders(3)).join(',')} ${addClause(db)}`;
    await db.run(sql, batch.flatMap(([series, n]) => [m, series, n]));
  }
}

/** Sums of the minutes in [from, to) by bucket (`step` minutes, aligned on epoch multiples of it) and series. */
export async function readBuckets(db: Db, from: Minute, to: Minute, step: number): Promise<Map<Minute, Counts>> {
  const sql = `SELECT minute - (minute % ?) AS bucket, series, SUM(n) AS n FROM fleet_stats
    WHERE minute >= ? AND minute < ? GROUP BY bucket, series`;
  const out = new Map<Minute, Counts>();
  for (const row of await db.select(sql, [step, from, to])) {
    const bucket = Number(row.bucket);
    const counts = out.get(bucket) ?? new Map<string, number>();
    counts.set(String(row.series), Number(row.n));
    out.set(bucket, counts);
  }
  return out;
}

/** Deletes the minutes before `before`; answers how many rows went. */
export async function deleteBefore(db: Db, before: Minute): Promise<number> {
  return (await db.run('DELETE FROM fleet_stats WHERE minute < ?', [before])).affected;
}
