/**
 * GET /stats/fleet/summary's answer: the fleet now. Devices known and online
 * (informed in the last `onlineMinutes`) from the devices table; Informs per
 * minute over the last 5 minutes and the last 24 h's totals from the fleet
 * statistics; running campaigns; the provisioning faults open now, by
 * channel and code (channel_faults).
 *
 * last_inform has no index on purpose (BENCHMARKS.md: it changes at every
 * Inform), so "online" is a scan of the devices table: tens of milliseconds
 * at 100,000 devices, for a page that asks every few seconds at most.
 */
import type { Redis } from 'ioredis';
import type { Db } from '../db/sql';
import type { SqlAccess } from '../db/types';
import { fleetHistory } from './history';
import type { FleetSummary, SeriesMap } from './types';

/** The window Informs per minute is the mean of (the current minute counts, partly). */
const RATE_MINUTES = 5;
const DAY_MS = 24 * 3600_000;
/** Most (channel, code) pairs listed: the largest first. */
export const MAX_FAULT_ROWS = 100;

const count = async (db: Db, sql: string, params: unknown[] = []): Promise<number> => Number((await db.select(sql, params))[0]?.n ?? 0);

async function tables(db: Db, onlineSince: number): Promise<Pick<FleetSummary, 'campaigns' | 'faults'> & { known: number; online: number }> {
  const known = await count(db, 'SELECT COUNT(*) AS n FROM devices');
  const online = await count(db, 'SELECT COUNT(*) AS n FROM devices WHERE last_inform >= ?', [onlineSince]);
  const running = await count(db, "SELECT COUNT(*) AS n FROM campaigns WHERE status = 'running'");
  const rows = await db.select(
    `SELECT channel, code, COUNT(*) AS devices FROM channel_faults GROUP BY channel, code ORDER BY devices DESC, channel, code LIMIT ${MAX_FAULT_ROWS}`,
  );
  const faults = rows.map((r) => ({ channel: String(r.channel), code: String(r.code), devices: Number(r.devices) }));
  return { known, online, campaigns: { running }, faults };
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Each series' total, the series that counted nothing left out. */
function totals(m: SeriesMap): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, values] of Object.entries(m)) {
    const n = sum(values);
    if (n !== 0) out[k] = n;
  }
  return out;
}

export async function fleetSummary(redis: Redis, sql: SqlAccess, redisPrefix: string, onlineMinutes: number, now = Date.now()): Promise<FleetSummary> {
  const [db, recent, day] = await Promise.all([
    sql.autocommit((d) => tables(d, now - onlineMinutes * 60_000)),
    fleetHistory(redis, sql, redisPrefix, { fromMs: now - (RATE_MINUTES - 1) * 60_000, toMs: now, step: '1m' }),
    fleetHistory(redis, sql, redisPrefix, { fromMs: now - DAY_MS, toMs: now, step: '5m' }),
  ]);
  return {
    time: new Date(now).toISOString(),
    devices: { known: db.known, online: db.online, onlineMinutes },
    informsPerMinute: Math.round((sum(recent.informs) / RATE_MINUTES) * 10) / 10,
    last24h: { informs: sum(day.informs), sessions: totals(day.sessions), cpeFaults: totals(day.cpeFaults), channelFaults: totals(day.channelFaults) },
    campaigns: db.campaigns,
    faults: db.faults,
  };
}
