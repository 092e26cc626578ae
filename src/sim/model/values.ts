/**
 * Value rules of the simulated CPE: what a SetParameterValues value must look
 * like for its type (fault 9007 otherwise), the form the CPE stores and
 * reports it in, and the default value of a fresh parameter.
 */
import type { XsdType } from '../../cwmp/soap/types';
import { UNKNOWN_TIME, type Constraint, type Range } from './types';

export type ValueCheck = { ok: true; value: string } | { ok: false; reason: string };

const INT_LIMITS: Readonly<Record<string, readonly [bigint, bigint]>> = {
  'xsd:int': [-(2n ** 31n), 2n ** 31n - 1n],
  'xsd:unsignedInt': [0n, 2n ** 32n - 1n],
  'xsd:long': [-(2n ** 63n), 2n ** 63n - 1n],
  'xsd:unsignedLong': [0n, 2n ** 64n - 1n],
};

const INTEGER = /^[+-]?\d+$/;
// xsd:dateTime: [-]YYYY-MM-DDThh:mm:ss[.fff][Z|(+|-)hh:mm]
const DATE_TIME = /^-?(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month of the proleptic Gregorian calendar (xsd:dateTime's). */
function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1];
}

/** True for a valid xsd:dateTime (the Unknown Time included; hour 24 only as 24:00:00). */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, oh, om] = m;
  const month = Number(mo);
  if (month < 1 || month > 12) return false;
  const day = Number(d);
  if (day < 1 || day > daysIn(Number(y), month)) return false;
  const hour = Number(h);
  if (hour > 24 || Number(mi) > 59 || Number(s) > 60) return false;
  if (hour === 24 && (Number(mi) !== 0 || Number(s) !== 0)) return false;
  if (oh !== undefined && (Number(oh) > 14 || Number(om) > 59)) return false;
  return true;
}

function inRange(n: bigint, r: Range): boolean {
  if (r.min !== undefined && n < BigInt(r.min)) return false;
  if (r.max !== undefined && n > BigInt(r.max)) return false;
  if (r.step !== undefined && BigInt(r.step) > 1n) {
    const base = r.min !== undefined ? BigInt(r.min) : 0n;
    if ((n - base) % BigInt(r.step) !== 0n) return false;
  }
  return true;
}

function checkItem(item: string, c: Constraint): string | undefined {
  if (c.enumeration && c.enumeration.length > 0 && !c.enumeration.includes(item)) {
    return `"${item}" is not one of the allowed values`;
  }
  if (c.minLength !== undefined && item.length < c.minLength) return `shorter than ${c.minLength} characters`;
  if (c.maxLength !== undefined && item.length > c.maxLength) return `longer than ${c.maxLength} characters`;
  if (c.patterns && c.patterns.length > 0 && !c.patterns.some((p) => p.test(item))) return `"${item}" does not match the pattern`;
  return undefined;
}

function checkString(value: string, c: Constraint | undefined): string | undefined {
  if (!c) return undefined;
  if (c.list) {
    if (c.list.maxLength !== undefined && value.length > c.list.maxLength) return `list longer than ${c.list.maxLength} characters`;
    const items = value === '' ? [] : value.split(',').map((s) => s.trim());
    if (c.list.minItems !== undefined && items.length < c.list.minItems) return `fewer than ${c.list.minItems} items`;
    if (c.list.maxItems !== undefined && items.length > c.list.maxItems) return `more than ${c.list.maxItems} items`;
    for (const item of items) {
      const bad = checkItem(item, c);
      if (bad) return bad;
    }
    return undefined;
  }
  return checkItem(value, c);
}

/** Size facets of base64/hexBinary count decoded bytes (TR-106). */
function checkBytes(bytes: number, c: Constraint | undefined): string | undefined {
  if (c?.minLength !== undefined && bytes < c.minLength) return `shorter than ${c.minLength} bytes`;
  if (c?.maxLength !== undefined && bytes > c.maxLength) return `longer than ${c.maxLength} bytes`;
  return undefined;
}

/**
 * Checks a value sent for a parameter of `type` (the type already matched)
 * and returns the form the CPE stores: booleans as "true"/"false", integers
 * without sign or leading zeros.
 */
export function checkValue(type: XsdType, raw: string, constraint?: Constraint): ValueCheck {
  switch (type) {
    case 'xsd:boolean': {
      const t = raw.trim().toLowerCase();
      if (t === 'true' || t === '1') return { ok: true, value: 'true' };
      if (t === 'false' || t === '0') return { ok: true, value: 'false' };
      return { ok: false, reason: 'not a boolean' };
    }
    case 'xsd:int':
    case 'xsd:unsignedInt':
    case 'xsd:long':
    case 'xsd:unsignedLong': {
      const t = raw.trim();
      if (!INTEGER.test(t)) return { ok: false, reason: 'not an integer' };
      const n = BigInt(t);
      const [lo, hi] = INT_LIMITS[type];
      if (n < lo || n > hi) return { ok: false, reason: `out of the ${type} range` };
      if (constraint?.ranges && constraint.ranges.length > 0 && !constraint.ranges.some((r) => inRange(n, r))) {
        return { ok: false, reason: 'outside the allowed range' };
      }
      const value = n.toString();
      if (constraint?.enumeration && constraint.enumeration.length > 0 && !constraint.enumeration.includes(value)) {
        return { ok: false, reason: 'not one of the allowed values' };
      }
      return { ok: true, value };
    }
    case 'xsd:dateTime': {
      const t = raw.trim();
      return isDateTime(t) ? { ok: true, value: t } : { ok: false, reason: 'not an xsd:dateTime' };
    }
    case 'xsd:base64': {
      const t = raw.replace(/\s+/g, '');
      if (!BASE64.test(t) || t.length % 4 !== 0) return { ok: false, reason: 'not base64' };
      const bytes = (t.length / 4) * 3 - (t.endsWith('==') ? 2 : t.endsWith('=') ? 1 : 0);
      const bad = checkBytes(bytes, constraint);
      return bad ? { ok: false, reason: bad } : { ok: true, value: t };
    }
    case 'xsd:hexBinary': {
      const t = raw.trim();
      if (!HEX.test(t)) return { ok: false, reason: 'not hexBinary' };
      const bad = checkBytes(t.length / 2, constraint);
      return bad ? { ok: false, reason: bad } : { ok: true, value: t };
    }
    case 'xsd:string': {
      const bad = checkString(raw, constraint);
      return bad ? { ok: false, reason: bad } : { ok: true, value: raw };
    }
  }
}

// Values tried, in order, for a string whose patterns exclude "".
const PATTERN_CANDIDATES = [
  '',
  '0',
  '0.0.0.0',
  '00:00:00:00:00:00',
  '000000',
  '00000000-0000-0000-0000-000000000000',
  '::',
  '0.0.0.0/0',
  '::/0',
  '2.0',
  'a',
];

/**
 * The value a fresh parameter gets when the data model gives no default: the
 * first enumeration value, the minimum of a range, false, 0, the Unknown Time,
 * or an empty (or pattern-matching) string.
 */
export function defaultValue(type: XsdType, constraint?: Constraint): string {
  switch (type) {
    case 'xsd:boolean':
      return 'false';
    case 'xsd:dateTime':
      return UNKNOWN_TIME;
    case 'xsd:int':
    case 'xsd:unsignedInt':
    case 'xsd:long':
    case 'xsd:unsignedLong': {
      if (constraint?.enumeration?.length) return constraint.enumeration[0];
      const r = constraint?.ranges?.[0];
      if (r && ((r.min !== undefined && BigInt(r.min) > 0n) || (r.max !== undefined && BigInt(r.max) < 0n))) {
        return r.min ?? (r.max as string);
      }
      return '0';
    }
    default: {
      if (!constraint || constraint.list) return '';
      if (constraint.enumeration?.length) return constraint.enumeration[0];
      const patterns = constraint.patterns;
      if (patterns?.length) {
        const hit = PATTERN_CANDIDATES.find((v) => patterns.some((p) => p.test(v)));
        return hit ?? '';
      }
      if (constraint.minLength) return '0'.repeat(constraint.minLength);
      return '';
    }
  }
}
