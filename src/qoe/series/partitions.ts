/**
 * MySQL/MariaDB: every series table (qoe_raw, qoe_5m, qoe_1h, qoe_1d) is
 * partitioned by RANGE of time, one partition per UTC day named pYYYYMMDD
 * (rows before the day's end; the first one also holds anything older), and
 * `pmax` for anything later. Days are split off `pmax` ahead of the rows
 * (tomorrow's too), while it is still empty, so the split moves no rows;
 * retention drops whole days (no row-by-row DELETE, no purge lag).
 *
 * A day's raw rows arrive one per stream per round, each at the end of its
 * stream's key range: InnoDB splits pages half full, and the day ends near
 * 60 % full. Once the day is over, compact() copies it in key order into a
 * table of its own and swaps that in (EXCHANGE PARTITION): pages ~94 % full,
 * without blocking the writes of the current day.
 */
import type { Db } from '../../db/sql';
import type { SqlAccess } from '../../db/types';
import { DAY_MS } from './tiers';

export interface Partition {
  name: string;
  /** Exclusive upper bound (ms); the day is [end - 1 day, end). */
  end: number;
}

export function partitionName(dayStart: number): string {
  return `p${new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

export async function listPartitions(db: Db, table = 'qoe_raw'): Promise<Partition[]> {
  const rows = await db.select(
    `SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS bound FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND PARTITION_NAME <> 'pmax' ORDER BY PARTITION_ORDINAL_POSITION`,
    [table],
  );
  return rows.map((r) => ({ name: String(r.name), end: Number(r.bound) }));
}

/** "Duplicate partition name" / "values must be strictly increasing": another process split the same days first. */
const RACED = new Set([1517, 1493]);

function errno(err: unknown): number {
  const e = (err as { driverError?: { errno?: unknown }; errno?: unknown } | null) ?? {};
  return Number(e.driverError?.errno ?? e.errno ?? 0);
}

export class DayPartitions {
  /** End of the last day partition; null until loaded (or when there is none). */
  private until: number | null = null;
  private loaded = false;

  constructor(private readonly sql: SqlAccess, readonly table: string) {}

  async list(): Promise<Partition[]> {
    const list = await this.sql.autocommit((db) => listPartitions(db, this.table));
    this.until = list.length > 0 ? list[list.length - 1].end : null;
    this.loaded = true;
    return list;
  }

  /** Day partitions up to the day after `maxTime` (from `minTime`'s day when there are none yet); answers the names added. */
  async ensure(minTime: number, maxTime: number): Promise<string[]> {
    if (!this.loaded) await this.list();
    const wantedEnd = Math.floor(maxTime / DAY_MS) * DAY_MS + 2 * DAY_MS;
    if (this.until !== null && this.until >= wantedEnd) return [];
    // After a long pause, one partition spans the gap (rows that old are past any retention): never hundreds of empty days.
    const firstEnd = Math.max(this.until === null ? 0 : this.until + DAY_MS, Math.floor(minTime / DAY_MS) * DAY_MS + DAY_MS);
    const days: Partition[] = [];
    for (let end = firstEnd; end <= wantedEnd; end += DAY_MS) days.push({ name: partitionName(end - DAY_MS), end });
    if (days.length === 0) return [];
    const parts = [...days.map((d) => `PARTITION ${d.name} VALUES LESS THAN (${d.end})`), 'PARTITION pmax VALUES LESS THAN MAXVALUE'];
    try {
      await this.sql.autocommit((db) => db.run(`ALTER TABLE ${this.table} REORGANIZE PARTITION pmax INTO (${parts.join(', ')})`));
    } catch (err) {
      if (!RACED.has(errno(err))) throw err;
    }
    await this.list();
    return days.map((d) => d.name);
  }

  /** Drops the day partitions that end at or before `cutoff`; answers their names. */
  async dropBefore(cutoff: number): Promise<string[]> {
    const old = (await this.list()).filter((p) => p.end <= cutoff);
    if (old.length === 0) return [];
    await this.sql.autocommit((db) => db.run(`ALTER TABLE ${this.table} DROP PARTITION ${old.map((p) => p.name).join(', ')}`));
    await this.list();
    return old.map((p) => p.name);
  }

  /**
   * Rewrites partition `p` in key order (see the header); its rows stay
   * readable throughout. Not to be run by two processes at once (expire runs
   * under the workers' lock): a copy left by a process that stopped half
   * way is dropped and made again.
   */
  async compact(p: Partition): Promise<void> {
    const copy = `${this.table}_compact_${p.name}`;
    await this.sql.autocommit(async (db) => {
      await db.run(`DROP TABLE IF EXISTS ${copy}`);
      await db.run(`CREATE TABLE ${copy} LIKE ${this.table}`);
      await db.run(`ALTER TABLE ${copy} REMOVE PARTITIONING`);
      await db.run(`INSERT INTO ${copy} SELECT * FROM ${this.table} PARTITION (${p.name}) ORDER BY stream, time`);
      await db.run(`ALTER TABLE ${this.table} EXCHANGE PARTITION ${p.name} WITH TABLE ${copy}`);
      await db.run(`DROP TABLE ${copy}`);
    });
  }
}
