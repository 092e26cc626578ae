/**
 * GET /devices?count: how many devices a search matches, in bounded time on
 * 100,000 devices and more.
 *
 * - No precondition (every device, or only last-Inform bounds): one SQL
 *   COUNT(*) over the devices table, exact.
 * - A precondition: its SQL is a pre-filter (db/device-query-sql.ts), so a
 *   COUNT(*) of it would count devices that do not match. The count walks the
 *   search's keyset pages instead, as the list does, and stops at COUNT_CAP
 *   matches ("more than 10,000") or after MAX_PAGES pages of candidates (a
 *   sparse search over a wide pre-filter: "at least n"); `exact` is false then.
 */
import { MAX_PAGE, queryDevicePage, searching, type CompiledDeviceQuery, type DevicePage } from '../../db/device-query';
import type { Position } from '../../db/device-order';
import type { SqlAccess } from '../../db/types';

/** Past this many matches the count says "more than" (count = COUNT_CAP, exact false). */
export const COUNT_CAP = 10_000;

export interface CountBounds {
  cap: number;
  /** Candidates read per page. */
  pageSize: number;
  /** Pages of candidates read at most: twice what one list request may read (devices.ts). */
  maxPages: number;
}

export const COUNT_BOUNDS: CountBounds = { cap: COUNT_CAP, pageSize: MAX_PAGE, maxPages: 20 };

export interface DeviceCount {
  count: number;
  /** False when counting stopped early: `count` devices match at least (and more than COUNT_CAP when count is COUNT_CAP). */
  exact: boolean;
}

async function countRows(sql: SqlAccess, q: CompiledDeviceQuery): Promise<number> {
  const rows = await searching(sql, q, (db) => db.select(`SELECT COUNT(*) AS n FROM devices d WHERE ${q.where.sql}`, q.where.params));
  return Number(rows[0]?.n ?? 0);
}

export async function countMatching(sql: SqlAccess, q: CompiledDeviceQuery, bounds: CountBounds = COUNT_BOUNDS): Promise<DeviceCount> {
  if (q.expr === null) return { count: await countRows(sql, q), exact: true };
  let count = 0;
  let after: Position | null = null;
  for (let pages = 0; pages < bounds.maxPages; pages++) {
    const page: DevicePage = await queryDevicePage(sql, q, { after, limit: bounds.pageSize });
    count += page.devices.length;
    if (count > bounds.cap) return { count: bounds.cap, exact: false };
    if (page.next === null) return { count, exact: true };
    after = page.next;
  }
  return { count, exact: false };
}
