/**
 * The SQL half of a device query: a precondition (src/presets/expression.ts)
 * turned into a WHERE condition over `devices d` that every device for which
 * the precondition is TRUE satisfies. It is a pre-filter, not the answer:
 * device-query.ts evaluates the precondition itself (the same evaluator the
 * presets use) on each candidate, so the language's semantics are exact even
 * where SQL cannot express them:
 *
 * - type coercion (an xsd:int "05" equals 5; "1"/"true" are booleans) and
 *   version-aware ordering ("1.10" > "1.9") are never pushed to SQL: the SQL
 *   side only asks that the parameter exist with a value;
 * - `=` with a string literal and LIKE are pushed down, widened with
 *   "OR the parameter is typed (numeric/boolean)" because coercion changes
 *   what they compare; the collation may be case-insensitive (MySQL values,
 *   SQLite LIKE): that only widens the candidates;
 * - a `*` instance wildcard becomes a LIKE over paths (`%` also matches dots:
 *   wider again); the evaluator applies the exact "one segment" rule.
 *
 * Three-valued logic: `may(e, true)` is necessary for e to be TRUE and
 * `may(e, false)` for e to be FALSE, so NOT swaps them and a comparison with a
 * missing parameter (UNKNOWN) is neither.
 */
import type { CompareOp, DeviceTime, Expression, Operand } from '../presets/expression';
import { evaluate } from '../presets/expression';
import { requiredText, type RequiredText } from '../presets/regex-text';

/** A SQL condition with its positional parameters; true/false are the constant conditions. */
export type Cond = { sql: string; params: unknown[] } | boolean;

/** xsi:types the evaluator coerces (numbers, booleans): their stored text is not what they compare as. */
export const COERCED_TYPES = ['xsd:int', 'xsd:unsignedInt', 'xsd:long', 'xsd:unsignedLong', 'xsd:double', 'xsd:float', 'xsd:decimal', 'xsd:boolean'];

/** DeviceID.<field> → its devices column. */
export const IDENTITY_COLUMNS: Record<string, string> = {
  ID: 'd.device_key',
  Manufacturer: 'd.manufacturer',
  OUI: 'd.oui',
  ProductClass: 'd.product_class',
  SerialNumber: 'd.serial_number',
};

/** LIKE escape character: '!' is spelt the same in MySQL and SQLite string literals (a backslash is not). */
const ESC = '!';

export function and(a: Cond, b: Cond): Cond {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return { sql: `(${a.sql} AND ${b.sql})`, params: [...a.params, ...b.params] };
}

export function or(a: Cond, b: Cond): Cond {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return { sql: `(${a.sql} OR ${b.sql})`, params: [...a.params, ...b.params] };
}

function not(a: Cond): Cond {
  return typeof a === 'boolean' ? !a : { sql: `NOT ${a.sql}`, params: a.params };
}

/** The SQL text of a condition ("1=1" / "1=0" for the constants). */
export function sqlOf(c: Cond): { sql: string; params: unknown[] } {
  if (c === true) return { sql: '1=1', params: [] };
  if (c === false) return { sql: '1=0', params: [] };
  return c;
}

function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => ESC + c);
}

/** A path pattern ("Device.WiFi.SSID.*.SSID") as a LIKE pattern over stored paths. */
export function pathLike(path: string): string {
  return path.split('.').map((s) => (s === '*' ? '%' : escapeLike(s))).join('.');
}

/** The precondition language's LIKE pattern (`\` escapes) rewritten with the '!' escape. */
export function likePattern(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) out += escapeLike(pattern[++i]);
    else out += c === ESC ? ESC + ESC : c;
  }
  return out;
}

/** Stored parameter rows a path names: exact, or by LIKE for a wildcard path. */
export function pathMatch(path: string, alias = 'p'): { sql: string; params: unknown[] } {
  return path.includes('*')
    ? { sql: `${alias}.path LIKE ? ESCAPE '${ESC}'`, params: [pathLike(path)] }
    : { sql: `${alias}.path = ?`, params: [path] };
}

type Root = 'param' | 'tag' | 'identity';

function rootOf(path: string): Root {
  if (path.startsWith('Tags.')) return 'tag';
  if (path.startsWith('DeviceID.')) return 'identity';
  return 'param';
}

/** A leaf row of the path exists with a non-NULL value satisfying `extra`. */
function paramExists(path: string, extra?: { sql: string; params: unknown[] }, valueNull = false): Cond {
  const m = pathMatch(path);
  const value = valueNull ? 'p.value IS NULL' : 'p.value IS NOT NULL';
  const more = extra ? ` AND ${extra.sql}` : '';
  return {
    sql: `EXISTS (SELECT 1 FROM device_parameters p WHERE p.device_id = d.id AND ${m.sql} AND p.kind = 'leaf' AND ${value}${more})`,
    params: [...m.params, ...(extra?.params ?? [])],
  };
}

function tagExists(path: string): Cond {
  return { sql: 'EXISTS (SELECT 1 FROM device_tags t WHERE t.device_id = d.id AND t.tag = ?)', params: [path.slice('Tags.'.length)] };
}

/** The path has some non-NULL value (necessary for any comparison to be TRUE or FALSE). */
function present(path: string): Cond {
  switch (rootOf(path)) {
    case 'tag':
      return tagExists(path);
    case 'identity':
      return { sql: `${IDENTITY_COLUMNS[path.slice('DeviceID.'.length)]} IS NOT NULL`, params: [] };
    default:
      return paramExists(path);
  }
}

/** Exactly when `path IS NULL` is TRUE: no value, or some stored leaf without one. */
function isNull(path: string): Cond {
  if (rootOf(path) !== 'param') return not(present(path));
  return or(not(present(path)), paramExists(path, undefined, true));
}

const TYPED = `p.type IN (${COERCED_TYPES.map(() => '?').join(',')})`;

/**
 * The coerced types a value of which may equal `text` while stored as other
 * text ("5.0" as xsd:int equals "5"): none for a text that reads as no number
 * and no boolean. The evaluator says which, on a stored text it would coerce.
 */
function coercibleTypes(path: string, text: string): string[] {
  const equals = (value: string, type: string): boolean =>
    evaluate({ kind: 'compare', op: '=', left: { kind: 'path', path }, right: { kind: 'literal', value: text } }, () => [{ value, type }]);
  return COERCED_TYPES.filter((type) => (type === 'xsd:boolean' ? equals('true', type) || equals('false', type) : equals(String(Number(text)), type)));
}

/**
 * A stored value begins with the first 64 characters of `text`: read from the
 * (path, value_prefix) index alone, without the rows (migration
 * 1766200000000). Object rows have no value, hence no prefix.
 */
function prefixExists(path: string, text: string): Cond {
  const m = pathMatch(path);
  return {
    sql: `EXISTS (SELECT 1 FROM device_parameters p WHERE p.device_id = d.id AND ${m.sql} AND p.value_prefix = SUBSTR(?, 1, 64))`,
    params: [...m.params, text],
  };
}

/**
 * `path = "text"` pushed down: the stored text is equal (or begins the same:
 * the index holds a prefix), or the type makes it compare otherwise. Without
 * a type to widen for, the search reads the index only, so a value few
 * devices have is found without reading every device's row of the path.
 */
function equalsText(path: string, text: string): Cond {
  if (rootOf(path) === 'identity') return { sql: `${IDENTITY_COLUMNS[path.slice('DeviceID.'.length)]} = ?`, params: [text] };
  if (rootOf(path) === 'tag') return present(path);
  const types = coercibleTypes(path, text);
  if (types.length === 0) return prefixExists(path, text);
  return paramExists(path, { sql: `(p.value = ? OR p.type IN (${types.map(() => '?').join(',')}))`, params: [text, ...types] });
}

/**
 * What a LIKE or a regular expression needs of a value: the whole LIKE
 * pattern (with the '!' escape), the text it must begin with, every text it
 * must hold, and whether letters stand for either case (a regex's (?i)).
 */
interface TextShape {
  like: string;
  prefix: string;
  texts: string[];
  fold: boolean;
}

/** The language's LIKE pattern (`%`, `_`, `\` escapes) as a shape; null for one with a NUL (see likeSql). */
function likeShape(pattern: string): TextShape | null {
  if (pattern.includes('\u0000')) return null;
  const texts: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '%' || c === '_') texts.push('');
    else texts[texts.length - 1] += c === '\\' && i + 1 < pattern.length ? pattern[++i] : c;
  }
  return { like: likePattern(pattern), prefix: texts[0], texts: texts.filter((t) => t !== ''), fold: false };
}

/** A regular expression's needed text (regex-text.ts) as a shape; null when it needs none. */
function regexShape(r: RequiredText | null): TextShape | null {
  if (r === null) return null;
  return { like: `${[r.prefix, ...r.inner].map(escapeLike).join('%')}%`, prefix: r.prefix, texts: [r.prefix, ...r.inner].filter((t) => t !== ''), fold: r.fold };
}

/** Holds every piece of a finite number's text ("-1.5e+21": "1.5", "e+2", "-") and more; not "1.2.0". */
const NUMBER_PIECE = /^(-?[0-9]*(\.[0-9]*)?)?(e?[+-]?[0-9]*)?$/;

/**
 * Whether a value the evaluator coerces (xsd:int "05" compares as "5",
 * xsd:boolean "1" as "true") could hold the texts once coerced: only then
 * must a typed parameter stay a candidate whatever its stored text.
 */
function coercedMayHold(s: TextShape): boolean {
  return s.texts.every((t) => NUMBER_PIECE.test(t) || 'true'.includes(t) || 'false'.includes(t));
}

/**
 * A value of the path fits the shape: by the (path, value_prefix) index alone
 * when the shape is a prefix and nothing else (a needle is found without
 * reading every device's row), by the stored text otherwise; widened for
 * typed parameters when their coerced text could fit. The database's LIKE
 * may be blind to case (MySQL's unicode_ci values, SQLite): that only widens.
 */
function likeText(path: string, s: TextShape): Cond {
  const prefixOnly = s.prefix !== '' && s.like === `${escapeLike(s.prefix)}%`;
  if (rootOf(path) === 'identity') {
    // The device id compares bytes on MySQL (the other identity columns ignore case already): folded, it is lower-cased.
    const field = path.slice('DeviceID.'.length);
    const column = IDENTITY_COLUMNS[field];
    return likeSql(s.fold && field === 'ID' ? `LOWER(${column})` : column, column, s.like, prefixOnly);
  }
  if (rootOf(path) === 'tag') return present(path);
  if (coercedMayHold(s)) return paramExists(path, sqlOf(or(likeSql('p.value', 'p.value', s.like, prefixOnly), { sql: TYPED, params: COERCED_TYPES })));
  if (prefixOnly) return prefixLike(path, s.prefix);
  return paramExists(path, likeSql('p.value', 'p.value', s.like, false));
}

/**
 * `operand LIKE like`, or `column` holding a NUL when the pattern reads past
 * a wildcard: SQLite's LIKE stops reading a value at its first NUL, and a
 * CPE may send one. A pattern that is a prefix and a trailing % is decided
 * before any NUL past the prefix.
 */
function likeSql(operand: string, column: string, like: string, prefixOnly: boolean): { sql: string; params: unknown[] } {
  const sql = `${operand} LIKE ? ESCAPE '${ESC}'`;
  return prefixOnly ? { sql, params: [like] } : { sql: `(${sql} OR INSTR(${column}, ?) > 0)`, params: [like, '\u0000'] };
}

/** A stored value begins with `prefix`: read from the (path, value_prefix) index alone (see prefixExists). */
function prefixLike(path: string, prefix: string): Cond {
  const m = pathMatch(path);
  // value_prefix holds 64 characters; a UTF-16 cut could end inside one.
  const head = [...prefix].slice(0, 64).join('');
  return {
    sql: `EXISTS (SELECT 1 FROM device_parameters p WHERE p.device_id = d.id AND ${m.sql} AND p.value_prefix LIKE ? ESCAPE '${ESC}')`,
    params: [...m.params, `${escapeLike(head)}%`],
  };
}

function pathsIn(...operands: Operand[]): string[] {
  return operands.flatMap((o) => (o.kind === 'path' ? [o.path] : []));
}

/** The devices column of each time an expression reads. */
const TIME_COLUMNS: Record<DeviceTime, string> = { LastInform: 'd.last_inform', Registered: 'd.first_inform', LastBoot: 'd.last_boot', LastBootstrap: 'd.last_bootstrap' };

const known = (field: DeviceTime): Cond => ({ sql: `${TIME_COLUMNS[field]} IS NOT NULL`, params: [] });
const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const NEGATED: Record<CompareOp, CompareOp> = { '=': '<>', '<>': '=', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

/** A non-NULL value is needed for anything but IS NULL and a bare operand: a path's, or a time's. */
function presentOperand(o: Operand): Cond {
  if (o.kind === 'path') return present(o.path);
  return o.kind === 'time' ? known(o.field) : true;
}

/**
 * A comparison of a time (LastInform ...): with a number (NOW() bound to one
 * by the search) it is exactly `d.<column> <op> n` (FALSE: the opposite
 * operator; NULL is neither); otherwise every operand must have a value.
 */
function compareTime(e: Extract<Expression, { kind: 'compare' }>, truth: boolean): Cond {
  const [time, other, op] = e.left.kind === 'time' ? [e.left, e.right, e.op] : [e.right, e.left, FLIPPED[e.op]];
  if (time.kind === 'time' && other.kind === 'literal' && typeof other.value === 'number') {
    return { sql: `${TIME_COLUMNS[time.field]} ${truth ? op : NEGATED[op]} ?`, params: [other.value] };
  }
  return and(presentOperand(e.left), presentOperand(e.right));
}

/** A predicate without paths has a constant truth value: the evaluator says which. */
function constant(e: Expression, truth: boolean): boolean {
  return evaluate(truth ? e : { kind: 'not', operand: e }, () => []);
}

function compare(e: Extract<Expression, { kind: 'compare' }>, truth: boolean): Cond {
  if (e.left.kind === 'time' || e.right.kind === 'time') return compareTime(e, truth);
  const paths = pathsIn(e.left, e.right);
  if (paths.length === 0) return constant(e, truth);
  if (truth && e.op === '=' && paths.length === 1) {
    const lit = e.left.kind === 'literal' ? e.left.value : e.right.kind === 'literal' ? e.right.value : null;
    if (typeof lit === 'string') return equalsText(paths[0], lit);
  }
  return paths.map(present).reduce(and, true);
}

/** LIKE and MATCHES pushed down when they must hold: as the text their matches need (a regex's from regex-text.ts). */
function like(e: Extract<Expression, { kind: 'like' | 'matches' }>, truth: boolean): Cond {
  if (e.operand.kind === 'literal' || e.operand.kind === 'now') return constant(e, truth);
  if (e.operand.kind === 'time') return known(e.operand.field);
  const path = e.operand.path;
  if (!truth || e.negated) return present(path);
  const shape = e.kind === 'like' ? likeShape(e.pattern) : regexShape(requiredText(e.pattern));
  return shape ? likeText(path, shape) : present(path);
}

function isNullPredicate(e: Extract<Expression, { kind: 'is-null' }>, truth: boolean): Cond {
  if (e.operand.kind === 'literal' || e.operand.kind === 'now') return constant(e, truth);
  // Exact either way: the column is the value.
  if (e.operand.kind === 'time') return truth === e.negated ? known(e.operand.field) : not(known(e.operand.field));
  const path = e.operand.path;
  // `IS NULL` TRUE: exactly isNull(); `IS NOT NULL` FALSE: no non-NULL value; the other two need one.
  if (truth === e.negated) return present(path);
  return e.negated ? not(present(path)) : isNull(path);
}

function truthy(e: Extract<Expression, { kind: 'truthy' }>, truth: boolean): Cond {
  if (e.operand.kind === 'literal' || e.operand.kind === 'now') return constant(e, truth);
  // A time is never TRUE.
  if (e.operand.kind === 'time') return !truth;
  const path = e.operand.path;
  if (rootOf(path) === 'tag') return truth ? tagExists(path) : not(tagExists(path));
  // FALSE covers "absent" (two-valued on purpose in the language): no pre-filter.
  return truth ? present(path) : true;
}

/** A condition necessary for `e` to evaluate to `truth` (TRUE, or FALSE) on a device. */
export function may(e: Expression, truth: boolean): Cond {
  switch (e.kind) {
    case 'and':
      return truth ? and(may(e.left, true), may(e.right, true)) : or(may(e.left, false), may(e.right, false));
    case 'or':
      return truth ? or(may(e.left, true), may(e.right, true)) : and(may(e.left, false), may(e.right, false));
    case 'not':
      return may(e.operand, !truth);
    case 'compare':
      return compare(e, truth);
    case 'like':
    case 'matches':
      return like(e, truth);
    case 'is-null':
      return isNullPredicate(e, truth);
    case 'truthy':
      return truthy(e, truth);
  }
}
