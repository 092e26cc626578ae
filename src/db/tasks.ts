/**
 * The tasks table: every device's persisted queue of requests, and what
 * became of them. A session takes its device's open tasks (queued, or sent by
 * a session that ended without their answer) when it opens; the commit of the
 * session that got an answer finishes them (at least once: a task leaves the
 * queue only with its answer, ARCHITECTURE.md invariant 7).
 */
import type { CpeRequest, XsdType } from '../cwmp/soap/types';
import type { Task, TaskFault, TaskName, TaskProgress, TaskSpec, TaskStatus, TaskTiming } from '../tasks/types';
import { FINISHED } from '../tasks/types';
import type { DeviceKey, EpochMs, ExpiredTask, PendingRequest, SqlAccess, TaskOutcome } from './types';
import { chunks, placeholders, retryable, type Db, type Row, type Statement } from './sql';

const OPEN = `status IN ('queued', 'sent')`;
const FINISHED_SQL = `(${FINISHED.map((s) => `'${s}'`).join(', ')})`;

/** What a new task is stored with. */
export interface NewTask {
  device: DeviceKey;
  spec: TaskSpec;
  timing: TaskTiming;
  idempotencyKey: string | null;
  now: EpochMs;
}

/** Stores a task without a key; returns its id. */
export async function insertTask(db: Db, device: DeviceKey, spec: TaskSpec, timing: TaskTiming, now: EpochMs): Promise<number> {
  return (await storeTask(db, { device, spec, timing, idempotencyKey: null, now })).id;
}

/**
 * Stores a task in one statement and returns it as getTask would read it,
 * without reading it back. A repeated idempotency key fails on the unique
 * index (see isDuplicateKey): the caller reads the existing task instead.
 */
export async function storeTask(db: Db, t: NewTask): Promise<Task> {
  const { sql, params } = taskInsert(t);
  return storedTask(t, (await db.run(sql, params)).insertId);
}

/** The INSERT storing a new task (storeTask's, for a caller that sends it its own way). */
export function taskInsert(t: NewTask): Statement {
  const sql = `INSERT INTO tasks (device_key, name, args, request, status, created_at, updated_at, due_at, expires_at, idempotency_key)
    VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)`;
  const request = t.spec.request ? JSON.stringify(t.spec.request) : null;
  return { sql, params: [t.device, t.spec.name, JSON.stringify(t.spec.args), request, t.now, t.now, t.timing.due ?? null, t.timing.expiry ?? null, t.idempotencyKey] };
}

/** The task taskInsert stored, as getTask would read it. */
export function storedTask(t: NewTask, id: number): Task {
  return {
    id,
    device: t.device,
    name: t.spec.name,
    // As stored: what a later read gives (no undefined fields).
    args: JSON.parse(JSON.stringify(t.spec.args)) as Record<string, unknown>,
    status: 'queued',
    createdAt: t.now,
    due: t.timing.due ?? null,
    expiry: t.timing.expiry ?? null,
    updatedAt: t.now,
    sessionId: null,
    result: null,
    fault: null,
    retries: 0,
    idempotencyKey: t.idempotencyKey,
  };
}

/** The device's task created with `key`, if any (finished ones included, until the retention sweep deletes them). */
export async function taskByKey(db: Db, device: DeviceKey, key: string): Promise<Task | null> {
  const [row] = await db.select('SELECT * FROM tasks WHERE device_key = ? AND idempotency_key = ?', [device, key]);
  return row ? taskOf(row) : null;
}

/**
 * The read that says whether the device exists (no row: no such device) and,
 * in the same query, the xsd types its cached model holds for `paths` (the
 * device's own word on the types of a setParameterValues' values); its rows
 * go to deviceTypesOf. One statement: a task POST is a hot path.
 */
export function deviceTypesRead(device: DeviceKey, paths: readonly string[]): Statement {
  if (paths.length === 0) return { sql: 'SELECT 1 AS x FROM devices WHERE device_key = ?', params: [device] };
  const sql = `SELECT p.path, p.type FROM devices d
    LEFT JOIN device_parameters p ON p.device_id = d.id AND p.path IN ${placeholders(paths.length)}
    WHERE d.device_key = ?`;
  return { sql, params: [...paths, device] };
}

/** What deviceTypesRead's rows say: null for no such device, else the types by path. */
export function deviceTypesOf(rows: Row[]): Map<string, XsdType> | null {
  if (rows.length === 0) return null;
  return new Map(rows.flatMap((r) => (r.path != null && r.type != null ? [[String(r.path), String(r.type) as XsdType] as const] : [])));
}

/** A unique index refused the row: MySQL/MariaDB ER_DUP_ENTRY, or SQLite's UNIQUE constraint. */
export function isDuplicateKey(err: unknown): boolean {
  const driverError = (err as { driverError?: { errno?: unknown; code?: unknown } } | null)?.driverError;
  return driverError?.errno === 1062 || driverError?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The read of a device's open tasks, oldest first, those not due yet included (the session keeps them for later); see openTasksOf. */
export function openTasksRead(device: DeviceKey): Statement {
  return { sql: `SELECT * FROM tasks WHERE device_key = ? AND ${OPEN} ORDER BY id`, params: [device] };
}

/**
 * The open tasks openTasksRead read, as pending requests. Tasks whose expiry
 * passed become expired first: an expired task is never sent. Only then is
 * there a statement to send: the common session reads its queue in one.
 */
export async function openTasksOf(sql: SqlAccess, rows: Row[], now: EpochMs, onExpired?: (tasks: ExpiredTask[]) => void): Promise<PendingRequest[]> {
  const due = rows.filter((r) => r.expires_at !== null && Number(r.expires_at) <= now);
  if (due.length > 0) {
    const expired = await sql.autocommit((db) => expireTasks(db, due, now));
    if (expired.length > 0) onExpired?.(expired);
  }
  return rows.filter((r) => !due.includes(r)).map(pendingOf);
}

/**
 * Marks open tasks expired, one statement each: only those this call moved
 * are answered, so a task expired at once by a session and by the sweep is
 * told of once. Few tasks expire; most never have an expiry.
 */
async function expireTasks(db: Db, rows: Row[], now: EpochMs): Promise<ExpiredTask[]> {
  const expired: ExpiredTask[] = [];
  for (const r of rows) {
    const moved = await db.run(`UPDATE tasks SET status = 'expired', updated_at = ? WHERE id = ? AND ${OPEN}`, [now, r.id]);
    if (moved.affected > 0) expired.push({ id: Number(r.id), deviceKey: String(r.device_key) as DeviceKey, expiresAt: Number(r.expires_at) });
  }
  return expired;
}

/** A task cut between two RPCs resumes with its next request (see TaskProgress), not its first. */
function pendingOf(row: Row): PendingRequest {
  const task = taskOf(row);
  const progress = json<TaskProgress | null>(row.progress, null);
  return {
    id: task.id,
    deviceKey: task.device,
    request: progress?.next ?? json<CpeRequest | null>(row.request, null),
    ...(progress ? { earlier: progress.earlier } : {}),
    createdAt: task.createdAt,
    due: task.due,
    task: { id: task.id, name: task.name, args: task.args, expiry: task.expiry },
  };
}

export interface SentMark {
  id: number;
  sessionId: string;
  now: EpochMs;
}

/**
 * Tasks handed to their sessions, shown as sent; several sessions' marks at
 * once (they are coalesced, so a mark may land after its session ended). Only
 * a task still queued and unchanged since its session took it: a commit that
 * finished it, or a retry that queued it again, keeps its status. One
 * statement per 500 tasks.
 */
export async function markSentMany(db: Db, marks: SentMark[]): Promise<void> {
  for (const batch of chunks(marks, 500)) {
    const cases = batch.map(() => 'WHEN ? THEN ?').join(' ');
    const sql = `UPDATE tasks SET status = 'sent', session_id = CASE id ${cases} END, updated_at = CASE id ${cases} END
      WHERE status = 'queued' AND id IN ${placeholders(batch.length)} AND updated_at <= CASE id ${cases} END`;
    const times = batch.flatMap((m) => [m.id, m.now]);
    await db.run(sql, [...batch.flatMap((m) => [m.id, m.sessionId]), ...times, ...batch.map((m) => m.id), ...times]);
  }
}

/**
 * markSentMany in its own statements, run again after a deadlock (it is safe
 * to: a task already marked is no longer queued). Its rows are locked in id
 * order, a session's commit locks its tasks in its own order: seen once in
 * 50,000 soak sessions.
 */
export function markTasksSent(sql: SqlAccess, marks: SentMark[]): Promise<void> {
  return retryable(() => sql.autocommit((db) => markSentMany(db, marks)));
}

/**
 * A session's answers: each task done (with its result) or faulted, or its
 * progress kept (a task of several RPCs that got one answer). Scoped to the
 * device, so a stray id cannot touch another device's task, and to open
 * tasks, so a task cancelled meanwhile stays cancelled. A progress that a
 * later outcome of the same session supersedes is not written.
 */
export function finishTasks(db: Db, device: DeviceKey, sessionId: string, outcomes: TaskOutcome[], now: EpochMs): void {
  for (const [i, o] of outcomes.entries()) {
    if (o.status === 'sent') {
      if (outcomes.slice(i + 1).some((later) => later.id === o.id)) continue;
      db.later(`UPDATE tasks SET progress = ? WHERE id = ? AND device_key = ? AND ${OPEN}`, [JSON.stringify(o.progress), o.id, device]);
      continue;
    }
    const sql = `UPDATE tasks SET status = ?, result = ?, fault = ?, session_id = ?, updated_at = ? WHERE id = ? AND device_key = ? AND ${OPEN}`;
    const result = o.result === undefined ? null : JSON.stringify(o.result);
    db.later(sql, [o.status, result, o.fault ? JSON.stringify(o.fault) : null, sessionId, now, o.id, device]);
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
  // A retried task starts over from its first request.
  const extra = reset ? ', result = NULL, fault = NULL, session_id = NULL, retries = retries + 1, expires_at = NULL, due_at = NULL, progress = NULL' : '';
  const sql = `UPDATE tasks SET status = ?, updated_at = ?${extra} WHERE id = ? AND status IN ${placeholders(from.length)}`;
  return (await db.run(sql, [to, now, id, ...from])).affected > 0;
}

/** Open tasks past their expiry become expired (`batch` at most); finished tasks older than the retention go. Returns the expired tasks and the count deleted. */
export async function sweepTasks(db: Db, now: EpochMs, retentionMs: number, batch = 1000): Promise<{ expired: ExpiredTask[]; deleted: number }> {
  const due = await db.select(`SELECT id, device_key, expires_at FROM tasks WHERE ${OPEN} AND expires_at <= ? ORDER BY expires_at LIMIT ${batch}`, [now]);
  const expired = await expireTasks(db, due, now);
  const old = await db.select(`SELECT id FROM tasks WHERE status IN ${FINISHED_SQL} AND updated_at < ? ORDER BY updated_at LIMIT ${batch}`, [now - retentionMs]);
  const ids = old.map((r) => Number(r.id));
  if (ids.length > 0) await db.run(`DELETE FROM tasks WHERE id IN ${placeholders(ids.length)}`, ids);
  return { expired, deleted: ids.length };
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
    idempotencyKey: row.idempotency_key == null ? null : String(row.idempotency_key),
  };
}
