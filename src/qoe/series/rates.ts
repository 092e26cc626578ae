/**
 * One frame of one stream becomes one row: gauges as read, counters as a
 * rate per second since the stream's previous frame.
 *
 * A counter that went down either wrapped (it passed 2^bits - 1 and started
 * again from 0) or was reset. A wrap is believed when the distance it
 * implies is at most half the counter's range; anything else is a reset, and
 * so is every counter of a frame whose uptime went back (a reboot: counters
 * that grew past their old value since the reboot would give a wrong rate).
 * A reset interval has no rate; a reboot adds a point under REBOOTS_PATH.
 * A counter wraps at 2^bits of its profile parameter (from the data model's
 * type), or at 2^32 when the device typed it xsd:unsignedInt in the read.
 */
import { REBOOTS_PATH, type CollectionProfile, type Frame } from '../types';
import { bitsOf, counterValue, gaugeValue, parameterOf, type Column } from './values';

/** What the previous frame of the stream left. */
export interface Previous {
  time: number | null;
  uptimeS: number | null;
  counters: Map<string, bigint>;
}

export interface FrameRow {
  columns: Column[];
  /** Aligned with columns; NaN where there is no value (first frame, reset, absent). */
  values: number[];
  /** The counters' raw values, for the next frame. */
  counters: Map<string, bigint>;
  reboot: boolean;
  rates: number;
  dropped: { path: string; reason: string }[];
}

const REBOOT_COLUMN: Column = { path: REBOOTS_PATH, kind: 'gauge' };

/** The rate of a counter from `prev` to `cur` over `dtS` seconds, or NaN for a reset. */
export function counterRate(prev: bigint, cur: bigint, bits: number, dtS: number): number {
  if (cur >= prev) return Number(cur - prev) / dtS;
  const wrapped = cur + (1n << BigInt(bits)) - prev;
  return wrapped <= 1n << BigInt(bits - 1) ? Number(wrapped) / dtS : NaN;
}

interface Read {
  column: Column;
  gauge?: number;
  counter?: { value: bigint; bits: number };
}

function readValues(frame: Frame, profile: CollectionProfile, dropped: FrameRow['dropped']): Read[] {
  const reads: Read[] = [];
  const narrow = new Set(frame.narrow);
  for (const [path, raw] of Object.entries(frame.values)) {
    const parameter = parameterOf(profile, path);
    if (!parameter) {
      dropped.push({ path, reason: `not a parameter of profile ${profile.name}` });
      continue;
    }
    const column: Column = { path, kind: parameter.kind, ...(parameter.alias ? { alias: parameter.alias } : {}) };
    // What the device said it sends wins over what the data model declares.
    const bits = narrow.has(path) ? 32 : bitsOf(parameter);
    const v = parameter.kind === 'counter' ? counterValue(raw, bits) : gaugeValue(raw);
    if (typeof v === 'object') dropped.push({ path, reason: v.reason });
    else reads.push(typeof v === 'bigint' ? { column, counter: { value: v, bits } } : { column, gauge: v });
  }
  return reads.sort((a, b) => (a.column.path < b.column.path ? -1 : a.column.path > b.column.path ? 1 : 0));
}

export function isReboot(frame: Frame, prev: Previous): boolean {
  return frame.uptimeS !== undefined && prev.uptimeS !== null && frame.uptimeS < prev.uptimeS;
}

/** The row of `frame`, the stream's previous frame being `prev` (time null: none). */
export function frameRow(frame: Frame, profile: CollectionProfile, prev: Previous): FrameRow {
  const dropped: FrameRow['dropped'] = [];
  const reads = readValues(frame, profile, dropped);
  const reboot = isReboot(frame, prev);
  const dtS = prev.time === null ? NaN : (frame.time - prev.time) / 1000;
  const counters = new Map<string, bigint>();
  let rates = 0;
  const values = reads.map((r) => {
    if (!r.counter) return r.gauge as number;
    counters.set(r.column.path, r.counter.value);
    const before = prev.counters.get(r.column.path);
    if (reboot || before === undefined || !(dtS > 0)) return NaN;
    const rate = counterRate(before, r.counter.value, r.counter.bits, dtS);
    if (!Number.isNaN(rate)) rates++;
    return rate;
  });
  return { columns: [...reads.map((r) => r.column), REBOOT_COLUMN], values: [...values, reboot ? 1 : NaN], counters, reboot, rates, dropped };
}
