/**
 * Does a value fit its xsd type (TR-069 A.2.1, TR-106 primitive types)? The
 * checks a SetParameterValues value passes before it is queued, so a CPE never
 * sees a value the XSD validator (or the CPE's 9007) would refuse. Values come
 * out canonical: integers without sign or leading zeros, booleans
 * "true"/"false", so what is stored is what the cache will hold after the CPE
 * accepts it.
 */
import type { XsdType } from '../cwmp/soap/types';

/** A canonical wire string, or why the value does not fit (the caller adds index and path). */
export type ValueCheck = { ok: true; value: string } | { ok: false; reason: string };

/** Inclusive bounds of the integer types. */
const INTEGER_RANGES: Partial<Record<XsdType, readonly [bigint, bigint]>> = {
  'xsd:int': [-(2n ** 31n), 2n ** 31n - 1n],
  'xsd:unsignedInt': [0n, 2n ** 32n - 1n],
  'xsd:long': [-(2n ** 63n), 2n ** 63n - 1n],
  'xsd:unsignedLong': [0n, 2n ** 64n - 1n],
};

const INTEGER = /^[+-]?\d+$/;
/** xsd:dateTime lexical form: date, T, time, optional fraction, optional zone. */
const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A JSON scalar as a value of `type`: a string is checked as written, numbers and booleans are converted first. */
export function checkValue(raw: string | number | boolean, type: XsdType): ValueCheck {
  if (typeof raw === 'number' && !Number.isFinite(raw)) return fail(`${raw} is not a number`);
  if (typeof raw === 'number' && Number.isInteger(raw) && !Number.isSafeInteger(raw)) {
    return fail(`${raw} is not an exact integer; pass it as a string`);
  }
  if (typeof raw === 'boolean' && type !== 'xsd:boolean' && type !== 'xsd:string') return fail(`${raw} is not a valid ${type}`);
  const text = String(raw);
  const check = CHECKS[type](text);
  return check.ok ? check : fail(`${JSON.stringify(text)} is not a valid ${type}${check.reason ? ` (${check.reason})` : ''}`);
}

type Check = (text: string) => ValueCheck;

const CHECKS: Record<XsdType, Check> = {
  'xsd:string': (text) => ok(text),
  'xsd:int': integer('xsd:int'),
  'xsd:unsignedInt': integer('xsd:unsignedInt'),
  'xsd:long': integer('xsd:long'),
  'xsd:unsignedLong': integer('xsd:unsignedLong'),
  'xsd:boolean': boolean,
  'xsd:dateTime': dateTime,
  'xsd:base64': base64,
  'xsd:hexBinary': (text) => (HEX.test(text) ? ok(text) : fail('hex digits, two per byte')),
};

function integer(type: XsdType): Check {
  const [min, max] = INTEGER_RANGES[type] ?? [0n, 0n];
  return (text) => {
    if (!INTEGER.test(text)) return fail('');
    const n = BigInt(text);
    return n < min || n > max ? fail(`out of range ${min}..${max}`) : ok(String(n));
  };
}

/** XML Schema booleans are exactly true, false, 1, 0; sent as "true"/"false" like the cache stores them. */
function boolean(text: string): ValueCheck {
  if (text === 'true' || text === '1') return ok('true');
  if (text === 'false' || text === '0') return ok('false');
  return fail('true, false, 1 or 0');
}

function dateTime(text: string): ValueCheck {
  const m = DATE_TIME.exec(text);
  if (!m) return fail('e.g. 2026-12-04T10:00:00Z');
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  const zoneOk = m[9] === undefined || (Number(m[9]) <= 14 && Number(m[10]) <= 59);
  // XML Schema 1.0 has no year 0000 (CPEs write 0001-01-01T00:00:00Z for "unknown").
  const fits = Number(m[1]) !== 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(Number(m[1]), month) &&
    hour <= 23 && minute <= 59 && second <= 59 && zoneOk;
  return fits ? ok(text) : fail('a field is out of range');
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 29 : 28;
}

/**
 * Canonical base64 only (length a multiple of 4, no whitespace, zero padding bits): what every decoder reads the same.
 * atob/btoa, not Buffer: the web UI checks values with this file too (src/ui).
 */
function base64(text: string): ValueCheck {
  const canonical = BASE64.test(text) && text.length % 4 === 0 && btoa(atob(text)) === text;
  return canonical ? ok(text) : fail('canonical base64');
}

function ok(value: string): ValueCheck {
  return { ok: true, value };
}

function fail(reason: string): ValueCheck {
  return { ok: false, reason };
}
