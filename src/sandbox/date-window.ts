/**
 * `Date.now(interval[, variance])` and `Date.now(cron[, variance])` in scripts
 * (GenieACS's forms): the start of the device's current window, so that
 * `declare(path, { value: Date.now(3_600_000) })` reads the value at most once
 * an hour per device.
 *
 * Each device's windows are shifted by its own offset, drawn from its device
 * key within `variance` ms: a fleet does not refresh all at once at the top of
 * the hour. For an interval the variance defaults to the interval (offsets
 * spread over the whole interval); for a cron there is no offset unless a
 * variance is given. 0 means no offset. The offset is a pure function of the
 * device key, so every replay and every session of a device sees the same
 * windows (the offsets are not GenieACS's: a migrated device's windows start
 * at other minutes, with the same meaning).
 *
 * Crons are the preset schedules' five fields, UTC (presets/cron.ts): the
 * window starts at the cron's latest minute at or before now.
 */
import { createHash } from 'node:crypto';
import { parseCron, previousStart, type CronResult } from '../presets/cron';
import type { EpochMs } from '../db/types';

/** What a script passed: an interval in ms or a cron, and a variance in ms (null: the default). */
export type WindowSpec = { every: number | string; variance: number | null };

/** The device's offset within `variance` ms: [0, variance), the same for every call with this key. */
export function deviceOffset(deviceKey: string, variance: number): number {
  const span = Math.floor(variance);
  if (span < 1) return 0;
  // 48 bits of a hash of the key: uniform enough for any variance a script would give (years in ms fit).
  return createHash('sha256').update(deviceKey).digest().readUIntBE(0, 6) % span;
}

/** The start of the window containing `now` for this device, or why the arguments are wrong. */
export function windowStart(now: EpochMs, deviceKey: string, spec: WindowSpec): EpochMs | { error: string } {
  const { every, variance } = spec;
  if (variance !== null && !(Number.isFinite(variance) && variance >= 0)) return { error: `Date.now(): variance must be 0 or more ms, not ${variance}` };
  if (typeof every === 'number') {
    if (!(Number.isFinite(every) && every >= 1)) return { error: `Date.now(): the interval must be 1 ms or more, not ${every}` };
    const offset = deviceOffset(deviceKey, variance ?? every);
    return Math.floor((now + offset) / every) * every - offset;
  }
  if (every.length > MAX_CRON_LENGTH) return { error: `Date.now(): a cron of ${every.length} characters, more than ${MAX_CRON_LENGTH}` };
  const cron = cronOf(every);
  if (!cron.ok) return { error: `Date.now(): cron "${every}": ${cron.message} (column ${cron.column})` };
  const offset = variance === null ? 0 : deviceOffset(deviceKey, variance);
  const start = previousStart(cron.spec, now + offset, 0);
  return start === null ? { error: `Date.now(): cron "${every}" never fired since 1970` } : start - offset;
}

/** Scripts use a handful of crons, each in run after run: parse each once (bounded: the texts come from scripts). */
const crons = new Map<string, CronResult>();
const MAX_CRONS = 256;
const MAX_CRON_LENGTH = 200;

function cronOf(text: string): CronResult {
  let parsed = crons.get(text);
  if (parsed === undefined) {
    parsed = parseCron(text);
    if (crons.size >= MAX_CRONS) crons.clear();
    crons.set(text, parsed);
  }
  return parsed;
}
