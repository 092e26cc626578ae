/**
 * acknowledgeInform's body: what an Inform reported, made durable before the
 * ACS answers it (after the answer the CPE never reports it again). Runs in
 * the caller's transaction (and ends it when it reads back the pending events);
 * any error aborts it and the Inform goes unanswered.
 */
import { ACTION_PREFIXES } from '../model/action-records';
import { writeDevice } from './device-row';
import { eventsOf, pendingEventsRead, recordEvents } from './events';
import { prefixCondition } from './paths';
import type { Db } from './sql';
import type { InformAcknowledged, InformAcknowledgement } from './types';

export async function acknowledgeInform(db: Db, ack: InformAcknowledgement): Promise<InformAcknowledged> {
  // The events are written and read by device key: a new row's INSERT goes with them (or with the COMMIT).
  const { id: existing, firstInform } = await writeDevice(db, ack);
  // A BOOTSTRAP means a factory reset (or a new ACS URL): the cached model is no longer true.
  // The ACS's own records (tags, channel faults, actions it had done) stay.
  const bootstrap = ack.inform.events.some((e) => e.EventCode === '0 BOOTSTRAP');
  if (bootstrap && existing !== null) await clearModel(db, existing);
  const model = existing === null ? 'new' : bootstrap ? 'cleared' : 'stored';
  if (ack.events.length === 0) return { pending: null, model, firstInform };
  recordEvents(db, ack, ack.inform.time);
  const [read] = await db.batch([pendingEventsRead(ack.deviceKey)], { last: true });
  return { pending: eventsOf(read.rows), model, firstInform };
}

/** Deletes the device's cached model but for the records of actions. */
async function clearModel(db: Db, deviceId: number): Promise<void> {
  const keep = ACTION_PREFIXES.map((p) => (p.endsWith('.') ? prefixCondition(p) : { sql: 'path = ?', params: [p] }));
  const sql = `DELETE FROM device_parameters WHERE device_id = ? AND NOT (${keep.map((k) => `(${k.sql})`).join(' OR ')})`;
  await db.run(sql, [deviceId, ...keep.flatMap((k) => k.params)]);
}
