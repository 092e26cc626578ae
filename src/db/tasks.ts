/**
 * The tasks table: every device's persisted queue of requests, and what
 * became of them. A session takes its device's open tasks (queued, or sent by
 * a session that ended without their answer) when it opens; the commit of the
 * session that got an answer finishes them (at least once: a task leaves the
 * queue only with its answer, ARCHITECTURE.md invariant 7).
 */
import type { CpeRequest } from '../cwmp/soap/types';
import type { Task, TaskFault, TaskName, TaskSpec, TaskStatus, TaskTiming } from '../tasks/types';
import { FINISHED } from '../tasks/types';
import type { DeviceKey, EpochMs, PendingRequest, TaskOutcome } from './types';
import { chunks, placeholders, type Db, type Row } from './sql';

const OPEN = `status IN ('queued', 'sent')`;
const FINISHED_SQL = `(${FINISHED.map((s) => `'${s}'`).join(', ')})`;

export async function insertTask(db: Db, device: DeviceKey, spec: TaskSpec, timing: TaskTiming, now: EpochMs): Promise<number> {
  const sql = `INSERT INTO tasks (device_key, name, args, request, status, created_at, updated_at, due_at, expires_at)
    VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)`;
  const request = spec.request ? JSON.stringify(spec.request) : null;
  const { insertId } = await db.run(sql, [device, spec.name, JSON.stringify(spec.args), request, now, now, timing.due ?? null, timing.expiry ?? null]);
  return insertId;
}

/**
 * A device's open tasks, oldest first, those not due yet included (the
 * session keeps them for later). Tasks whose expiry passed become expired
 * first: an expired task is never sent.
 */
export async function openTasks(db: Db, device: DeviceKey, now: EpochMs): Promise<PendingRequest[]> {
  await db.run(`UPDATE tasks SET status = 'expired', updated_at = ? WHERE device_key = ? AND ${OPEN} AND expires_at <= ?`, [now, device, now]);
  const rows = await db.select(`SELECT * FROM tasks WHERE device_key = ? AND ${OPEN} ORDER BY id`, [device]);
  return rows.map(pendingOf);
}

function pendingOf(row: Row): PendingRequest {
  const task = taskOf(row);
  return {
    id: task.id,
    deviceKey: task.device,
    request: row.request === null ? null : (JSON.parse(String(row.request)) as CpeRequest),
    createdAt: task.createdAt,
    due: task.due,
    task: { id: task.id, name: task.name, args: task.args, expiry: task.expiry },
  };
}

/** Handed to a session: shown as sent. Only queued ones: a commit that finished a task first keeps its status. */
export async function markSent(db: Db, ids: number[], sessionId: string, now: EpochMs): Promise<void> {
  for (const batch of chunks(ids, 500)) {
    await db.run(`UPDATE tasks SET status = 'sent', session_id = ?, updated_at = ? WHERE status = 'queued' AND id IN ${placeholders(batch.length)}`, [
      sessionId, now, ...batch,
    ]);
  }
}

/**
 * A session's answers: each task done (with its result) or faulted. Scoped to
 * the device, so a stray id cannot finish another device's task, and to open
 * tasks, so a task cancelled meanwhile stays cancelled.
 */
export async function finishTasks(db: Db, device: DeviceKey, sessionId: string, outcomes: TaskOutcome[], now: EpochMs): Promise<void> {
  for (const o of outcomes) {
    const sql = `UPDATE tasks SET status = ?, result = ?, fault = ?, session_id = ?, updated_at = ? WHERE id = ? AND device_key = ? AND ${OPEN}`;
    const result = o.result === undefined ? null : JSON.stringify(o.result);
    await db.run(sql, [o.status, result, o.fault ? JSON.stringify(o.fault) : null, sessionId, now, o.id, device]);
  }
}

export async function getTask(db: Db, id: number): Promise<Task | null> {
  const [row] = await db.select('SELECT * FROM tasks WHERE id = ?', [id]);
  return row ? taskOf(row) : null;
}

export interface TaskFilter {
  device?: DeviceKey;
  status?: TaskStatus;
  /** Keyset paging: tasks with a smaller id (newest first). */
  before?: number;
  limit: number;
}

/** Newest first. */
export async function listTasks(db: Db, filter: TaskFilter): Promise<Task[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.device !== undefined) (where.push('device_key = ?'), params.push(filter.device));
  if (filter.status !== undefined) (where.push('status = ?'), params.push(filter.status));
  if (filter.before !== undefined) (where.push('id < ?'), params.push(filter.before));
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const rows = await db.select(`SELECT * FROM tasks ${clause} ORDER BY id DESC LIMIT ${Math.floor(filter.limit)}`, params);
  return rows.map(taskOf);
}

/** Moves a task from one of `from` to `to`; false when it was in none of them (or does not exist). */
export async function moveTask(db: Db, id: number, from: readonly TaskStatus[], to: TaskStatus, now: EpochMs, reset = false): Promise<boolean> {
  const extra = reset ? ', result = NULL, fault = NULL, session_id = NULL, retries = retries + 1, expires_at = NULL, due_at = NULL' : '';
  const sql = `UPDATE tasks SET status = ?, updated_at = ?${extra} WHERE id = ? AND status IN ${placeholders(from.length)}`;
  return (await db.run(sql, [to, now, id, ...from])).affected > 0;
}

/** Open tasks past their expiry become expired; finished tasks older than the retention go. Returns both counts. */
export async function sweepTasks(db: Db, now: EpochMs, retentionMs: number, batch = 1000): Promise<{ expired: number; deleted: number }> {
  const expired = await db.run(`UPDATE tasks SET status = 'expired', updated_at = ? WHERE ${OPEN} AND expires_at <= ?`, [now, now]);
  const old = await db.select(`SELECT id FROM tasks WHERE status IN ${FINISHED_SQL} AND updated_at < ? ORDER BY updated_at LIMIT ${batch}`, [now - retentionMs]);
  const ids = old.map((r) => Number(r.id));
  if (ids.length > 0) await db.run(`DELETE FROM tasks WHERE id IN ${placeholders(ids.length)}`, ids);
  return { expired: expired.affected, deleted: ids.length };
}

function json<T>(value: unknown, fallback: T): T {
  return value === null || value === undefined ? fallback : (JSON.parse(String(value)) as T);
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function taskOf(row: Row): Task {
  return {
    id: Number(row.id),
    device: String(row.device_key),
    name: String(row.name) as TaskName,
    args: json<Record<string, unknown>>(row.args, {}),
    status: String(row.status) as TaskStatus,
    createdAt: Number(row.created_at),
    due: numberOrNull(row.due_at),
    expiry: numberOrNull(row.expires_at),
    updatedAt: Number(row.updated_at),
    sessionId: row.session_id === null ? null : String(row.session_id),
    result: json<unknown>(row.result, null),
    fault: json<TaskFault | null>(row.fault, null),
    retries: Number(row.retries ?? 0),
  };
}
