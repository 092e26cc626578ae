/**
 * device_events: the pending events of each device (see PendingEvent). An
 * answered Inform's events are recorded before the answer goes out; the commit
 * of the session that carried out their provisioning deletes them. A repeated
 * event (same code and CommandKey) updates its row, so a device has at most one
 * row per kind of event however often it reboots.
 */
import type { DeviceKey, EpochMs, InformAcknowledgement, PendingEvent } from './types';
import { chunks, placeholders, type Db, type Row, type Statement } from './sql';

/** Longest event code and CommandKey kept (TR-069: string(64) and string(32); the columns hold 64 and 255). */
export const EVENT_CODE_MAX = 64;
export const COMMAND_KEY_MAX = 255;

const COLUMNS = 'id, code, command_key, detail, time, session_id';
const ROW_OF_KEY = '((SELECT id FROM devices WHERE device_key = ?), ?, ?, ?, ?, ?)';

/** The device is named by its key (its row may be an INSERT still deferred in the same transaction). */
export function recordEvents(db: Db, ack: Pick<InformAcknowledgement, 'deviceKey' | 'events' | 'sessionId'>, time: EpochMs): void {
  if (ack.events.length === 0) return;
  const rows = ack.events.map((e) => [ack.deviceKey, e.code, e.commandKey, e.detail === undefined ? null : JSON.stringify(e.detail), time, ack.sessionId]);
  const update = ['detail', 'time', 'session_id'];
  const onConflict =
    db.driver === 'mysql'
      ? `ON DUPLICATE KEY UPDATE ${update.map((c) => `${c} = VALUES(${c})`).join(', ')}`
      : `ON CONFLICT (device_id, code, command_key) DO UPDATE SET ${update.map((c) => `${c} = excluded.${c}`).join(', ')}`;
  const sql = `INSERT INTO device_events (device_id, code, command_key, detail, time, session_id) VALUES ${rows.map(() => ROW_OF_KEY).join(',')} ${onConflict}`;
  db.later(sql, rows.flat());
}

export async function readPendingEvents(db: Db, deviceId: number): Promise<PendingEvent[]> {
  const rows = await db.select(`SELECT ${COLUMNS} FROM device_events WHERE device_id = ? ORDER BY time, id`, [deviceId]);
  return rows.map(eventOf);
}

const OF_KEY = `SELECT ${COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM device_events e JOIN devices d ON d.id = e.device_id
    WHERE d.device_key = ? ORDER BY e.time, e.id`;

/** The read of a device's pending events by its key (a statement that stands alone, for `batched`); `eventsOf` makes them. */
export function pendingEventsRead(deviceKey: DeviceKey): Statement {
  return { sql: OF_KEY, params: [deviceKey] };
}

export function eventsOf(rows: Row[]): PendingEvent[] {
  return rows.map(eventOf);
}

/** Drops events a session carried out, unless the device reported them again since `before` (they are due again). */
export function deleteDoneEvents(db: Db, deviceId: number, done: { ids: number[]; before: EpochMs } | undefined): void {
  if (!done) return;
  for (const batch of chunks([...new Set(done.ids)], 500)) {
    const sql = `DELETE FROM device_events WHERE device_id = ? AND time <= ? AND id IN ${placeholders(batch.length)}`;
    db.later(sql, [deviceId, done.before, ...batch]);
  }
}

function eventOf(row: Row): PendingEvent {
  const event: PendingEvent = {
    id: Number(row.id),
    code: String(row.code),
    commandKey: String(row.command_key),
    time: Number(row.time),
    sessionId: String(row.session_id),
  };
  if (row.detail !== null && row.detail !== undefined) event.detail = JSON.parse(String(row.detail)) as unknown;
  return event;
}
