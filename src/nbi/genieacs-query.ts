/**
 * GenieACS's JSON device query (`GET /devices/?query={...}`, MongoDB-style)
 * translated to our device search (src/db/device-query.ts): a precondition
 * in the presets' language plus last-Inform bounds. Existing integrations keep
 * their queries:
 *
 *   {"_id": "...", "_tags": "vip", "_deviceId._ProductClass": "XX230v",
 *    "InternetGatewayDevice.DeviceInfo.SoftwareVersion": {"$lt": "2.0"},
 *    "_lastInform": {"$lt": "2026-12-01T00:00:00Z"}}
 *
 * Operators: $eq $ne $lt $lte $gt $gte $in $nin $and $or $not $exists
 * $regex (anchored or plain literal patterns, which become LIKE; others are
 * refused rather than run: a regular expression from a client could stall the
 * process). As in MongoDB, $ne, $nin and $not also match devices that lack
 * the parameter. Parameters compare with our language's typed rules
 * (numbers as numbers, versions part by part). A problem is an Error naming
 * the key at fault.
 */
import type { DeviceQuery } from '../db/device-query';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const IDENTITY: Record<string, string> = {
  _id: 'DeviceID.ID',
  '_deviceId._Manufacturer': 'DeviceID.Manufacturer',
  '_deviceId._OUI': 'DeviceID.OUI',
  '_deviceId._ProductClass': 'DeviceID.ProductClass',
  '_deviceId._SerialNumber': 'DeviceID.SerialNumber',
};

const COMPARE: Record<string, string> = { $eq: '=', $lt: '<', $lte: '<=', $gt: '>', $gte: '>=' };
const PATH = /^(Device|InternetGatewayDevice)(\.([A-Za-z0-9_-]+|\*))+$/;

function fail(key: string, message: string): never {
  throw new Error(`query ${key}: ${message}`);
}

/** Our string literal syntax is JSON's, less \b and \f. */
function literal(key: string, v: Json): string {
  if (typeof v === 'string') return JSON.stringify(v).replace(/\\b/g, '\\u0008').replace(/\\f/g, '\\u000c');
  if (typeof v === 'number' && Number.isFinite(v)) return String(v).replace('e+', 'e');
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return fail(key, `${JSON.stringify(v)} is not a string, number or boolean`);
}

const or = (parts: string[]): string => (parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`);
const and = (parts: string[]): string => (parts.length === 0 ? 'TRUE' : parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`);

/** A MongoDB regex that says "starts with", "ends with", "is" or "contains" a literal, as a LIKE pattern. */
function likeOf(key: string, source: string, options: string): string {
  if (options !== '') fail(key, `$options ${JSON.stringify(options)} is not supported`);
  const m = /^(\^?)((?:[^\\^$.|?*+()[\]{}]|\\[\\^$.|?*+()[\]{}/-])*)(\$?)$/.exec(source);
  if (!m) fail(key, `$regex ${JSON.stringify(source)}: only literal patterns, optionally anchored with ^ and $, are supported`);
  const text = m[2].replace(/\\(.)/g, '$1').replace(/[\\%_]/g, (c) => `\\${c}`);
  return `${m[1] ? '' : '%'}${text}${m[3] ? '' : '%'}`;
}

/** The condition one value or operator object puts on `path` (a parameter or identity path). */
function condition(key: string, path: string, spec: Json): string {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return `${path} = ${literal(key, spec)}`;
  const parts: string[] = [];
  for (const [op, v] of Object.entries(spec)) {
    if (op in COMPARE) parts.push(`${path} ${COMPARE[op]} ${literal(key, v)}`);
    else if (op === '$ne') parts.push(`(${path} IS NULL OR ${path} <> ${literal(key, v)})`);
    else if (op === '$in' || op === '$nin') {
      if (!Array.isArray(v) || v.length === 0) fail(key, `${op} needs a non-empty array`);
      const any = or(v.map((x) => `${path} = ${literal(key, x)}`));
      parts.push(op === '$in' ? any : `(${path} IS NULL OR NOT ${any})`);
    } else if (op === '$exists') parts.push(`${path} IS ${v === false ? '' : 'NOT '}NULL`);
    else if (op === '$not') parts.push(`(${path} IS NULL OR NOT ${condition(key, path, v)})`);
    else if (op === '$regex') {
      const options = (spec as Record<string, Json>).$options ?? '';
      if (typeof v !== 'string' || typeof options !== 'string') fail(key, '$regex and $options must be strings');
      parts.push(`${path} LIKE ${literal(key, likeOf(key, v, options))}`);
    } else if (op !== '$options') fail(key, `unknown operator ${op}`);
  }
  return and(parts);
}

/** `_tags`: a tag name, or operators over tag names. */
function tags(spec: Json): string {
  const tag = (v: Json): string => {
    if (typeof v !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(v)) fail('_tags', `${JSON.stringify(v)} is not a tag name (letters, digits, _ . -)`);
    return `Tags.${v}`;
  };
  if (typeof spec === 'string') return `${tag(spec)} IS NOT NULL`;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return fail('_tags', 'must be a tag name or an operator object');
  const parts = Object.entries(spec).map(([op, v]) => {
    if (op === '$eq') return `${tag(v)} IS NOT NULL`;
    if (op === '$ne') return `${tag(v)} IS NULL`;
    if (op === '$in' || op === '$nin') {
      if (!Array.isArray(v) || v.length === 0) fail('_tags', `${op} needs a non-empty array`);
      return op === '$in' ? or(v.map((x) => `${tag(x)} IS NOT NULL`)) : and(v.map((x) => `${tag(x)} IS NULL`));
    }
    return fail('_tags', `operator ${op} is not supported on tags`);
  });
  return and(parts);
}

/** Milliseconds from an ISO date or epoch milliseconds. */
function time(key: string, v: Json): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) fail(key, `${JSON.stringify(v)} is not a date`);
  return n;
}

function lastInform(spec: Json, q: DeviceQuery): void {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return fail('_lastInform', 'needs $lt, $lte, $gt or $gte');
  for (const [op, v] of Object.entries(spec)) {
    const t = time('_lastInform', v);
    if (op === '$lt') q.lastInformBefore = t;
    else if (op === '$lte') q.lastInformBefore = t + 1;
    else if (op === '$gte') q.lastInformAfter = t;
    else if (op === '$gt') q.lastInformAfter = t + 1;
    else fail('_lastInform', `operator ${op} is not supported (use $lt, $lte, $gt, $gte)`);
  }
}

/** The conditions of one query object; with `q` (the top level), _lastInform sets its bounds. */
function objectCondition(obj: Json, q: DeviceQuery | null): string {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return fail('', 'must be a JSON object');
  const parts: string[] = [];
  for (const [key, spec] of Object.entries(obj)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(spec) || spec.length === 0) fail(key, 'needs a non-empty array of queries');
      const subs = spec.map((s) => objectCondition(s, null));
      parts.push(key === '$and' ? and(subs) : or(subs));
    } else if (key === '_tags') parts.push(tags(spec));
    else if (key === '_lastInform') {
      if (!q) fail(key, 'only at the top level of the query (it bounds the search)');
      lastInform(spec, q);
    } else if (key in IDENTITY) parts.push(condition(key, IDENTITY[key], spec));
    else {
      const path = key.endsWith('._value') ? key.slice(0, -'._value'.length) : key;
      if (!PATH.test(path)) fail(key, 'is not a parameter path or a supported field (_id, _tags, _lastInform, _deviceId._*)');
      parts.push(condition(key, path, spec));
    }
  }
  return and(parts);
}

/** The search a GenieACS query stands for; throws an Error naming the key at fault. */
export function fromGenieacsQuery(text: string): DeviceQuery {
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (err) {
    throw new Error(`query is not JSON: ${(err as Error).message}`);
  }
  const q: DeviceQuery = {};
  const filter = objectCondition(parsed, q);
  if (filter !== 'TRUE') q.filter = filter;
  return q;
}
