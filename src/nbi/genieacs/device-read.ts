/**
 * The rows a page of GenieACS device documents is made of, three reads for
 * the whole page: the devices, their tags, and the cached rows the
 * projection needs (all of them without one). The device list of our own API
 * (db/device-list.ts) reads leaves' values only; a GenieACS document also
 * shows objects, writability and read times.
 */
import { PARAMETER_COLUMNS, rowToParameter } from '../../db/param-table';
import { prefixCondition } from '../../db/paths';
import { placeholders, type Db } from '../../db/sql';
import type { CachedParameter, DeviceKey, SqlAccess } from '../../db/types';
import type { DeviceRecord, ParameterNeed } from './device-document';

const time = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The condition on p.path for a projection's paths: each one itself and its subtree. */
function pathCondition(paths: string[]): { sql: string; params: unknown[] } {
  const parts = paths.map((path) => {
    const below = prefixCondition(`${path}.`, 'p.path');
    return { sql: `(p.path = ? OR (${below.sql}))`, params: [path, ...below.params] };
  });
  return { sql: parts.map((p) => p.sql).join(' OR '), params: parts.flatMap((p) => p.params) };
}

async function parametersOf(db: Db, ids: number[], need: ParameterNeed): Promise<Map<number, CachedParameter[]>> {
  const byDevice = new Map<number, CachedParameter[]>(ids.map((id) => [id, []]));
  if (!need.all && need.paths.length === 0) return byDevice;
  const where = need.all ? { sql: '1=1', params: [] } : pathCondition(need.paths);
  const columns = PARAMETER_COLUMNS.split(', ').map((c) => `p.${c}`).join(', ');
  const rows = await db.select(
    `SELECT p.device_id, ${columns} FROM device_parameters p WHERE p.device_id IN ${placeholders(ids.length)} AND (${where.sql}) ORDER BY p.device_id, p.path`,
    [...ids, ...where.params],
  );
  for (const r of rows) byDevice.get(Number(r.device_id))?.push(rowToParameter(r));
  return byDevice;
}

/** The records of `keys`, in that order (unknown keys left out). */
export function readDeviceRecords(sql: SqlAccess, keys: DeviceKey[], need: ParameterNeed): Promise<DeviceRecord[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return sql.autocommit(async (db) => {
    const devices = await db.select(
      `SELECT id, device_key, manufacturer, oui, product_class, serial_number, first_inform, last_inform, last_boot, last_bootstrap
       FROM devices WHERE device_key IN ${placeholders(keys.length)}`,
      keys,
    );
    const ids = devices.map((d) => Number(d.id));
    if (ids.length === 0) return [];
    const tags = await db.select(`SELECT device_id, tag FROM device_tags WHERE device_id IN ${placeholders(ids.length)} ORDER BY tag`, ids);
    const parameters = await parametersOf(db, ids, need);
    const byKey = new Map(devices.map((d): [string, DeviceRecord] => [String(d.device_key), {
      key: String(d.device_key),
      manufacturer: String(d.manufacturer),
      oui: String(d.oui),
      productClass: String(d.product_class),
      serialNumber: String(d.serial_number),
      firstInform: time(d.first_inform),
      lastInform: time(d.last_inform),
      lastBoot: time(d.last_boot),
      lastBootstrap: time(d.last_bootstrap),
      tags: tags.filter((t) => Number(t.device_id) === Number(d.id)).map((t) => String(t.tag)),
      parameters: parameters.get(Number(d.id)) ?? [],
    }]));
    return keys.flatMap((k) => byKey.get(k) ?? []);
  });
}

/** Whether a device of that id is stored. */
export async function deviceExists(sql: SqlAccess, key: DeviceKey): Promise<boolean> {
  const rows = await sql.autocommit((db) => db.select('SELECT 1 AS x FROM devices WHERE device_key = ?', [key]));
  return rows.length > 0;
}
