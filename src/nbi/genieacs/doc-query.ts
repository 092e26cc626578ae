/**
 * GenieACS's MongoDB-style `?query=` over the documents of the small
 * collections this API builds in memory (tasks, faults, presets, provisions,
 * virtual parameters, files). Devices are searched in SQL instead
 * (../genieacs-query.ts).
 *
 * Operators: $eq $ne $lt $lte $gt $gte $in $nin $exists $not $and $or; a
 * dotted key reads into nested objects ("metadata.fileType"), and an array
 * field matches when one of its elements does, as in MongoDB. $regex (with
 * $options i, m, s, x) runs in linear time (src/presets/regex.ts), so a
 * client's pattern cannot stall the process: no backreferences or lookaround.
 */
import { badRequest } from '../../errors';
import { compileMongoRegex } from '../../presets/regex';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Doc = { [k: string]: Json };
export type DocMatcher = (doc: Doc) => boolean;

const isObject = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

function fail(key: string, message: string): never {
  return badRequest(`query ${key}: ${message}`);
}

/** The value at a dotted path; undefined when a step is missing. */
export function valueAt(doc: Json, path: string): Json | undefined {
  let v: Json | undefined = doc;
  for (const step of path.split('.')) v = isObject(v) ? v[step] : undefined;
  return v;
}

function equal(a: Json | undefined, b: Json): boolean {
  if (Array.isArray(a) && !Array.isArray(b)) return a.some((x) => equal(x, b));
  return JSON.stringify(a ?? null) === JSON.stringify(b);
}

/** Numbers with numbers, strings with strings (ISO dates compare as text); other pairs never. */
function compare(a: Json | undefined, b: Json, op: string): boolean {
  if (Array.isArray(a)) return a.some((x) => compare(x, b, op));
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
  return op === '$lt' ? a < b : op === '$lte' ? a <= b : op === '$gt' ? a > b : a >= b;
}

function listOf(key: string, op: string, v: Json): Json[] {
  if (!Array.isArray(v)) fail(key, `${op} needs an array`);
  return v;
}

/** Whether `value` (the field's, possibly absent) satisfies one operator object or literal. */
function satisfies(key: string, value: Json | undefined, spec: Json): boolean {
  if (!isObject(spec) || !Object.keys(spec).some((k) => k.startsWith('$'))) return equal(value, spec);
  // Every operator is looked at (no short cut): the check before any document refuses a bad one wherever it is.
  const results = Object.entries(spec).map(([op, v]) => {
    switch (op) {
      case '$eq': return equal(value, v);
      case '$ne': return !equal(value, v);
      case '$lt': case '$lte': case '$gt': case '$gte': return compare(value, v, op);
      case '$in': return listOf(key, op, v).some((x) => equal(value, x));
      case '$nin': return !listOf(key, op, v).some((x) => equal(value, x));
      case '$exists': return (value !== undefined) === (v !== false && v !== 0);
      case '$not': return !satisfies(key, value, v);
      case '$regex': return matchesRegex(value, regexOf(key, spec));
      case '$options': return '$regex' in spec || fail(key, '$options needs $regex');
      default: return fail(key, `unknown operator ${op}`);
    }
  });
  return results.every((r) => r);
}

/** Each operator object's $regex, compiled once. */
const regexes = new WeakMap<Doc, (s: string) => boolean>();

function regexOf(key: string, spec: Doc): (s: string) => boolean {
  let test = regexes.get(spec);
  if (test) return test;
  const r = compileMongoRegex(spec.$regex, spec.$options ?? '');
  if (!r.ok) return fail(key, r.message);
  regexes.set(spec, (test = r.test));
  return test;
}

/** A string value, or an array with one, that the pattern finds a match in. */
function matchesRegex(value: Json | undefined, test: (s: string) => boolean): boolean {
  if (Array.isArray(value)) return value.some((x) => typeof x === 'string' && test(x));
  return typeof value === 'string' && test(value);
}

function matcherOf(query: Json): DocMatcher {
  if (!isObject(query)) return fail('', 'must be a JSON object');
  const parts: DocMatcher[] = Object.entries(query).map(([key, spec]) => {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(spec) || spec.length === 0) fail(key, 'needs a non-empty array of queries');
      const subs = spec.map(matcherOf);
      return key === '$and' ? (d) => subs.every((m) => m(d)) : (d) => subs.some((m) => m(d));
    }
    if (key.startsWith('$')) fail(key, 'unknown top-level operator');
    satisfies(key, undefined, spec); // refuses a bad operator now, not only when a document reaches it
    return (d) => satisfies(key, valueAt(d, key), spec);
  });
  return (d) => parts.every((m) => m(d));
}

/** The parsed `?query=` (absent: every document), and the matcher it makes; a 400 naming the key at fault. */
export function docQueryOf(text: string | undefined): { query: Doc; matches: DocMatcher } {
  if (text === undefined || text.trim() === '') return { query: {}, matches: () => true };
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (err) {
    return badRequest(`query is not JSON: ${(err as Error).message}`);
  }
  return { query: isObject(parsed) ? parsed : {}, matches: matcherOf(parsed) };
}

/** The string a query requires a field to equal ({"device": "x"} or {"device": {"$eq": "x"}}), for a narrower SQL read. */
export function equalityOf(query: Doc, key: string): string | undefined {
  const spec = query[key];
  if (typeof spec === 'string') return spec;
  return isObject(spec) && typeof spec.$eq === 'string' ? spec.$eq : undefined;
}
