/**
 * The body of DeviceStore.commitSession: everything one CWMP session learnt,
 * applied inside the caller's transaction. Any error aborts the whole transaction.
 */
import type { SessionResult } from './types';
import type { Db } from './sql';
import { applySession } from './cache-ops';
import { applyChannelFaults } from './channel-faults';
import { upsertDevice } from './device-row';
import { deleteDoneEvents } from './events';
import { insertFaults } from './fault-log';
import { ParamTable } from './param-table';
import { finishTasks } from './tasks';
import { applyTags } from './tags';

export interface CommitStats {
  deviceId: number;
  /** device_parameters rows inserted or updated. */
  written: number;
  /** device_parameters rows deleted. */
  deleted: number;
}

export async function applySessionResult(db: Db, result: SessionResult): Promise<CommitStats> {
  const { deviceId, created } = await upsertDevice(db, result);
  const table = new ParamTable(db, deviceId);
  // A BOOTSTRAP's clearing of the model happened when its Inform was acknowledged (acknowledge.ts).
  if (created || result.fresh) table.assumeEmpty();
  await applySession(table, result.inform, result.ops);
  await table.flush();
  finishTasks(db, result.deviceKey, result.sessionId, result.tasks, Date.now());
  await insertFaults(db, result.deviceKey, result.faults);
  await applyChannelFaults(db, deviceId, result.channelFaults);
  deleteDoneEvents(db, deviceId, result.doneEvents);
  if (result.tags) await applyTags(db, deviceId, result.tags.add, result.tags.remove);
  return { deviceId, written: table.written, deleted: table.deleted };
}
