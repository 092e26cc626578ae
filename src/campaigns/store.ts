/**
 * campaigns and campaign_devices in SQL: rows to values, and the reads and
 * conditional writes the service and the tick share. Status changes are
 * conditional on the status read (`WHERE status IN (...)`), so an operator's
 * pause and a tick's stop cannot overwrite each other.
 */
import type { Db, Row } from '../db/sql';
import type { EpochMs } from '../db/types';
import { DEVICE_OUTCOMES, type Campaign, type CampaignDevice, type CampaignSpec, type CampaignStatus, type DeviceOutcome, type StageProgress } from './types';

const COLUMNS = 'id, name, spec, status, reason, stage, selected, total, created_at, updated_at, finished_at';

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function campaignOfRow(r: Row): Campaign {
  return {
    id: String(r.id),
    name: String(r.name),
    spec: JSON.parse(String(r.spec)) as CampaignSpec,
    status: String(r.status) as CampaignStatus,
    reason: strOrNull(r.reason),
    stage: num(r.stage),
    total: num(r.total),
    selected: num(r.selected) === 1,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    finishedAt: numOrNull(r.finished_at),
  };
}

function deviceOfRow(r: Row): CampaignDevice {
  return {
    device: String(r.device_key),
    stage: num(r.stage),
    status: String(r.status) as DeviceOutcome,
    runId: strOrNull(r.run_id),
    reason: strOrNull(r.reason),
    startedAt: numOrNull(r.started_at),
    finishedAt: numOrNull(r.finished_at),
  };
}

export async function insertCampaign(db: Db, id: string, spec: CampaignSpec, status: CampaignStatus, now: EpochMs): Promise<void> {
  await db.run(
    `INSERT INTO campaigns (id, name, spec, status, reason, stage, selected, total, stage_started_at, stage_done_at, rate_tokens, rate_at, lease_until, created_at, updated_at, finished_at)
     VALUES (?, ?, ?, ?, NULL, 0, 0, 0, NULL, NULL, 0, NULL, NULL, ?, ?, NULL)`,
    [id, spec.name, JSON.stringify(spec), status, now, now],
  );
}

export async function getCampaign(db: Db, id: string): Promise<Campaign | null> {
  const rows = await db.select(`SELECT ${COLUMNS} FROM campaigns WHERE id = ?`, [id]);
  return rows.length > 0 ? campaignOfRow(rows[0]) : null;
}

/** Newest first, at most `limit`. */
export async function listCampaigns(db: Db, filter: { status?: CampaignStatus; limit: number }): Promise<Campaign[]> {
  const where = filter.status ? 'WHERE status = ?' : '';
  const rows = await db.select(`SELECT ${COLUMNS} FROM campaigns ${where} ORDER BY created_at DESC, id LIMIT ${filter.limit}`, filter.status ? [filter.status] : []);
  return rows.map(campaignOfRow);
}

export function emptyCounts(): Record<DeviceOutcome, number> {
  return Object.fromEntries(DEVICE_OUTCOMES.map((s) => [s, 0])) as Record<DeviceOutcome, number>;
}

/** Devices per stage and outcome. */
export async function stageProgress(db: Db, id: string): Promise<StageProgress[]> {
  const rows = await db.select('SELECT stage, status, COUNT(*) AS n FROM campaign_devices WHERE campaign_id = ? GROUP BY stage, status', [id]);
  const byStage = new Map<number, StageProgress>();
  for (const r of rows) {
    const stage = num(r.stage);
    const p = byStage.get(stage) ?? { stage, total: 0, counts: emptyCounts() };
    p.counts[String(r.status) as DeviceOutcome] += num(r.n);
    p.total += num(r.n);
    byStage.set(stage, p);
  }
  return [...byStage.values()].sort((a, b) => a.stage - b.stage);
}

/** Moves the campaign to `to` if its status is one of `from`; false when it was not. */
export async function setStatus(db: Db, id: string, from: readonly CampaignStatus[], to: CampaignStatus, reason: string | null, now: EpochMs): Promise<boolean> {
  const final = ['stopped', 'cancelled', 'done'].includes(to) ? now : null;
  const r = await db.run(
    `UPDATE campaigns SET status = ?, reason = ?, updated_at = ?, finished_at = COALESCE(finished_at, ?) WHERE id = ? AND status IN (${from.map(() => '?').join(',')})`,
    [to, reason, now, final, id, ...from],
  );
  return r.affected > 0;
}

/** One tick at a time per campaign, across processes: a lease in the row. */
export async function acquireLease(db: Db, id: string, now: EpochMs, leaseMs: number): Promise<boolean> {
  const r = await db.run('UPDATE campaigns SET lease_until = ? WHERE id = ? AND (lease_until IS NULL OR lease_until < ?)', [now + leaseMs, id, now]);
  return r.affected > 0;
}

export async function releaseLease(db: Db, id: string): Promise<void> {
  await db.run('UPDATE campaigns SET lease_until = NULL WHERE id = ?', [id]);
}

/** Campaigns a tick has work for: running ones, and others with runs in flight (their outcomes still come in). */
export async function activeCampaignIds(db: Db): Promise<string[]> {
  const rows = await db.select(
    `SELECT c.id FROM campaigns c WHERE c.status = 'running'
     OR (c.status IN ('paused', 'stopped', 'cancelled') AND EXISTS (SELECT 1 FROM campaign_devices cd WHERE cd.campaign_id = c.id AND cd.status = 'started'))
     ORDER BY c.created_at`,
  );
  return rows.map((r) => String(r.id));
}

/** The campaign's devices in key order after `after`, optionally of one outcome. */
export async function listDevices(db: Db, id: string, filter: { status?: DeviceOutcome; after?: string; limit: number }): Promise<CampaignDevice[]> {
  const params: unknown[] = [id];
  let where = 'campaign_id = ?';
  if (filter.status) {
    where += ' AND status = ?';
    params.push(filter.status);
  }
  if (filter.after !== undefined) {
    where += ' AND device_key > ?';
    params.push(filter.after);
  }
  const rows = await db.select(
    `SELECT device_key, stage, status, run_id, reason, started_at, finished_at FROM campaign_devices WHERE ${where} ORDER BY device_key LIMIT ${filter.limit}`,
    params,
  );
  return rows.map(deviceOfRow);
}

/** The tick's view of the campaign row (the columns the service does not show). */
export interface TickState {
  stageStartedAt: EpochMs | null;
  stageDoneAt: EpochMs | null;
  rateTokens: number;
  rateAt: EpochMs | null;
}

export async function tickState(db: Db, id: string): Promise<TickState> {
  const [r] = await db.select('SELECT stage_started_at, stage_done_at, rate_tokens, rate_at FROM campaigns WHERE id = ?', [id]);
  return { stageStartedAt: numOrNull(r.stage_started_at), stageDoneAt: numOrNull(r.stage_done_at), rateTokens: Number(r.rate_tokens), rateAt: numOrNull(r.rate_at) };
}
