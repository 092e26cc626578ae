/**
 * Starting the next devices of a stage: as many as the rate, the in-flight
 * limit and the window allow. The rate is a token bucket kept in the
 * campaign row (refilled at ratePerMinute / 60 per second, holding at most
 * BURST_SECONDS of starts, so late ticks catch up a little and no more),
 * with a hard cap of ratePerMinute starts in any 60 s.
 *
 * Each device is claimed (pending → started) before its run is started, and
 * its run id written after: a crash between the two is repaired by
 * outcomes.ts recoverUnlinked, never by starting a device twice.
 */
import type { Db } from '../db/sql';
import type { DeviceKey, EpochMs, SqlAccess } from '../db/types';
import { placeholders } from '../db/sql';
import type { Logger } from '../log';
import type { WorkflowRunner } from '../workflows/types';
import { runStart } from './action';
import type { Campaign } from './types';
import { inWindow, parseZone, TIMEZONE_PATHS, type Zone } from './window';

export const BURST_SECONDS = 5;

export interface StartDeps {
  sql: SqlAccess;
  runner: WorkflowRunner;
  log: Logger;
  /** Most pending devices looked at per tick when a window with device zones filters them. */
  scanLimit: number;
  /** Runs started at once. */
  startConcurrency: number;
}

interface Bucket {
  tokens: number;
  at: EpochMs;
}

function refill(c: Campaign, bucket: { rateTokens: number; rateAt: EpochMs | null }, now: EpochMs): Bucket {
  const perMs = c.spec.ratePerMinute / 60_000;
  const cap = Math.max(1, perMs * 1000 * BURST_SECONDS);
  if (bucket.rateAt === null) return { tokens: Math.max(1, perMs * 1000), at: now };
  return { tokens: Math.min(cap, bucket.rateTokens + Math.max(0, now - bucket.rateAt) * perMs), at: now };
}

async function count(db: Db, sql: string, params: unknown[]): Promise<number> {
  const [r] = await db.select(sql, params);
  return Number(r.n);
}

/** How many devices may start now, and the refilled bucket. */
async function budget(sql: SqlAccess, c: Campaign, bucket: { rateTokens: number; rateAt: EpochMs | null }, now: EpochMs): Promise<{ n: number; bucket: Bucket }> {
  const b = refill(c, bucket, now);
  return sql.autocommit(async (db) => {
    const inFlight = await count(db, "SELECT COUNT(*) AS n FROM campaign_devices WHERE campaign_id = ? AND status = 'started'", [c.id]);
    const lastMinute = await count(db, 'SELECT COUNT(*) AS n FROM campaign_devices WHERE campaign_id = ? AND started_at > ?', [c.id, now - 60_000]);
    const n = Math.floor(Math.min(c.spec.maxInFlight - inFlight, b.tokens, c.spec.ratePerMinute - lastMinute));
    return { n: Math.max(0, n), bucket: b };
  });
}

async function pendingDevices(db: Db, c: Campaign, limit: number): Promise<DeviceKey[]> {
  const rows = await db.select(
    `SELECT device_key FROM campaign_devices WHERE campaign_id = ? AND stage = ? AND status = 'pending' ORDER BY ord LIMIT ${limit}`,
    [c.id, c.stage],
  );
  return rows.map((r) => String(r.device_key));
}

/** Each device's zone from its cached parameters (first of TIMEZONE_PATHS that parses). */
async function deviceZones(db: Db, devices: DeviceKey[]): Promise<Map<DeviceKey, Zone>> {
  const rows = await db.select(
    `SELECT d.device_key, p.path, p.value FROM devices d JOIN device_parameters p ON p.device_id = d.id
     WHERE d.device_key IN ${placeholders(devices.length)} AND p.path IN ${placeholders(TIMEZONE_PATHS.length)} AND p.value IS NOT NULL`,
    [...devices, ...TIMEZONE_PATHS],
  );
  const zones = new Map<DeviceKey, Zone>();
  const rank = (p: string) => TIMEZONE_PATHS.indexOf(p);
  const sorted = [...rows].sort((a, b) => rank(String(a.path)) - rank(String(b.path)));
  for (const r of sorted) {
    const key = String(r.device_key);
    if (zones.has(key)) continue;
    const zone = parseZone(String(r.value));
    if (zone) zones.set(key, zone);
  }
  return zones;
}

/** The next devices to start: `n` pending ones of the stage, those inside the window if there is one. */
async function chooseDevices(deps: StartDeps, c: Campaign, n: number, now: EpochMs): Promise<DeviceKey[]> {
  const w = c.spec.window;
  if (w && !w.deviceTimezone && !inWindow(w, now, null)) return [];
  return deps.sql.autocommit(async (db) => {
    if (!w || !w.deviceTimezone) return pendingDevices(db, c, n);
    const scanned = await pendingDevices(db, c, Math.max(n, deps.scanLimit));
    if (scanned.length === 0) return [];
    const zones = await deviceZones(db, scanned);
    return scanned.filter((d) => inWindow(w, now, zones.get(d) ?? null)).slice(0, n);
  });
}

/** Claims, starts and links one device; returns whether a run started. */
async function startOne(deps: StartDeps, c: Campaign, device: DeviceKey, now: EpochMs): Promise<boolean> {
  const claimed = await deps.sql.transaction((db) =>
    db.run("UPDATE campaign_devices SET status = 'started', started_at = ? WHERE campaign_id = ? AND device_key = ? AND status = 'pending'", [now, c.id, device]),
  );
  if (claimed.affected === 0) return false; // cancelled meanwhile
  try {
    const run = await deps.runner.start(runStart(c.id, c.spec, device, c.stage));
    await deps.sql.transaction((db) => db.run('UPDATE campaign_devices SET run_id = ? WHERE campaign_id = ? AND device_key = ?', [run.id, c.id, device]));
    return true;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    // A device gone since the snapshot is skipped; anything else the runner refuses counts as a failure of the stage.
    const status = e.code === 'ACS_ERR_NOT_FOUND' ? 'skipped' : 'failed';
    deps.log.warn({ campaign: c.id, device, err }, 'campaign could not start a run');
    await deps.sql.transaction((db) =>
      db.run('UPDATE campaign_devices SET status = ?, reason = ?, finished_at = ? WHERE campaign_id = ? AND device_key = ?', [status, `not started: ${e.message ?? String(err)}`, now, c.id, device]),
    );
    return false;
  }
}

/** Starts what the limits allow; returns how many devices were taken (started or failed to start). */
export async function startDevices(deps: StartDeps, c: Campaign, bucket: { rateTokens: number; rateAt: EpochMs | null }, now: EpochMs): Promise<number> {
  const { n, bucket: b } = await budget(deps.sql, c, bucket, now);
  const devices = n > 0 ? await chooseDevices(deps, c, n, now) : [];
  for (let i = 0; i < devices.length; i += deps.startConcurrency) {
    await Promise.all(devices.slice(i, i + deps.startConcurrency).map((d) => startOne(deps, c, d, now)));
  }
  await deps.sql.transaction((db) => db.run('UPDATE campaigns SET rate_tokens = ?, rate_at = ? WHERE id = ?', [b.tokens - devices.length, b.at, c.id]));
  return devices.length;
}
