/** The webhook events a CWMP session makes, once its commit is done (or, for a quiet session, once it ended). */
import type { SessionResult, ValueChange } from '../db/types';
import type { SessionState } from '../cwmp/session/state';
import type { AcsEvent } from './types';

export function sessionEvents(state: SessionState, result: SessionResult | null, changes: ValueChange[] = []): AcsEvent[] {
  const codes = state.inform.events.map((e) => e.EventCode);
  const base = { device: state.deviceKey, time: state.inform.time };
  const data = { sessionId: state.id, events: codes, softwareVersion: softwareVersion(state) };
  const out: AcsEvent[] = [{ ...base, event: 'device.inform', data }];
  if (state.firstInform) out.push({ ...base, event: 'device.registered', data });
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

function softwareVersion(state: SessionState): string | null {
  const p = state.inform.parameters.find((x) => x.Name === 'Device.DeviceInfo.SoftwareVersion' || x.Name === 'InternetGatewayDevice.DeviceInfo.SoftwareVersion');
  return p?.Value ?? null;
}
