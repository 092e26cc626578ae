/** The webhook events a CWMP session makes, once its commit is done (or, for a quiet session, once it ended). */
import type { DeviceKey, InformRecord, SessionResult, ValueChange } from '../db/types';
import type { SessionState } from '../cwmp/session/state';
import type { AcsEvent } from './types';

/**
 * `registered`: the commit wrote the device's first Inform. An Inform
 * acknowledged before the session (inform.ts) tells of it then, with registeredEvent.
 */
export function sessionEvents(state: SessionState, result: SessionResult | null, changes: ValueChange[] = [], registered = false): AcsEvent[] {
  const base = { device: state.deviceKey, time: state.inform.time };
  const data = informData(state.id, state.inform);
  const codes = data.events;
  const out: AcsEvent[] = [{ ...base, event: 'device.inform', data }];
  if (registered) out.push({ ...base, event: 'device.registered', data });
  if (codes.includes('0 BOOTSTRAP')) out.push({ ...base, event: 'device.bootstrap', data });
  if (codes.includes('1 BOOT')) out.push({ ...base, event: 'device.boot', data });
  if (changes.length > 0) out.push({ ...base, event: 'parameter.changed', data: { sessionId: state.id, changes } });
  for (const f of result?.channelFaults?.set ?? []) {
    out.push({ ...base, event: 'device.fault', data: { sessionId: state.id, channel: f.channel, code: f.code, message: f.message, retries: f.retries } });
  }
  for (const t of result?.tasks ?? []) {
    if (t.status === 'done') out.push({ ...base, event: 'task.done', data: { sessionId: state.id, task: t.id, result: t.result ?? null } });
    else if (t.status === 'fault') out.push({ ...base, event: 'task.failed', data: { sessionId: state.id, task: t.id, fault: t.fault ?? null } });
  }
  return out;
}

/** device.registered for an Inform whose acknowledgement wrote the device's first Inform. */
export function registeredEvent(deviceKey: DeviceKey, sessionId: string, inform: InformRecord): AcsEvent {
  return { device: deviceKey, time: inform.time, event: 'device.registered', data: informData(sessionId, inform) };
}

function informData(sessionId: string, inform: InformRecord): { sessionId: string; events: string[]; softwareVersion: string | null } {
  return { sessionId, events: inform.events.map((e) => e.EventCode), softwareVersion: softwareVersion(inform) };
}

function softwareVersion(inform: InformRecord): string | null {
  const p = inform.parameters.find((x) => x.Name === 'Device.DeviceInfo.SoftwareVersion' || x.Name === 'InternetGatewayDevice.DeviceInfo.SoftwareVersion');
  return p?.Value ?? null;
}
