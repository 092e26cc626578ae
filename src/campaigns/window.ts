/**
 * Maintenance windows: a device is started only while its local time of day
 * is between the window's start and end. Its zone is its own when the cached
 * parameters say (TIMEZONE_PATHS, first found), else the window's.
 *
 * Device zones come in three spellings, all handled:
 * - an IANA name ("Europe/Paris"), which some CPEs put in LocalTimeZoneName:
 *   exact, daylight saving included (Intl);
 * - a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3", what TR-098/TR-181 ask
 *   for): its standard offset only. Daylight-saving rules are ignored, so in
 *   summer such a device's window is one hour off;
 * - an offset ("+01:00", TR-098 InternetGatewayDevice.Time.LocalTimeZone).
 */
import type { WindowSpec } from './types';

export type Zone = { kind: 'iana'; name: string } | { kind: 'offset'; minutes: number };

/** Where a device's zone is read from, in order of preference. */
export const TIMEZONE_PATHS = [
  'Device.Time.LocalTimeZoneName',
  'Device.Time.LocalTimeZone',
  'InternetGatewayDevice.Time.LocalTimeZoneName',
  'InternetGatewayDevice.Time.LocalTimeZone',
];

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM" → minutes after midnight; null when not a time of day. */
export function parseClock(v: unknown): number | null {
  const m = typeof v === 'string' ? CLOCK.exec(v) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(name: string): Intl.DateTimeFormat | null {
  if (!formatters.has(name)) {
    let f: Intl.DateTimeFormat | null = null;
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone: name, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      f = null;
    }
    // Bounded: zone names come from devices; a few hundred exist.
    if (formatters.size < 1000) formatters.set(name, f);
    return f;
  }
  return formatters.get(name) ?? null;
}

/** Whether Intl knows the IANA zone. */
export function checkTimezone(name: string): boolean {
  return formatter(name) !== null;
}

const OFFSET = /^([+-])(\d{1,2}):?(\d{2})$/;
const POSIX = /^(?:<[^>]{1,16}>|[A-Za-z]{3,})([+-]?)(\d{1,2})(?::(\d{2}))?/;

/** A device's zone from a parameter value; null when it is none of the spellings above. */
export function parseZone(value: string): Zone | null {
  const v = value.trim();
  if (v === '') return null;
  if (v.includes('/') && !v.includes(',') && checkTimezone(v)) return { kind: 'iana', name: v };
  const off = OFFSET.exec(v);
  if (off) return { kind: 'offset', minutes: (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3])) };
  const posix = POSIX.exec(v);
  // POSIX offsets are west-positive: "CET-1" is UTC+1.
  if (posix) return { kind: 'offset', minutes: (posix[1] === '-' ? 1 : -1) * (Number(posix[2]) * 60 + Number(posix[3] ?? 0)) };
  return checkTimezone(v) ? { kind: 'iana', name: v } : null;
}

/** Local minutes after midnight at `now` in `zone`. */
export function localMinutes(now: number, zone: Zone): number {
  if (zone.kind === 'offset') return (((Math.floor(now / 60_000) + zone.minutes) % 1440) + 1440) % 1440;
  const parts = (formatter(zone.name) as Intl.DateTimeFormat).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** Whether `now` is inside the window in `zone` (the window's own zone when null). */
export function inWindow(window: WindowSpec, now: number, zone: Zone | null): boolean {
  const start = parseClock(window.start) as number;
  const end = parseClock(window.end) as number;
  const t = localMinutes(now, zone ?? { kind: 'iana', name: window.timezone });
  return start < end ? t >= start && t < end : t >= start || t < end;
}
