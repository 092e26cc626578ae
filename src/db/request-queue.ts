/**
 * The persisted request queue (pending_requests): requests queued for a
 * device, read when its session opens, and deleted by the commit of the
 * session that got their response or fault (at-least-once, ARCHITECTURE.md).
 */
import type { DataSource } from 'typeorm';
import type { CpeRequest } from '../cwmp/soap/types';
import type { DeviceKey, PendingRequest as Pending } from './types';
import { PendingRequest } from './entities';
import { chunks, placeholders, type Db } from './sql';

export async function pendingRequests(ds: DataSource, deviceKey: DeviceKey): Promise<Pending[]> {
  const rows = await ds.getRepository(PendingRequest).find({ where: { deviceKey }, order: { id: 'ASC' } });
  return rows.map((r) => ({
    id: r.id,
    deviceKey: r.deviceKey,
    request: JSON.parse(r.request) as CpeRequest,
    createdAt: r.createdAt,
  }));
}

export async function enqueueRequest(ds: DataSource, deviceKey: DeviceKey, request: CpeRequest): Promise<number> {
  const result = await ds.getRepository(PendingRequest).insert({
    deviceKey,
    request: JSON.stringify(request),
    createdAt: Date.now(),
  });
  return Number(result.identifiers[0]?.id);
}

/** Drops the answered requests; scoped to the device so a stray id cannot empty another queue. */
export async function deleteDoneRequests(db: Db, deviceKey: DeviceKey, ids: number[]): Promise<void> {
  for (const batch of chunks([...new Set(ids)], 500)) {
    await db.run(`DELETE FROM pending_requests WHERE device_key = ? AND id IN ${placeholders(batch.length)}`, [
      deviceKey,
      ...batch,
    ]);
  }
}
