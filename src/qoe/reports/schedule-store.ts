/**
 * The table of report schedules (migration 1766830000000). A run claims its
 * due time with a conditional UPDATE of `last_due`: whichever worker's
 * UPDATE changes the row runs it, every other one sees 0 rows changed.
 */
import type { Row } from '../../db/sql';
import type { EpochMs, SqlAccess } from '../../db/types';
import type { ScheduleInput } from './schedule-input';
import type { ReportKind } from './types';

export interface ReportSchedule extends ScheduleInput {
  id: number;
  /** The next due time the sweep hands out. */
  nextDue: EpochMs;
  /** The due time of the last run (claimed), null before the first. */
  lastDue: EpochMs | null;
  lastRunAt: EpochMs | null;
  /** Why the last run failed; null when it succeeded. */
  lastError: string | null;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function scheduleOf(r: Row): ReportSchedule {
  return {
    id: Number(r.id),
    name: String(r.name),
    kind: String(r.kind) as ReportKind,
    params: JSON.parse(String(r.params)) as Record<string, unknown>,
    every: String(r.schedule),
    webhook: Number(r.webhook) === 1,
    enabled: Number(r.enabled) === 1,
    nextDue: Number(r.next_due),
    lastDue: num(r.last_due),
    lastRunAt: num(r.last_run_at),
    lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

const values = (s: ScheduleInput): unknown[] => [s.name, s.kind, JSON.stringify(s.params), s.every, s.webhook ? 1 : 0, s.enabled ? 1 : 0];

export class ScheduleStore {
  constructor(readonly sql: SqlAccess) {}

  async create(s: ScheduleInput, nextDue: EpochMs, now: EpochMs): Promise<ReportSchedule> {
    const sql = 'INSERT INTO qoe_report_schedules (name, kind, params, schedule, webhook, enabled, next_due, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
    const { insertId } = await this.sql.autocommit((db) => db.run(sql, [...values(s), nextDue, now, now]));
    return (await this.get(insertId)) as ReportSchedule;
  }

  /** Replaces the definition; the next due time follows the new `every`. */
  async replace(id: number, s: ScheduleInput, nextDue: EpochMs, now: EpochMs): Promise<ReportSchedule | null> {
    const sql = 'UPDATE qoe_report_schedules SET name = ?, kind = ?, params = ?, schedule = ?, webhook = ?, enabled = ?, next_due = ?, updated_at = ? WHERE id = ?';
    await this.sql.autocommit((db) => db.run(sql, [...values(s), nextDue, now, id]));
    return this.get(id);
  }

  async get(id: number): Promise<ReportSchedule | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM qoe_report_schedules WHERE id = ?', [id]));
    return row ? scheduleOf(row) : null;
  }

  async named(name: string): Promise<ReportSchedule | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM qoe_report_schedules WHERE name = ?', [name]));
    return row ? scheduleOf(row) : null;
  }

  async list(): Promise<ReportSchedule[]> {
    return (await this.sql.autocommit((db) => db.select('SELECT * FROM qoe_report_schedules ORDER BY id'))).map(scheduleOf);
  }

  async remove(id: number): Promise<boolean> {
    return (await this.sql.autocommit((db) => db.run('DELETE FROM qoe_report_schedules WHERE id = ?', [id]))).affected > 0;
  }

  /** Enabled schedules due at `now`, oldest due first. */
  async due(now: EpochMs, limit = 100): Promise<{ id: number; nextDue: EpochMs; every: string }[]> {
    const rows = await this.sql.autocommit((db) =>
      db.select(`SELECT id, next_due, schedule FROM qoe_report_schedules WHERE enabled = 1 AND next_due <= ? ORDER BY next_due LIMIT ${Math.floor(limit)}`, [now]),
    );
    return rows.map((r) => ({ id: Number(r.id), nextDue: Number(r.next_due), every: String(r.schedule) }));
  }

  /** Moves a schedule's next due time on, if it is still `from` (another sweep may have moved it already). */
  async advance(id: number, from: EpochMs, to: EpochMs): Promise<boolean> {
    return (await this.sql.autocommit((db) => db.run('UPDATE qoe_report_schedules SET next_due = ? WHERE id = ? AND next_due = ?', [to, id, from]))).affected > 0;
  }

  /** Claims due time `due` for a run: true for the one caller that moved last_due to it. */
  async claim(id: number, due: EpochMs): Promise<boolean> {
    const sql = 'UPDATE qoe_report_schedules SET last_due = ? WHERE id = ? AND (last_due IS NULL OR last_due < ?)';
    return (await this.sql.autocommit((db) => db.run(sql, [due, id, due]))).affected > 0;
  }

  /** Gives a claim back (the run failed before it emitted): a retry of the job may claim it again. */
  async unclaim(id: number, due: EpochMs, previous: EpochMs | null): Promise<void> {
    await this.sql.autocommit((db) => db.run('UPDATE qoe_report_schedules SET last_due = ? WHERE id = ? AND last_due = ?', [previous, id, due]));
  }

  async recordRun(id: number, at: EpochMs, error: string | null): Promise<void> {
    await this.sql.autocommit((db) => db.run('UPDATE qoe_report_schedules SET last_run_at = ?, last_error = ? WHERE id = ?', [at, error === null ? null : error.slice(0, 2000), id]));
  }
}
