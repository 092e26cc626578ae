/** The per-device fault log (device_faults): a session's CPE faults, bounded to the newest FAULT_LIMIT. */
import type { CpeRequest } from '../cwmp/soap/types';
import type { DeviceKey, FaultRecord } from './types';
import type { FaultEntity } from './entities';
import { chunks, placeholders, type Db } from './sql';

export const FAULT_LIMIT = 100;

/** Appends faults not already stored (re-commits are no-ops), then trims to the newest FAULT_LIMIT. */
export async function insertFaults(db: Db, deviceKey: DeviceKey, faults: FaultRecord[]): Promise<void> {
  if (faults.length === 0) return;
  const fresh = await unseenFaults(db, deviceKey, faults);
  for (const batch of chunks(fresh, 200)) {
    const sql = `INSERT INTO device_faults (device_key, request_id, request, code, message, detail, time)
      VALUES ${batch.map(() => placeholders(7)).join(',')}`;
    await db.run(sql, batch.flatMap((f) => faultValues(deviceKey, f)));
  }
  await trimFaults(db, deviceKey);
}

async function unseenFaults(db: Db, deviceKey: DeviceKey, faults: FaultRecord[]): Promise<FaultRecord[]> {
  const times = [...new Set(faults.map((f) => f.time))];
  const sql = `SELECT request_id, request, code, time FROM device_faults
    WHERE device_key = ? AND time IN ${placeholders(times.length)}`;
  const stored = await db.select(sql, [deviceKey, ...times]);
  const seen = new Set(stored.map((r) => identity(r.request_id, String(r.request), r.code, r.time)));
  return faults.filter((f) => !seen.has(identity(f.requestId, JSON.stringify(f.request), f.code, f.time)));
}

function identity(requestId: unknown, request: string, code: unknown, time: unknown): string {
  return [requestId === null ? '' : Number(requestId), Number(code), Number(time), request].join('|');
}

function faultValues(deviceKey: DeviceKey, f: FaultRecord): unknown[] {
  const detail = f.detail === undefined ? null : JSON.stringify(f.detail);
  return [deviceKey, f.requestId, JSON.stringify(f.request), f.code, f.message, detail, f.time];
}

async function trimFaults(db: Db, deviceKey: DeviceKey): Promise<void> {
  const sql = `SELECT id FROM device_faults WHERE device_key = ? ORDER BY id DESC LIMIT 1 OFFSET ${FAULT_LIMIT - 1}`;
  const [oldestKept] = await db.select(sql, [deviceKey]);
  if (oldestKept) await db.run('DELETE FROM device_faults WHERE device_key = ? AND id < ?', [deviceKey, oldestKept.id]);
}

export function faultFromEntity(e: FaultEntity): FaultRecord {
  const record: FaultRecord = {
    requestId: e.requestId,
    request: JSON.parse(e.request) as CpeRequest,
    code: Number(e.code),
    message: e.message,
    time: Number(e.time),
  };
  if (e.detail !== null) record.detail = JSON.parse(e.detail) as FaultRecord['detail'];
  return record;
}

