/**
 * The body of DeviceStore.commitSession: everything one CWMP session learnt,
 * applied inside the caller's transaction. Any error aborts the whole transaction.
 */
import type { SessionResult, ValueChange } from './types';
import type { Db } from './sql';
import { applySession, namedPaths } from './cache-ops';
import { applyChannelFaults } from './channel-faults';
import { upsertDevice } from './device-row';
import { deleteDoneEvents } from './events';
import { insertFaults } from './fault-log';
import { ParamTable } from './param-table';
import { finishTasks } from './tasks';
import { applyTags } from './tags';

export interface CommitStats {
  deviceId: number;
  /** The device row had never had an Inform (new, or bare). */
  firstInform: boolean;
  /** device_parameters rows inserted or updated. */
  written: number;
  /** device_parameters rows deleted. */
  deleted: number;
  valueChanges: ValueChange[];
}

export async function applySessionResult(db: Db, result: SessionResult): Promise<CommitStats> {
  // The rows the session's ops name are read with the device row's lock: one round trip for both.
  // A fresh model (new, or cleared by a BOOTSTRAP) has none to read.
  const paths = result.fresh ? [] : namedPaths(result.inform, result.ops);
  const read = paths.length > 0 ? [ParamTable.readByKey(result.deviceKey, paths)] : [];
  const { deviceId, created, firstInform, rows } = await upsertDevice(db, result, read);
  const table = new ParamTable(db, deviceId);
  if (read.length > 0) table.preloaded(paths, rows[0]);
  // A BOOTSTRAP's clearing of the model happened when its Inform was acknowledged (acknowledge.ts).
  if (created || result.fresh) table.assumeEmpty();
  await applySession(table, result.inform, result.ops);
  await table.flush();
  finishTasks(db, result.deviceKey, result.sessionId, result.tasks, Date.now());
  await insertFaults(db, result.deviceKey, result.faults);
  await applyChannelFaults(db, deviceId, result.channelFaults);
  deleteDoneEvents(db, deviceId, result.doneEvents);
  if (result.tags) await applyTags(db, deviceId, result.tags.add, result.tags.remove);
  return { deviceId, firstInform, written: table.written, deleted: table.deleted, valueChanges: table.valueChanges() };
}
