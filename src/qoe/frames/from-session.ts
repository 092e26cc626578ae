/**
 * The frames a CWMP session's reads make: the values a GetParameterValues
 * (or an accepted SetParameterValues) brought that some collection profile
 * names, one frame per profile, with the device's uptime when the same read
 * had it (counters reset on a reboot).
 */
import type { ParameterValueStruct } from '../../cwmp/soap/types';
import type { CacheOp, DeviceKey } from '../../db/types';
import type { ProfileMatcher } from '../profiles/matcher';
import type { Frame, RawValue } from '../types';

const UPTIME = /^(Device|InternetGatewayDevice)\.DeviceInfo\.UpTime$/;

export function framesOfSession(device: DeviceKey, ops: readonly CacheOp[], matcher: ProfileMatcher): Frame[] {
  const frames: Frame[] = [];
  for (const op of ops) if (op.op === 'values') frames.push(...framesOfValues(device, op.parameters, op.time, matcher));
  return frames;
}

export function framesOfValues(device: DeviceKey, parameters: readonly ParameterValueStruct[], time: number, matcher: ProfileMatcher): Frame[] {
  const byProfile = new Map<string, Record<string, RawValue>>();
  const narrow = new Map<string, string[]>();
  let uptimeS: number | undefined;
  for (const p of parameters) {
    if (UPTIME.test(p.Name)) uptimeS = Number(p.Value);
    for (const { profile } of matcher.match(p.Name)) {
      const values = byProfile.get(profile) ?? {};
      values[p.Name] = valueOf(p);
      byProfile.set(profile, values);
      if (p.type === 'xsd:unsignedInt') narrow.set(profile, [...(narrow.get(profile) ?? []), p.Name]);
    }
  }
  const uptime = uptimeS !== undefined && Number.isFinite(uptimeS) ? { uptimeS } : {};
  return [...byProfile].map(([profile, values]) => {
    const paths = narrow.get(profile);
    return { device, profile, time, values, ...uptime, ...(paths ? { narrow: paths } : {}) };
  });
}

/** Numbers as numbers, booleans as booleans, the rest as the text the CPE sent (the series store drops what is not a number). */
function valueOf(p: ParameterValueStruct): RawValue {
  const type = p.type;
  if (type === 'xsd:boolean') return p.Value === 'true' || p.Value === '1';
  if (type === 'xsd:int' || type === 'xsd:unsignedInt' || type === 'xsd:long' || type === 'xsd:unsignedLong') {
    const n = Number(p.Value);
    return Number.isFinite(n) ? n : p.Value;
  }
  const n = p.Value.trim() === '' ? NaN : Number(p.Value);
  return Number.isFinite(n) ? n : p.Value;
}
