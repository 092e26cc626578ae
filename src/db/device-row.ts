/**
 * The devices row: created on first commit (or bare, to carry credentials or
 * tags before the first Inform), updated by every session.
 */
import type { DeviceKey, HistoryEntry, InformRecord, SessionResult } from './types';
import { forUpdate, placeholders, type Db, type Row, type Statement } from './sql';

export const HISTORY_LIMIT = 50;

interface StoredDevice {
  id: number;
  history: string | null;
  first_inform: unknown;
  last_boot: unknown;
  last_bootstrap: unknown;
  software_version: string | null;
  hardware_version: string | null;
  [column: string]: unknown;
}

/** Every column deviceFields writes: read back so that only those that changed are written. */
const WRITTEN = [
  'device_key', 'manufacturer', 'oui', 'product_class', 'serial_number', 'software_version', 'hardware_version',
  'first_inform', 'last_inform', 'last_boot', 'last_bootstrap', 'remote_address', 'cwmp_version', 'history',
];

/**
 * Locks (MySQL) the device's row for the rest of the transaction: one
 * session commits at a time per device. `alongside`, a read the caller needs
 * next, goes in the same round trip (after the lock, so it reads what the lock holder may).
 */
async function lockDevice(db: Db, deviceKey: DeviceKey, alongside: Statement[]): Promise<{ stored: StoredDevice | null; rows: Row[][] }> {
  const lock = forUpdate(db);
  const [device, ...others] = await db.batch([{ sql: `SELECT id, ${WRITTEN.join(', ')} FROM devices WHERE device_key = ?${lock}`, params: [deviceKey] }, ...alongside]);
  const row = device.rows[0];
  return { stored: row ? (row as unknown as StoredDevice) : null, rows: others.map((r) => r.rows) };
}

/** Drivers answer numbers as numbers or strings: compared as text. */
function same(a: unknown, b: unknown): boolean {
  return (a ?? null) === null ? (b ?? null) === null : (b ?? null) !== null && String(a) === String(b);
}

/** What the device row is written from: a session's result, or an Inform being acknowledged. */
export type DeviceWrite = Pick<SessionResult, 'deviceKey' | 'inform' | 'history'>;

/**
 * Inserts or updates the device row from the session; returns the device id,
 * whether the row is new, whether this is the device's first Inform (a new
 * row, or one made bare for its tags or credentials), and the rows of the
 * `alongside` reads (sent with the lock).
 */
export async function upsertDevice(db: Db, result: DeviceWrite, alongside: Statement[] = []): Promise<{ deviceId: number; created: boolean; firstInform: boolean; rows: Row[][] }> {
  const { stored, rows, insert } = await updateOrInsert(db, result, alongside);
  if (stored) return { deviceId: Number(stored.id), created: false, firstInform: isBare(stored), rows };
  return { deviceId: (await db.run(insert.sql, insert.params)).insertId, created: true, firstInform: true, rows };
}

/**
 * upsertDevice for a caller that needs no id of a new row: its INSERT goes
 * with the transaction's next statement or its COMMIT (a first contact's
 * acknowledgement is then two round trips, not three). The id of the row
 * that existed (null for a new one), and whether this is the device's first Inform.
 */
export async function writeDevice(db: Db, result: DeviceWrite): Promise<{ id: number | null; firstInform: boolean }> {
  const { stored, insert } = await updateOrInsert(db, result, []);
  if (stored) return { id: Number(stored.id), firstInform: isBare(stored) };
  db.later(insert.sql, insert.params);
  return { id: null, firstInform: true };
}

/** A row made before the device's first Inform (for its tags, credentials, history): it never had one. */
function isBare(stored: StoredDevice): boolean {
  return (stored.first_inform ?? null) === null;
}

type Locked = { rows: Row[][] } & ({ stored: StoredDevice; insert?: never } | { stored: null; insert: Statement });

/**
 * Locks and reads the row: one that exists gets the columns that changed
 * written (deferred); for a missing one, the INSERT that creates it.
 */
async function updateOrInsert(db: Db, result: DeviceWrite, alongside: Statement[]): Promise<Locked> {
  const { stored, rows } = await lockDevice(db, result.deviceKey, alongside);
  const fields = deviceFields(result, stored);
  const names = Object.keys(fields);
  if (stored) {
    // Only what changed: the commit after an acknowledged Inform often changes nothing of the row.
    const changed = names.filter((n) => !same(stored[n], fields[n]));
    if (changed.length > 0) {
      db.later(`UPDATE devices SET ${changed.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`, [...changed.map((n) => fields[n]), stored.id]);
    }
    return { stored, rows };
  }
  // Selected first, inserted only if missing: INSERT ... ON DUPLICATE KEY would burn an
  // auto-increment id on every periodic Inform.
  return { stored: null, rows, insert: { sql: `INSERT INTO devices (${names.join(', ')}) VALUES ${placeholders(names.length)}`, params: Object.values(fields) } };
}

function deviceFields(result: DeviceWrite, stored: StoredDevice | null): Record<string, unknown> {
  const { inform } = result;
  const events = new Set(inform.events.map((e) => e.EventCode));
  return {
    device_key: result.deviceKey,
    manufacturer: inform.deviceId.Manufacturer,
    oui: inform.deviceId.OUI,
    product_class: inform.deviceId.ProductClass,
    serial_number: inform.deviceId.SerialNumber,
    software_version: deviceInfo(inform, 'SoftwareVersion') ?? stored?.software_version ?? null,
    hardware_version: deviceInfo(inform, 'HardwareVersion') ?? stored?.hardware_version ?? null,
    first_inform: stored?.first_inform ?? inform.time,
    last_inform: inform.time,
    last_boot: events.has('1 BOOT') ? inform.time : (stored?.last_boot ?? null),
    last_bootstrap: events.has('0 BOOTSTRAP') ? inform.time : (stored?.last_bootstrap ?? null),
    remote_address: inform.remoteAddress,
    cwmp_version: inform.cwmpVersion,
    history: mergeHistory(stored?.history ?? null, result.history),
  };
}

/** DeviceInfo.<name> from the Inform, for either root object (TR-181 Device. or TR-098 InternetGatewayDevice.). */
function deviceInfo(inform: InformRecord, name: string): string | undefined {
  const paths = [`Device.DeviceInfo.${name}`, `InternetGatewayDevice.DeviceInfo.${name}`];
  return inform.parameters.find((p) => paths.includes(p.Name))?.Value;
}

/**
 * Appends the session's entries, keeping the newest HISTORY_LIMIT. Entries
 * already stored verbatim are skipped, so re-committing a result is a no-op.
 */
function mergeHistory(stored: string | null, added: HistoryEntry[]): string {
  const old = parseHistory(stored);
  const seen = new Set(old.map((e) => JSON.stringify(e)));
  const fresh = added.filter((e) => !seen.has(JSON.stringify(e)));
  return JSON.stringify([...old, ...fresh].slice(-HISTORY_LIMIT));
}

export function parseHistory(stored: string | null): HistoryEntry[] {
  if (!stored) return [];
  const parsed: unknown = JSON.parse(stored);
  return Array.isArray(parsed) ? (parsed as HistoryEntry[]) : [];
}

/** Appends history entries now, outside any session commit (a bare device row is created if needed). */
export async function appendHistory(db: Db, deviceKey: DeviceKey, entries: HistoryEntry[]): Promise<void> {
  const deviceId = await ensureDevice(db, deviceKey);
  const lock = forUpdate(db);
  const [row] = await db.select(`SELECT history FROM devices WHERE id = ?${lock}`, [deviceId]);
  db.later('UPDATE devices SET history = ? WHERE id = ?', [mergeHistory((row?.history as string | null) ?? null, entries), deviceId]);
}

/** The device's id, creating a bare row (identity parsed from the key) if it never informed. */
export async function ensureDevice(db: Db, deviceKey: DeviceKey): Promise<number> {
  const [row] = await db.select('SELECT id FROM devices WHERE device_key = ?', [deviceKey]);
  if (row) return Number(row.id);
  const { oui, productClass, serialNumber } = parseDeviceKey(deviceKey);
  const sql = `INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number) VALUES (?, '', ?, ?, ?)`;
  return (await db.run(sql, [deviceKey, oui, productClass, serialNumber])).insertId;
}

/** Inverse of deviceKeyOf: "OUI-ProductClass-Serial", each part percent-encoded ("-" as %2D). */
export function parseDeviceKey(deviceKey: DeviceKey): { oui: string; productClass: string; serialNumber: string } {
  const parts = deviceKey.split('-');
  // ProductClass may be empty (TR-069 allows it): "OUI--Serial".
  if (parts.length !== 3 || parts[0] === '' || parts[2] === '') {
    throw new Error(`Invalid device key "${deviceKey}": expected OUI-ProductClass-SerialNumber`);
  }
  try {
    const [oui, productClass, serialNumber] = parts.map((p) => decodeURIComponent(p));
    return { oui, productClass, serialNumber };
  } catch {
    throw new Error(`Invalid device key "${deviceKey}": bad percent-encoding`);
  }
}
