/**
 * Values and timestamps of bulk data reports, read as the collector stores
 * them: numbers as numbers, booleans as booleans, anything else as text.
 *
 * unsignedLong counters beyond 2^53 lose precision as JavaScript numbers
 * (the low digits round); rates computed from them are still right to
 * within 1 part in 2^53, which is what the series store needs.
 */
import type { RawValue } from '../types';
import type { EpochMs } from '../../db/types';

// Canonical decimal numbers only: "00123" (a serial number, a PIN) stays text.
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Types as CSV ParameterPerRow reports name them (TR-106 types, with or without "xsd:"). */
const NUMERIC_TYPES = new Set(['int', 'unsignedint', 'long', 'unsignedlong', 'decimal', 'double', 'float']);

/** A value whose type the report does not say: a number if it reads as one, a boolean if "true"/"false", else text (as sent). */
export function inferValue(text: string): RawValue {
  // Padding around a number or boolean is no part of it (CPEs align columns); text keeps its spaces.
  const t = text.trim();
  if (NUMBER.test(t)) return Number(t);
  if (t === 'true') return true;
  if (t === 'false') return false;
  return text;
}

/** A value with the type the report gives (CSV ParameterType); an unknown or mismatching type falls back to inference. */
export function typedValue(text: string, type: string): RawValue {
  const t = type.trim().toLowerCase().replace(/^xsd:/, '');
  if (NUMERIC_TYPES.has(t)) return NUMBER.test(text.trim()) ? Number(text.trim()) : text;
  if (t === 'boolean') {
    const b = text.trim().toLowerCase();
    if (b === 'true' || b === '1') return true;
    if (b === 'false' || b === '0') return false;
    return text;
  }
  if (t === '') return inferValue(text);
  return text;
}

/** A JSON value: numbers and booleans kept, strings inferred (many CPEs quote every value), null as "". */
export function jsonValue(v: unknown): RawValue | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return inferValue(v);
  if (v === null) return '';
  return undefined;
}

/** Times before this are not absolute: a CPE without a clock reports the time since its last reboot. */
const EARLIEST = Date.UTC(2000, 0, 1);
/** An epoch number at least this large is in milliseconds (as TR-181 says), smaller ones in seconds (as CPEs and TR-069's examples send). */
const MS_THRESHOLD = 1e11;

export type TimeReading = { ok: true; time?: EpochMs } | { ok: false; reason: string };

/**
 * A report or row timestamp: Unix epoch (seconds or milliseconds, as number
 * or text) or ISO-8601. A time since boot (before 2000) or the Unknown Time
 * gives no time; text that is neither is an error.
 */
export function readTimestamp(v: unknown): TimeReading {
  if (typeof v === 'number') return fromEpoch(v);
  if (typeof v !== 'string') return { ok: false, reason: `timestamp ${JSON.stringify(v)} is neither a number nor text` };
  const t = v.trim();
  if (t === '') return { ok: true };
  if (/^\d+(?:\.\d+)?$/.test(t)) return fromEpoch(Number(t));
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(t)) {
    // ISO-8601 without a zone is taken as UTC (TR-069 dateTime: "UTC unless stated").
    const ms = Date.parse(/(?:Z|[+-]\d{2}:?\d{2})$/i.test(t) ? t : `${t}Z`);
    if (Number.isNaN(ms)) return { ok: false, reason: `timestamp "${t}" is not a valid ISO-8601 time` };
    return { ok: true, time: ms >= EARLIEST ? ms : undefined };
  }
  return { ok: false, reason: `timestamp "${t}" is neither Unix epoch nor ISO-8601` };
}

function fromEpoch(n: number): TimeReading {
  if (!Number.isFinite(n) || n < 0) return { ok: false, reason: `timestamp ${n} is not a valid Unix epoch time` };
  const ms = n >= MS_THRESHOLD ? n : n * 1000;
  return { ok: true, time: ms >= EARLIEST ? Math.round(ms) : undefined };
}
