/**
 * workflow_runs and workflow_events in SQL. Every change of a run is a
 * compare-and-set on its version: a write made from a stale read changes
 * nothing and says so (false), and the caller reads again.
 */
import type { SqlAccess } from '../db/types';
import type { Db, Row } from '../db/sql';
import type { DeviceKey, EpochMs } from '../db/types';
import type { RunState, RunStatus, WorkflowDef, WorkflowRun } from './types';

/** A run with what the engine needs besides its public view. */
export interface StoredRun extends WorkflowRun {
  version: number;
  state: RunState;
  definition: WorkflowDef;
}

/** An event or CPE request of a committed session, as waiting runs read them. */
export interface DeviceNews {
  sessionId: string;
  time: EpochMs;
  kind: 'event' | 'request';
  /** Event code or request method. */
  name: string;
  commandKey: string;
  detail: Record<string, unknown> | null;
}

const COLUMNS = 'id, device_key, workflow, args, status, step, reason, output, state, definition, version, campaign_id, campaign_stage, created_at, updated_at';

function json<T>(v: unknown, fallback: T): T {
  return typeof v === 'string' && v !== '' ? (JSON.parse(v) as T) : fallback;
}

function num(v: unknown): number {
  return Number(v);
}

export function runOfRow(r: Row): StoredRun {
  return {
    id: String(r.id),
    device: String(r.device_key),
    workflow: String(r.workflow),
    args: json(r.args, {}),
    status: String(r.status) as RunStatus,
    step: r.step === null ? null : String(r.step),
    reason: r.reason === null ? null : String(r.reason),
    output: json(r.output, {}),
    campaignId: r.campaign_id === null ? null : String(r.campaign_id),
    campaignStage: r.campaign_stage === null ? null : num(r.campaign_stage),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    version: num(r.version),
    state: json(r.state, {} as RunState),
    definition: json(r.definition, {} as WorkflowDef),
  };
}

/** The public view of a run (no working state). */
export function publicRun(run: StoredRun): WorkflowRun {
  const { version: _v, state: _s, definition: _d, ...view } = run;
  return view;
}

export class RunStore {
  constructor(private readonly sql: SqlAccess) {}

  async insert(run: StoredRun): Promise<void> {
    await this.sql.transaction((db) =>
      db.run(`INSERT INTO workflow_runs (${COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, [
        run.id, run.device, run.workflow, JSON.stringify(run.args), run.status, run.step, run.reason, JSON.stringify(run.output),
        JSON.stringify(run.state), JSON.stringify(run.definition), run.version, run.campaignId, run.campaignStage, run.createdAt, run.updatedAt,
      ]),
    );
  }

  async get(id: string): Promise<StoredRun | null> {
    const rows = await this.sql.autocommit((db) => db.select(`SELECT ${COLUMNS} FROM workflow_runs WHERE id = ?`, [id]));
    return rows.length > 0 ? runOfRow(rows[0]) : null;
  }

  async list(filter: { device?: DeviceKey; status?: RunStatus; workflow?: string; campaign?: string; limit?: number }): Promise<StoredRun[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown): void => void (where.push(sql), params.push(v));
    if (filter.device !== undefined) add('device_key = ?', filter.device);
    if (filter.status !== undefined) add('status = ?', filter.status);
    if (filter.workflow !== undefined) add('workflow = ?', filter.workflow);
    if (filter.campaign !== undefined) add('campaign_id = ?', filter.campaign);
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 1000));
    const sql = `SELECT ${COLUMNS} FROM workflow_runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ${limit}`;
    return (await this.sql.autocommit((db) => db.select(sql, params))).map(runOfRow);
  }

  /** Runs of a device that are not final. */
  async active(device: DeviceKey): Promise<StoredRun[]> {
    const rows = await this.sql.autocommit((db) => db.select(`SELECT ${COLUMNS} FROM workflow_runs WHERE device_key = ? AND status IN ('running','waiting')`, [device]));
    return rows.map(runOfRow);
  }

  /** Every run not final (recovery at worker start-up). */
  async allActive(limit = 10_000): Promise<{ id: string; version: number }[]> {
    const rows = await this.sql.autocommit((db) => db.select(`SELECT id, version FROM workflow_runs WHERE status IN ('running','waiting') LIMIT ${limit}`));
    return rows.map((r) => ({ id: String(r.id), version: num(r.version) }));
  }

  /** Writes the run's new status, step, state and output if its version is still `run.version`; the stored version becomes version + 1. */
  async update(run: StoredRun, now: EpochMs): Promise<boolean> {
    const { affected } = await this.sql.transaction((db: Db) =>
      db.run('UPDATE workflow_runs SET status = ?, step = ?, reason = ?, output = ?, state = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?', [
        run.status, run.step, run.reason, JSON.stringify(run.output), JSON.stringify(run.state), run.version + 1, now, run.id, run.version,
      ]),
    );
    return affected === 1;
  }

  async addNews(device: DeviceKey, news: DeviceNews[], keepSince: EpochMs): Promise<void> {
    await this.sql.transaction(async (db) => {
      await db.run('DELETE FROM workflow_events WHERE device_key = ? AND time < ?', [device, keepSince]);
      for (const n of news) {
        await db.run('INSERT INTO workflow_events (device_key, session_id, time, kind, name, command_key, detail) VALUES (?,?,?,?,?,?,?)', [
          device, n.sessionId, n.time, n.kind, n.name.slice(0, 64), n.commandKey.slice(0, 255), n.detail === null ? null : JSON.stringify(n.detail),
        ]);
      }
    });
  }

  /** Events and requests of the device's sessions since `since`, oldest first. */
  async newsSince(device: DeviceKey, since: EpochMs): Promise<DeviceNews[]> {
    const rows = await this.sql.autocommit((db) => db.select('SELECT session_id, time, kind, name, command_key, detail FROM workflow_events WHERE device_key = ? AND time >= ? ORDER BY time, id', [device, since]));
    return rows.map((r) => ({
      sessionId: String(r.session_id),
      time: num(r.time),
      kind: r.kind === 'request' ? 'request' : 'event',
      name: String(r.name),
      commandKey: String(r.command_key),
      detail: json(r.detail, null),
    }));
  }
}
