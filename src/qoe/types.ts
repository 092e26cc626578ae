/**
 * Quality of experience: the vocabulary every part of src/qoe shares.
 *
 * A collection profile names the parameters to watch on a device and how
 * often. Devices report them (TR-232 bulk data) or the ACS reads them on the
 * device's own periodic sessions (GetParameterValues); either way they arrive
 * as a {@link Frame}: one device, one profile, one time, the values read.
 * The series store turns frames into time series (counters into rates),
 * rolls them up and expires them; reports and alert rules query it.
 */
import type { ParameterPath } from '../cwmp/soap/types';
import type { DeviceKey, EpochMs } from '../db/types';

/**
 * counter: only ever grows until it wraps (at 2^bits) or the device resets it
 * (a reboot); stored as a rate per second. gauge: stored as read.
 */
export type SeriesKind = 'counter' | 'gauge';

/** One parameter (or a set of them, through "*" in place of instance numbers) a profile collects. */
export interface ProfileParameter {
  /** e.g. "Device.IP.Interface.*.Stats.BytesReceived"; "*" stands for any instance number. */
  path: string;
  kind: SeriesKind;
  /** Counters: the width they wrap at; by default 32 for xsd:unsignedInt and 64 for xsd:unsignedLong (the data model's type), else 64. */
  bits?: 32 | 64;
  /** A short name for reports and alert rules (e.g. "WANErrors"); by default the path. */
  alias?: string;
}

/** How long each resolution is kept, in days. */
export interface Retention {
  raw: number;
  '5m': number;
  '1h': number;
  '1d': number;
}

export interface CollectionProfile {
  /** Unique, [A-Za-z0-9_.-]{1,64}. */
  name: string;
  description?: string;
  parameters: ProfileParameter[];
  /** Seconds between two collections of a device (bulk data ReportingInterval; GPV at most this often). */
  intervalS: number;
  retention: Retention;
}

/** A value as it came from the device: numbers are kept, booleans count as 0/1, other strings are dropped. */
export type RawValue = number | string | boolean;

/** What one collection of one device brought: from a bulk data report (one per report row/time) or a GetParameterValues. */
export interface Frame {
  device: DeviceKey;
  profile: string;
  /** When the device measured (the report's timestamp), or when the ACS read it. */
  time: EpochMs;
  /** Concrete paths (instance numbers, no "*"). */
  values: Record<ParameterPath, RawValue>;
  /** The device's uptime in seconds at `time`, when known: a smaller uptime than before means a reboot (counters reset). */
  uptimeS?: number;
  /**
   * Paths the device typed xsd:unsignedInt in this read: they wrap at 2^32 whatever the data model
   * declares (the captured XX230v reports TR-181's 64-bit interface byte counters as 32-bit ones).
   */
  narrow?: ParameterPath[];
}

/** A point of a stored series: at raw resolution `value` alone; rolled up, min/max/avg of the values in the bucket. */
export interface Point {
  time: EpochMs;
  value: number;
  min?: number;
  max?: number;
}

export type Resolution = 'raw' | '5m' | '1h' | '1d';

/** One series of one device as a query returns it. */
export interface Series {
  device: DeviceKey;
  profile: string;
  path: ParameterPath;
  kind: SeriesKind;
  /** counter: per second. */
  unit: 'per-second' | 'value';
  resolution: Resolution;
  points: Point[];
}

/** What to read: one device's series of one profile (or all), by path ("*" allowed), in a time range. */
export interface SeriesQuery {
  device: DeviceKey;
  profile?: string;
  /** Concrete paths, paths with "*", or aliases; all of the profile's when absent. */
  paths?: string[];
  from: EpochMs;
  to: EpochMs;
  /** The finest resolution still kept for the range when absent. */
  resolution?: Resolution;
}

/**
 * Reboots seen by the series store (a counter reset with the uptime going
 * back, or the uptime going back alone) are a gauge series of their own under
 * this path: one point of value 1 at each reboot's frame.
 */
export const REBOOTS_PATH = '@reboots';

/** What reports and alert rules read from the series store. */
export interface SeriesReader {
  series(q: SeriesQuery): Promise<Series[]>;
  /** Devices with a frame of `profile` stored at or after `since`, in key order after `after`: alert rules evaluate only those. */
  devicesWithFramesSince(profile: string, since: EpochMs, limit: number, after?: DeviceKey): Promise<DeviceKey[]>;
}
