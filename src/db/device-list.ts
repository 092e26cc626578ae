/**
 * The device list of the REST API: for the devices a search found (in its
 * order), their summary and the cached parameters a projection names. Two
 * reads for a whole page, whatever its size.
 */
import { pathLike, pathMatch } from './device-query-sql';
import { prefixCondition } from './paths';
import { placeholders } from './sql';
import type { DeviceKey, DeviceSummary, SqlAccess } from './types';

/** A projected parameter: its cached value and xsd type. */
export interface ProjectedValue {
  value: string | null;
  type: string | null;
}

export interface ListedDevice extends DeviceSummary {
  /** Only with a projection: path -> cached value, for the paths it names that the device has. */
  parameters?: Record<string, ProjectedValue>;
}

/**
 * A projection's path: a parameter ("Device.DeviceInfo.SoftwareVersion"), an
 * object and everything below it ("Device.WiFi."), any instance as `*`.
 */
function projectionMatch(path: string): { sql: string; params: unknown[] } {
  if (path.endsWith('.') && !path.includes('*')) {
    const c = prefixCondition(path, 'p.path');
    return { sql: `(${c.sql})`, params: c.params };
  }
  // pathLike escapes with '!' (device-query-sql.ts); the trailing % takes the whole subtree.
  return path.endsWith('.') ? { sql: "p.path LIKE ? ESCAPE '!'", params: [`${pathLike(path)}%`] } : pathMatch(path);
}

export async function listDevicesByKey(sql: SqlAccess, keys: DeviceKey[], projection: string[] = []): Promise<ListedDevice[]> {
  if (keys.length === 0) return [];
  return sql.autocommit(async (db) => {
    const rows = await db.select(
      `SELECT device_key, manufacturer, oui, product_class, serial_number, software_version, last_inform FROM devices WHERE device_key IN ${placeholders(keys.length)}`,
      keys,
    );
    const byKey = new Map<DeviceKey, ListedDevice>(rows.map((r) => [String(r.device_key), {
      deviceKey: String(r.device_key),
      manufacturer: String(r.manufacturer),
      oui: String(r.oui),
      productClass: String(r.product_class),
      serialNumber: String(r.serial_number),
      softwareVersion: r.software_version === null ? null : String(r.software_version),
      lastInform: r.last_inform === null ? null : Number(r.last_inform),
      ...(projection.length > 0 ? { parameters: {} } : {}),
    }]));
    if (projection.length > 0) {
      const match = projection.map(projectionMatch);
      const params = await db.select(
        `SELECT d.device_key, p.path, p.value, p.type FROM device_parameters p JOIN devices d ON d.id = p.device_id
         WHERE d.device_key IN ${placeholders(keys.length)} AND p.kind = 'leaf' AND (${match.map((m) => m.sql).join(' OR ')}) ORDER BY p.path`,
        [...keys, ...match.flatMap((m) => m.params)],
      );
      for (const p of params) {
        const device = byKey.get(String(p.device_key));
        if (device?.parameters) device.parameters[String(p.path)] = { value: p.value === null ? null : String(p.value), type: p.type === null ? null : String(p.type) };
      }
    }
    return keys.flatMap((k) => byKey.get(k) ?? []);
  });
}
