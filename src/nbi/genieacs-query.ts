/**
 * GenieACS's JSON device query (`GET /devices/?query={...}`, MongoDB-style)
 * translated to our device search (src/db/device-query.ts): a precondition
 * in the presets' language. Existing integrations keep their queries:
 *
 *   {"_id": "...", "_tags": "vip", "_deviceId._ProductClass": "XX230v",
 *    "InternetGatewayDevice.DeviceInfo.SoftwareVersion": {"$lt": "2.0"},
 *    "_lastInform": {"$lt": "2026-12-01T00:00:00Z"}}
 *
 * Operators: $eq $ne $lt $lte $gt $gte $in $nin $and $or $not $exists
 * $regex (with $options i, m, s, x). A literal pattern, anchored or not,
 * becomes LIKE (the database filters on it); any other runs in linear time
 * (MATCHES, src/presets/regex.ts), so no backreferences or lookaround.
 * _lastInform, _registered, _lastBoot and _lastBootstrap take ISO dates or
 * epoch ms, anywhere in the query. As in MongoDB, $ne, $nin and $not also
 * match devices that lack the parameter. Parameters compare with our
 * language's typed rules (numbers as numbers, versions part by part). A
 * problem is an Error naming the key at fault.
 */
import type { DeviceQuery } from '../db/device-query';
import { compileMongoRegex, mongoPattern } from '../presets/regex';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const IDENTITY: Record<string, string> = {
  _id: 'DeviceID.ID',
  '_deviceId._Manufacturer': 'DeviceID.Manufacturer',
  '_deviceId._OUI': 'DeviceID.OUI',
  '_deviceId._ProductClass': 'DeviceID.ProductClass',
  '_deviceId._SerialNumber': 'DeviceID.SerialNumber',
};

/** GenieACS's device times, as our language names them. */
const TIMES: Record<string, string> = { _lastInform: 'LastInform', _registered: 'Registered', _lastBoot: 'LastBoot', _lastBootstrap: 'LastBootstrap' };

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

/**
 * A $regex as our language says it: a literal that the pattern says starts,
 * ends, is or contains, as LIKE (the database filters on it); any other
 * pattern, or one with options, as MATCHES with the options as a leading
 * flag group.
 */
function regexOf(key: string, path: string, $regex: Json, $options: Json): string {
  const r = compileMongoRegex($regex, $options);
  if (!r.ok) return fail(key, r.message);
  // Compiled, so both are strings.
  const [source, options] = [String($regex), String($options)];
  const m = /^(\^?)((?:[^\\^$.|?*+()[\]{}]|\\[\\^$.|?*+()[\]{}/-])*)(\$?)$/.exec(source);
  if (m && options === '') {
    const text = m[2].replace(/\\(.)/g, '$1').replace(/[\\%_]/g, (c) => `\\${c}`);
    return `${path} LIKE ${literal(key, `${m[1] ? '' : '%'}${text}${m[3] ? '' : '%'}`)}`;
  }
  return `${path} MATCHES ${literal(key, mongoPattern(source, options))}`;
}

/** A time's value: an ISO date or epoch ms, as epoch ms. */
const timeLiteral = (key: string, v: Json): string => String(time(key, v));

/**
 * The condition one value or operator object puts on `path` (a parameter,
 * identity path or time); `value` writes a value of it in our language.
 */
function condition(key: string, path: string, spec: Json, value = literal): string {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return `${path} = ${value(key, spec)}`;
  const parts: string[] = [];
  for (const [op, v] of Object.entries(spec)) {
    if (op in COMPARE) parts.push(`${path} ${COMPARE[op]} ${value(key, v)}`);
    else if (op === '$ne') parts.push(`(${path} IS NULL OR ${path} <> ${value(key, v)})`);
    else if (op === '$in' || op === '$nin') {
      if (!Array.isArray(v) || v.length === 0) fail(key, `${op} needs a non-empty array`);
      const any = or(v.map((x) => `${path} = ${value(key, x)}`));
      parts.push(op === '$in' ? any : `(${path} IS NULL OR NOT ${any})`);
    } else if (op === '$exists') parts.push(`${path} IS ${v === false ? '' : 'NOT '}NULL`);
    else if (op === '$not') parts.push(`(${path} IS NULL OR NOT ${condition(key, path, v, value)})`);
    else if (op === '$regex') {
      if (value !== literal) fail(key, '$regex does not apply to a time');
      parts.push(regexOf(key, path, v, (spec as Record<string, Json>).$options ?? ''));
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

/** The conditions of one query object. */
function objectCondition(obj: Json): string {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return fail('', 'must be a JSON object');
  const parts: string[] = [];
  for (const [key, spec] of Object.entries(obj)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(spec) || spec.length === 0) fail(key, 'needs a non-empty array of queries');
      const subs = spec.map((s) => objectCondition(s));
      parts.push(key === '$and' ? and(subs) : or(subs));
    } else if (key === '_tags') parts.push(tags(spec));
    else if (key in TIMES) parts.push(condition(key, TIMES[key], spec, timeLiteral));
    else if (key in IDENTITY) parts.push(condition(key, IDENTITY[key], spec));
    else {
      const path = key.endsWith('._value') ? key.slice(0, -'._value'.length) : key;
      if (!PATH.test(path)) fail(key, 'is not a parameter path or a supported field (_id, _tags, _lastInform, _registered, _lastBoot, _lastBootstrap, _deviceId._*)');
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
  const filter = objectCondition(parsed);
  return filter === 'TRUE' ? {} : { filter };
}
