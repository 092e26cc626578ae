/**
 * Devices' outcomes from their runs: a started device whose workflow run
 * ended takes the run's status (done, failed, cancelled) and reason. Read
 * from workflow_runs at every tick, so nothing depends on a notice that a
 * crash could lose.
 */
import type { Db } from '../db/sql';
import type { EpochMs, SqlAccess } from '../db/types';
import type { WorkflowRunner } from '../workflows/types';

/** Longest reason kept per device (a run's reason may quote a whole fault). */
const MAX_REASON = 1000;

function clip(reason: unknown): string | null {
  if (reason === null || reason === undefined) return null;
  const s = String(reason);
  return s.length > MAX_REASON ? `${s.slice(0, MAX_REASON)}…` : s;
}

/** Copies the outcome of every finished run to its device; returns how many finished. */
export async function recordOutcomes(sql: SqlAccess, campaignId: string, now: EpochMs): Promise<number> {
  return sql.transaction(async (db) => {
    const rows = await db.select(
      `SELECT cd.device_key, r.status, r.reason FROM campaign_devices cd JOIN workflow_runs r ON r.id = cd.run_id
       WHERE cd.campaign_id = ? AND cd.status = 'started' AND r.status IN ('done', 'failed', 'cancelled')`,
      [campaignId],
    );
    for (const r of rows) {
      await db.run("UPDATE campaign_devices SET status = ?, reason = ?, finished_at = ? WHERE campaign_id = ? AND device_key = ? AND status = 'started'", [
        String(r.status), clip(r.reason), now, campaignId, String(r.device_key),
      ]);
    }
    return rows.length;
  });
}

/**
 * A device marked started whose run id was never written (the tick died
 * between the two): the run it may have started is found by campaign and
 * device; without one, the device is pending again and starts next time.
 * Only called under the tick lease, so no other tick is between the two writes.
 */
export async function recoverUnlinked(sql: SqlAccess, campaignId: string): Promise<number> {
  return sql.transaction(async (db) => {
    const rows = await db.select("SELECT device_key FROM campaign_devices WHERE campaign_id = ? AND status = 'started' AND run_id IS NULL", [campaignId]);
    for (const r of rows) await relink(db, campaignId, String(r.device_key));
    return rows.length;
  });
}

async function relink(db: Db, campaignId: string, device: string): Promise<void> {
  const runs = await db.select('SELECT id FROM workflow_runs WHERE campaign_id = ? AND device_key = ? ORDER BY created_at DESC LIMIT 1', [campaignId, device]);
  if (runs.length > 0) {
    await db.run('UPDATE campaign_devices SET run_id = ? WHERE campaign_id = ? AND device_key = ?', [String(runs[0].id), campaignId, device]);
  } else {
    await db.run("UPDATE campaign_devices SET status = 'pending', started_at = NULL WHERE campaign_id = ? AND device_key = ?", [campaignId, device]);
  }
}

/** Cancels the runs of a cancelled campaign still in flight (their outcomes are recorded as they end). */
export async function cancelRuns(sql: SqlAccess, runner: WorkflowRunner, campaignId: string, batch = 100): Promise<number> {
  const rows = await sql.autocommit((db) =>
    db.select(`SELECT run_id FROM campaign_devices WHERE campaign_id = ? AND status = 'started' AND run_id IS NOT NULL LIMIT ${batch}`, [campaignId]),
  );
  await Promise.all(rows.map((r) => runner.cancel(String(r.run_id), 'campaign cancelled')));
  return rows.length;
}

/** Devices not started yet when the campaign is cancelled: skipped. */
export async function skipPending(db: Db, campaignId: string, reason: string, now: EpochMs): Promise<number> {
  const r = await db.run("UPDATE campaign_devices SET status = 'skipped', reason = ?, finished_at = ? WHERE campaign_id = ? AND status = 'pending'", [reason, now, campaignId]);
  return r.affected;
}
