/**
 * channel_faults: one row per faulted provisioning channel of a device.
 * commitSession applies a session's set/cleared lists; the NBI reads them and
 * clears one (operator retry). Bootstrap leaves them alone: they describe
 * the ACS's provisioning, not the device's data model.
 */
import type { ChannelFault, DeviceKey, SessionResult } from './types';
import { chunks, forUpdate, placeholders, type Db, type Row } from './sql';

/** Longest channel name (the key column is VARCHAR(255)) and fault code. */
export const CHANNEL_MAX = 255;
const CODE_MAX = 255;
/** Messages are clipped to this many characters: a script may throw a huge string, a commit must not fail on it. */
export const MESSAGE_MAX = 16_384;
const INT_MAX = 2_147_483_647;

/** Column order of every read and write below. */
const COLUMNS = [
  'channel', 'code', 'message', 'preset', 'script', 'script_line', 'script_column', 'retries', 'first_time', 'time', 'next_retry',
] as const;

type Values = [string, string, string, string | null, string | null, number | null, number | null, number, number, number, number];

/**
 * Applies the session's channel faults, then drops the cleared ones (a
 * channel in both lists ends up cleared; the last of duplicates wins). Rows
 * whose content is unchanged are not written, so a re-commit writes nothing.
 */
export async function applyChannelFaults(db: Db, deviceId: number, changes: SessionResult['channelFaults']): Promise<void> {
  if (!changes || (changes.set.length === 0 && changes.cleared.length === 0)) return;
  changes.cleared.forEach(checkChannel);
  const cleared = new Set(changes.cleared);
  const wanted = new Map<string, Values>();
  for (const fault of changes.set) {
    const values = valuesOf(fault);
    if (!cleared.has(values[0])) wanted.set(values[0], values);
  }
  const stored = new Map<string, Values>();
  const sql = `SELECT ${COLUMNS.join(', ')} FROM channel_faults WHERE device_id = ?`;
  for (const row of await db.select(sql, [deviceId])) stored.set(String(row.channel), valuesOfRow(row));

  for (const [channel, values] of wanted) {
    const old = stored.get(channel);
    if (!old) {
      db.later(`INSERT INTO channel_faults (device_id, ${COLUMNS.join(', ')}) VALUES ${placeholders(COLUMNS.length + 1)}`, [
        deviceId,
        ...values,
      ]);
    } else if (!sameValues(old, values)) {
      const sets = COLUMNS.slice(1).map((c) => `${c} = ?`).join(', ');
      db.later(`UPDATE channel_faults SET ${sets} WHERE device_id = ? AND channel = ?`, [...values.slice(1), deviceId, channel]);
    }
  }
  const gone = [...cleared].filter((c) => stored.has(c));
  for (const batch of chunks(gone, 500)) {
    db.later(`DELETE FROM channel_faults WHERE device_id = ? AND channel IN ${placeholders(batch.length)}`, [deviceId, ...batch]);
  }
}

/** The device's channel faults, by channel name ([] for an unknown device). */
export async function readChannelFaults(db: Db, deviceKey: DeviceKey): Promise<ChannelFault[]> {
  const columns = COLUMNS.map((c) => `f.${c}`).join(', ');
  const sql = `SELECT ${columns} FROM channel_faults f JOIN devices d ON d.id = f.device_id
    WHERE d.device_key = ? ORDER BY f.channel`;
  return (await db.select(sql, [deviceKey])).map((row) => faultOf(valuesOfRow(row)));
}

/**
 * Drops one channel's fault; false when the device or the fault does not exist.
 * Locks the device row first (MySQL), as commitSession does: a commit in flight
 * for the device either lands before the clear or sees it.
 */
export async function deleteChannelFault(db: Db, deviceKey: DeviceKey, channel: string): Promise<boolean> {
  const lock = forUpdate(db);
  const [device] = await db.select(`SELECT id FROM devices WHERE device_key = ?${lock}`, [deviceKey]);
  if (!device) return false;
  const { affected } = await db.run('DELETE FROM channel_faults WHERE device_id = ? AND channel = ?', [device.id, channel]);
  return affected > 0;
}

/**
 * A channel name the store can hold: 1 to 255 characters, no leading or trailing white space (presets trim their
 * channel, so a name with such spaces could never match one).
 */
export function isValidChannel(channel: unknown): channel is string {
  return typeof channel === 'string' && channel !== '' && channel.length <= CHANNEL_MAX && channel.trim() === channel;
}

export function checkChannel(channel: unknown): asserts channel is string {
  if (!isValidChannel(channel)) {
    throw new Error(`Invalid channel ${JSON.stringify(channel)}: must be 1 to ${CHANNEL_MAX} characters, not starting or ending with white space`);
  }
}

/** The row a fault becomes: checked (a bad value is the caller's bug), message clipped, absent optionals as NULL. */
function valuesOf(f: ChannelFault): Values {
  checkChannel(f.channel);
  const bad = (what: string) => new Error(`Invalid channel fault for "${f.channel}": ${what}`);
  if (typeof f.code !== 'string' || f.code === '' || f.code.length > CODE_MAX) throw bad(`code must be 1 to ${CODE_MAX} characters`);
  if (typeof f.message !== 'string') throw bad('message must be a string');
  const optionalString = (v: unknown, name: string): string | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw bad(`${name} must be a string`);
    return v;
  };
  const int = (v: unknown, name: string, max: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) throw bad(`${name} must be an integer from 0 to ${max}`);
    return v;
  };
  const optionalInt = (v: unknown, name: string): number | null => (v === undefined || v === null ? null : int(v, name, INT_MAX));
  const epoch = (v: unknown, name: string) => int(v, name, Number.MAX_SAFE_INTEGER);
  return [
    f.channel,
    f.code,
    f.message.length > MESSAGE_MAX ? `${f.message.slice(0, MESSAGE_MAX - 1)}…` : f.message,
    optionalString(f.preset, 'preset'),
    optionalString(f.script, 'script'),
    optionalInt(f.line, 'line'),
    optionalInt(f.column, 'column'),
    int(f.retries, 'retries', INT_MAX),
    epoch(f.firstTime, 'firstTime'),
    epoch(f.time, 'time'),
    epoch(f.nextRetry, 'nextRetry'),
  ];
}

function valuesOfRow(row: Row): Values {
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return [
    String(row.channel),
    String(row.code),
    String(row.message),
    str(row.preset),
    str(row.script),
    num(row.script_line),
    num(row.script_column),
    Number(row.retries),
    Number(row.first_time),
    Number(row.time),
    Number(row.next_retry),
  ];
}

function sameValues(a: Values, b: Values): boolean {
  return a.every((v, i) => v === b[i]);
}

function faultOf(v: Values): ChannelFault {
  const [channel, code, message, preset, script, line, column, retries, firstTime, time, nextRetry] = v;
  const fault: ChannelFault = { channel, code, message, retries, firstTime, time, nextRetry };
  if (preset !== null) fault.preset = preset;
  if (script !== null) fault.script = script;
  if (line !== null) fault.line = line;
  if (column !== null) fault.column = column;
  return fault;
}

export interface FaultFilter {
  device?: DeviceKey;
  channel?: string;
  code?: string;
  limit: number;
  offset: number;
}

/** Channel faults across devices, newest first, each with its device's key. */
export async function listChannelFaults(db: Db, filter: FaultFilter): Promise<(ChannelFault & { device: DeviceKey })[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of [['d.device_key', filter.device], ['f.channel', filter.channel], ['f.code', filter.code]] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  const columns = COLUMNS.map((c) => `f.${c}`).join(', ');
  const sql = `SELECT d.device_key, ${columns} FROM channel_faults f JOIN devices d ON d.id = f.device_id
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY f.time DESC, d.device_key, f.channel
    LIMIT ${Math.floor(filter.limit)} OFFSET ${Math.floor(filter.offset)}`;
  return (await db.select(sql, params)).map((row) => ({ device: String(row.device_key), ...faultOf(valuesOfRow(row)) }));
}
