/**
 * Parameter.{i}.Name renames (TR-069 Annex N.3.1): a report names a
 * parameter by the profile's Name instead of its path. For a Reference with
 * wildcards or a partial path, the Name stands for the part of the path
 * before the first wildcard (the whole partial path), and the rest of each
 * concrete path follows it:
 *
 *   Reference Device.WiFi.AccessPoint.1.AssociatedDevice.*.SignalStrength, Name Assoc
 *     -> Assoc.1.SignalStrength, Assoc.2.SignalStrength
 *   Reference Device.IP.Interface.1.Stats., Name WANStats -> WANStats.BytesSent, ...
 *   Reference Device.DeviceInfo.UpTime, Name Up -> Up
 *
 * The simulator names its reports with {@link reportName}; the collector
 * maps them back with {@link pathsFromNames}.
 */
import type { RawValue } from '../types';

/** One Parameter.{i} of a profile. */
export interface ReportParameter {
  /** Parameter.{i}.Name; "" or absent: the path is the name. */
  name?: string;
  /** Parameter.{i}.Reference: a parameter path, a partial path ("X.") or a path with "*" for instance numbers. */
  reference: string;
}

/** The part of a Reference a Name stands for: up to the first "*", without the trailing ".". */
export function namedPrefix(reference: string): string {
  const star = reference.indexOf('*');
  const fixed = star >= 0 ? reference.slice(0, star) : reference;
  return fixed.endsWith('.') ? fixed.slice(0, -1) : fixed;
}

/** The name a concrete path (one the Reference matched) has in a report. */
export function reportName(parameter: ReportParameter, path: string): string {
  if (!parameter.name) return path;
  const prefix = namedPrefix(parameter.reference);
  return path.startsWith(prefix) ? parameter.name + path.slice(prefix.length) : path;
}

/**
 * The values of a report row by path: every name that is a profile's Name
 * (or starts with it and a ".") becomes the path it stands for; other names
 * are kept as they are (they are paths already). The longest Name wins when
 * one is a prefix of another.
 */
export function pathsFromNames(values: Record<string, RawValue>, parameters: readonly ReportParameter[]): Record<string, RawValue> {
  const renames = parameters
    .filter((p): p is Required<ReportParameter> => !!p.name)
    .map((p) => ({ name: p.name, prefix: namedPrefix(p.reference) }))
    .sort((a, b) => b.name.length - a.name.length);
  if (renames.length === 0) return values;
  const out: Record<string, RawValue> = {};
  for (const [key, value] of Object.entries(values)) {
    const hit = renames.find((r) => key === r.name || key.startsWith(r.name + '.'));
    out[hit ? hit.prefix + key.slice(hit.name.length) : key] = value;
  }
  return out;
}
