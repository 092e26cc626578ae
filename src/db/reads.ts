/** The store's read side: device list, device detail, cached parameters, provisioning facts. */
import type { DataSource } from 'typeorm';
import type { CachedParameter, DeviceDetail, DeviceKey, DeviceSummary, ProvisioningFacts } from './types';
import { Device, DeviceFault, DeviceTag, type DeviceEntity } from './entities';
import { readChannelFaults } from './channel-faults';
import { readPendingEvents } from './events';
import { parseHistory } from './device-row';
import { faultFromEntity } from './fault-log';
import { numOrNull, PARAMETER_COLUMNS, rowToParameter } from './param-table';
import { ancestorsOf, prefixCondition } from './paths';
import type { Db } from './sql';
import { readTags } from './tags';
import { isShownParameter } from '../model/root-listing';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export async function listDevices(ds: DataSource, options: { limit?: number; offset?: number } = {}): Promise<DeviceSummary[]> {
  const devices = await ds.getRepository(Device).find({
    order: { deviceKey: 'ASC' },
    take: clamp(options.limit ?? DEFAULT_LIMIT, 1, MAX_LIMIT),
    skip: clamp(options.offset ?? 0, 0, Number.MAX_SAFE_INTEGER),
  });
  return devices.map(summaryOf);
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min;
}

function summaryOf(d: DeviceEntity): DeviceSummary {
  return {
    deviceKey: d.deviceKey,
    manufacturer: d.manufacturer,
    oui: d.oui,
    productClass: d.productClass,
    serialNumber: d.serialNumber,
    softwareVersion: d.softwareVersion,
    lastInform: d.lastInform,
  };
}

/** Several reads, not one snapshot: a commit landing in between can only make parameters look newer. */
export async function getDevice(ds: DataSource, db: Db, deviceKey: DeviceKey): Promise<DeviceDetail | null> {
  const d = await ds.getRepository(Device).findOneBy({ deviceKey });
  if (!d) return null;
  const tags = await ds.getRepository(DeviceTag).find({ where: { deviceId: d.id }, order: { tag: 'ASC' } });
  const faults = await ds.getRepository(DeviceFault).find({ where: { deviceKey }, order: { id: 'ASC' } });
  return {
    ...summaryOf(d),
    hardwareVersion: d.hardwareVersion,
    firstInform: d.firstInform,
    lastBoot: d.lastBoot,
    lastBootstrap: d.lastBootstrap,
    remoteAddress: d.remoteAddress,
    cwmpVersion: d.cwmpVersion,
    tags: tags.map((t) => t.tag),
    history: parseHistory(d.history),
    faults: faults.map(faultFromEntity),
    channelFaults: await readChannelFaults(db, deviceKey),
    pendingEvents: await readPendingEvents(db, d.id),
    parameters: (await getParameters(db, deviceKey, '')).filter((x) => isShownParameter(x.path)),
  };
}

/** Cached rows whose path starts with `prefix` (a plain string prefix), sorted by path. */
export async function getParameters(db: Db, deviceKey: DeviceKey, prefix = ''): Promise<CachedParameter[]> {
  const cond = prefixCondition(prefix, 'p.path');
  const columns = PARAMETER_COLUMNS.split(', ').map((c) => `p.${c}`).join(', ');
  const sql = `SELECT ${columns} FROM device_parameters p JOIN devices d ON d.id = p.device_id
    WHERE d.device_key = ? AND ${cond.sql} ORDER BY p.path`;
  return (await db.select(sql, [deviceKey, ...cond.params])).map(rowToParameter);
}

/**
 * The rows a planner needs to judge paths under `prefixes`: every row at or
 * below each prefix ("A.B." a subtree, "A.B" one row, "" everything), and
 * the object rows above each prefix. One statement.
 */
export async function getParametersUnder(db: Db, deviceKey: DeviceKey, prefixes: string[]): Promise<CachedParameter[]> {
  if (prefixes.includes('')) return getParameters(db, deviceKey);
  const conds: string[] = [];
  const params: string[] = [];
  const exact = new Set<string>();
  for (const prefix of prefixes) {
    for (const a of ancestorsOf(prefix)) exact.add(a);
    if (prefix.endsWith('.')) {
      const cond = prefixCondition(prefix, 'p.path');
      conds.push(`(${cond.sql})`);
      params.push(...cond.params);
    } else {
      exact.add(prefix);
    }
  }
  if (exact.size > 0) {
    conds.push(`p.path IN (${[...exact].map(() => '?').join(', ')})`);
    params.push(...exact);
  }
  if (conds.length === 0) return [];
  const columns = PARAMETER_COLUMNS.split(', ').map((c) => `p.${c}`).join(', ');
  const sql = `SELECT ${columns} FROM device_parameters p JOIN devices d ON d.id = p.device_id
    WHERE d.device_key = ? AND (${conds.join(' OR ')}) ORDER BY p.path`;
  return (await db.select(sql, [deviceKey, ...params])).map(rowToParameter);
}

/** What the provisioning engine reads once per session besides the cached model. */
export async function getProvisioningFacts(db: Db, deviceKey: DeviceKey): Promise<ProvisioningFacts> {
  const [row] = await db.select('SELECT id, first_inform, last_boot, last_bootstrap FROM devices WHERE device_key = ?', [deviceKey]);
  if (!row) return { tags: [], channelFaults: [], lastBoot: null, lastBootstrap: null, firstInform: null };
  return {
    tags: await readTags(db, deviceKey),
    channelFaults: await readChannelFaults(db, deviceKey),
    lastBoot: numOrNull(row.last_boot),
    lastBootstrap: numOrNull(row.last_bootstrap),
    firstInform: numOrNull(row.first_inform),
  };
}
