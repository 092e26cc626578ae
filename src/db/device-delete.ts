/**
 * Deleting a device: its row and everything kept about it (cached model,
 * tags, events, faults, tasks, connection-request credentials and attempts).
 * One transaction. A device that informs again afterwards is a new device.
 */
import { forUpdate, type Db } from './sql';
import type { DeviceKey } from './types';

const BY_ID = ['device_parameters', 'device_tags', 'channel_faults', 'device_events'];
const BY_KEY = ['device_faults', 'tasks', 'connection_requests'];

/** False when there was no such device (nothing deleted). */
export async function deleteDevice(db: Db, deviceKey: DeviceKey): Promise<boolean> {
  const lock = forUpdate(db);
  const [row] = await db.select(`SELECT id FROM devices WHERE device_key = ?${lock}`, [deviceKey]);
  if (!row) return false;
  // Children first, explicitly: SQLite enforces the foreign keys' cascades only when told to.
  for (const table of BY_ID) db.later(`DELETE FROM ${table} WHERE device_id = ?`, [row.id]);
  for (const table of BY_KEY) db.later(`DELETE FROM ${table} WHERE device_key = ?`, [deviceKey]);
  db.later('DELETE FROM devices WHERE id = ?', [row.id]);
  return true;
}
