/**
 * The precondition language of presets: a small, SQL-like boolean expression
 * over device parameters and tags. Hand-written tokenizer and
 * recursive-descent parser to a plain AST, and a tree-walking evaluator:
 * nothing here ever reaches `eval` or `Function`.
 *
 * ```
 * expr      := or
 * or        := and ("OR" and)*
 * and       := not ("AND" not)*
 * not       := "NOT" not | predicate                  NOT binds tighter than AND, AND than OR
 * predicate := "(" expr ")"
 *            | operand ("=" | "<>" | "<" | "<=" | ">" | ">=") operand
 *            | operand ["NOT"] "LIKE" string
 *            | operand ["NOT"] "MATCHES" string             a regular expression (regex.ts)
 *            | operand "IS" ["NOT"] "NULL"
 *            | path | "TRUE" | "FALSE" | "NULL"          a bare path is true when its value is true
 * operand   := path | string | number | "TRUE" | "FALSE" | "NULL" | time | now
 * time      := "LastInform" | "Registered" | "LastBoot" | "LastBootstrap"
 * now       := "NOW" "(" ")" [("+" | "-") duration]      duration: 30s, 15m, 12h, 1d, 2w (also 500ms)
 * ```
 *
 * - Keywords are case-insensitive; paths are case-sensitive.
 * - Strings are double-quoted, with escapes \" \\ \/ \n \r \t \uXXXX.
 *   Numbers: `42`, `-3`, `2.5`, `1e3`. Text that is not a number (a version,
 *   an OUI) must be quoted: `"1.2.3"`.
 * - Paths: `Device.…`, `InternetGatewayDevice.…` (any instance number may be
 *   `*`), `DeviceID.{ID,Manufacturer,OUI,ProductClass,SerialNumber}`,
 *   `Tags.<name>` (true when the device has the tag, NULL otherwise),
 *   `VirtualParameters.<name>`.
 * - `LastInform` is the time of the device's last Inform (epoch ms; in a
 *   session, the Inform being answered; NULL for a device never seen), and
 *   `NOW()` the time the expression is evaluated, give or take a duration:
 *   `LastInform < NOW() - 1d` holds for a device silent for a day.
 *   `Registered` is the time of its first Inform here, `LastBoot` and
 *   `LastBootstrap` of its last Inform with 1 BOOT and 0 BOOTSTRAP (in a
 *   session with that event, the Inform being answered); NULL when there is
 *   none. A time compares with a number (epoch ms), NOW() or a date string.
 *
 * Semantics (three-valued, as in SQL): a parameter the device does not have is
 * NULL; any comparison or LIKE with NULL is unknown; NOT unknown is unknown;
 * AND/OR follow Kleene logic; a precondition holds only when it is TRUE.
 * Comparing with the NULL literal (`x = NULL`) is rejected at compile time:
 * write `x IS NULL`.
 *
 * A path with `*` reads every matching instance, and each predicate (=, <>,
 * <, LIKE, NOT LIKE, IS NULL, ...) is true when it holds for at least one of
 * them. `Device.WiFi.SSID.*.SSID = "guest"`: some SSID is "guest";
 * `NOT (Device.WiFi.SSID.*.SSID = "guest")`: none is.
 *
 * Comparisons:
 * - number with number: numerically. A parameter typed xsd:int,
 *   xsd:unsignedInt, xsd:long or xsd:unsignedLong is a number; an untyped
 *   string that spells a number is compared numerically with a number.
 * - string with string: `=` and `<>` are exact. Ordering is version-aware when
 *   both look like versions (optional "v", dot-separated numbers, optional
 *   suffix: "1.10", "V2.0.3", "3.1.0-rc2", "17"): numbers part by part
 *   ("1.10" > "1.9"), a shorter list of numbers first ("1.2" < "1.2.0"), then
 *   the suffix ("1.2" < "1.2b" < "1.2rc10", digit runs numerically; no
 *   pre-release semantics). Otherwise code-unit (lexicographic) order.
 *   The quoting of the literal decides: `< "1.2"` is a string (version)
 *   comparison, `< 1.2` numeric.
 * - boolean with boolean: false < true. A parameter typed xsd:boolean is a
 *   boolean ("1"/"true", "0"/"false"), and so is such a string compared with
 *   TRUE or FALSE.
 * - other mixes are incomparable: `=` false, `<>` true, ordering unknown.
 *
 * LIKE is case-sensitive: `%` any run of characters, `_` one character,
 * `\` makes the next one literal (written "\\" inside a string literal).
 * MATCHES holds when a regular expression finds a match anywhere in the
 * value (anchor it with ^ and $): JavaScript's syntax, run in linear time, so
 * no backreferences, lookaround or counts over 16; `(?i)` first ignores the
 * case of ASCII letters (regex.ts).
 */

import { compileRegex } from './regex';

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Literal = string | number | boolean | null;

export type Operand =
  | { kind: 'path'; path: string }
  | { kind: 'literal'; value: Literal }
  | { kind: 'time'; field: DeviceTime }
  /** NOW() + offsetMs, read when evaluated. */
  | { kind: 'now'; offsetMs: number };

/** The device's times an expression reads by name; a Lookup is asked for them by that name. */
export const DEVICE_TIMES = ['LastInform', 'Registered', 'LastBoot', 'LastBootstrap'] as const;
export type DeviceTime = (typeof DEVICE_TIMES)[number];

const isDeviceTime = (word: string): word is DeviceTime => (DEVICE_TIMES as readonly string[]).includes(word);

export type Expression =
  | { kind: 'and'; left: Expression; right: Expression }
  | { kind: 'or'; left: Expression; right: Expression }
  | { kind: 'not'; operand: Expression }
  | { kind: 'compare'; op: CompareOp; left: Operand; right: Operand }
  | { kind: 'like'; negated: boolean; operand: Operand; pattern: string; regex: RegExp }
  | { kind: 'matches'; negated: boolean; operand: Operand; pattern: string; test: (s: string) => boolean }
  | { kind: 'is-null'; negated: boolean; operand: Operand }
  /** A bare path or TRUE/FALSE/NULL: true when the value is boolean true. */
  | { kind: 'truthy'; operand: Operand };

export type CompileResult =
  | { ok: true; expr: Expression }
  /** `column` is 1-based, in `text`; text.length + 1 for "unexpected end". */
  | { ok: false; message: string; column: number };

/** One value a path resolves to; `type` is the xsi:type when known ("xsd:int"). */
export interface LookupValue {
  value: string | number | boolean | null;
  type?: string;
}

/**
 * Resolves a path as written in the expression (possibly with `*`) to the
 * values of every parameter it names; [] when there is none (NULL).
 */
export type Lookup = (path: string) => LookupValue[];

// ------------------------------------------------------------------ tokenizer

type Token =
  | { t: '(' | ')' | 'eof'; col: number }
  | { t: 'op'; op: CompareOp; col: number }
  | { t: 'string'; value: string; col: number; end: number }
  | { t: 'number'; value: number; col: number }
  /** `signed`: written with its minus ("-1d", right after NOW()). */
  | { t: 'duration'; ms: number; signed: boolean; text: string; col: number }
  | { t: 'sign'; sign: '+' | '-'; col: number }
  | { t: 'word'; text: string; col: number };

class CompileError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'LIKE', 'MATCHES', 'IS', 'NULL', 'TRUE', 'FALSE', 'NOW']);
const NUMBER_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD_CHAR = /[A-Za-z0-9_\-.*]/;
const DURATION_UNIT = /^(ms|s|m|h|d|w)(?![A-Za-z0-9_\-.*])/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const col = i + 1;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ t: c, col });
      i++;
    } else if (c === '=') {
      if (text[i + 1] === '=') throw new CompileError("'==' is not an operator: use '='", col);
      tokens.push({ t: 'op', op: '=', col });
      i++;
    } else if (c === '<') {
      const two = text.slice(i, i + 2);
      if (two === '<>' || two === '<=') {
        tokens.push({ t: 'op', op: two, col });
        i += 2;
      } else {
        tokens.push({ t: 'op', op: '<', col });
        i++;
      }
    } else if (c === '>') {
      if (text[i + 1] === '=') {
        tokens.push({ t: 'op', op: '>=', col });
        i += 2;
      } else {
        tokens.push({ t: 'op', op: '>', col });
        i++;
      }
    } else if (c === '+' || (c === '-' && !/[0-9.]/.test(text[i + 1] ?? ''))) {
      tokens.push({ t: 'sign', sign: c, col });
      i++;
    } else if (c === '!') {
      throw new CompileError(text[i + 1] === '=' ? "'!=' is not an operator: use '<>'" : "unexpected '!': use NOT", col);
    } else if (c === '"') {
      const [value, end] = readString(text, i);
      tokens.push({ t: 'string', value, col, end: end + 1 });
      i = end;
    } else if (c === "'") {
      throw new CompileError('strings are written in double quotes ("...")', col);
    } else if ((c >= '0' && c <= '9') || ((c === '-' || c === '.') && /[0-9.]/.test(text[i + 1] ?? ''))) {
      const m = NUMBER_RE.exec(text.slice(i));
      if (!m) throw new CompileError(`unexpected '${c}'`, col);
      const unit = DURATION_UNIT.exec(text.slice(i + m[0].length));
      if (unit) {
        const end = i + m[0].length + unit[1].length;
        tokens.push({ t: 'duration', ms: Number(m[0]) * UNIT_MS[unit[1]], signed: m[0].startsWith('-'), text: text.slice(i, end), col });
        i = end;
        continue;
      }
      const after = text[i + m[0].length];
      if (after !== undefined && WORD_CHAR.test(after)) {
        let j = i;
        while (j < text.length && WORD_CHAR.test(text[j])) j++;
        throw new CompileError(`'${text.slice(i, j)}' is not a number: quote text and versions ("${text.slice(i, j)}")`, col);
      }
      tokens.push({ t: 'number', value: Number(m[0]), col });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < text.length && WORD_CHAR.test(text[j])) j++;
      tokens.push({ t: 'word', text: text.slice(i, j), col });
      i = j;
    } else {
      throw new CompileError(`unexpected character '${c}'`, col);
    }
  }
  tokens.push({ t: 'eof', col: text.length + 1 });
  return tokens;
}

/** Reads a double-quoted string starting at `start`; returns its value and the index after the closing quote. */
function readString(text: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return [out, i + 1];
    if (c === '\\') {
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        throw new CompileError(`unknown escape '\\${e ?? ''}' in string (use \\\\ for a backslash)`, i + 1);
      }
    } else {
      out += c;
      i++;
    }
  }
  throw new CompileError('unterminated string: missing closing \'"\'', start + 1);
}

// --------------------------------------------------------------------- paths

const DEVICE_ID_FIELDS = ['ID', 'Manufacturer', 'OUI', 'ProductClass', 'SerialNumber'];
const ROOTS = ['Device', 'InternetGatewayDevice', 'DeviceID', 'Tags', 'VirtualParameters'];
const NAME_SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INDEX_SEGMENT = /^[0-9]+$/;
const TAG_NAME = /^[A-Za-z0-9_-]+$/;

/** Throws a CompileError (at the offending segment) unless `text` is a valid parameter path. */
function checkPath(text: string, col: number): void {
  const segments = text.split('.');
  const root = segments[0];
  const segmentCol = (n: number): number => col + segments.slice(0, n).join('.').length + (n > 0 ? 1 : 0);
  if (!ROOTS.includes(root)) {
    const hint = ROOTS.find((r) => r.toLowerCase() === root.toLowerCase());
    throw new CompileError(
      hint
        ? `unknown path root '${root}': did you mean '${hint}'?`
        : `unknown path root '${root}' (expected ${ROOTS.join(', ')})`,
      col,
    );
  }
  if (text.endsWith('.')) {
    throw new CompileError(`'${text}' names an object: a precondition reads parameters (remove the trailing '.')`, col);
  }
  for (let n = 1; n < segments.length; n++) {
    if (segments[n] === '') throw new CompileError(`empty segment in path '${text}'`, segmentCol(n));
  }
  if (segments.length < 2) throw new CompileError(`incomplete path '${text}': name a parameter below ${root}`, col);
  if (root === 'DeviceID' || root === 'Tags' || root === 'VirtualParameters') {
    if (segments.length > 2) throw new CompileError(`'${text}': ${root} has no sub-objects (${root}.<name>)`, segmentCol(2));
    const name = segments[1];
    if (root === 'DeviceID' && !DEVICE_ID_FIELDS.includes(name)) {
      throw new CompileError(`unknown DeviceID field '${name}' (expected ${DEVICE_ID_FIELDS.join(', ')})`, segmentCol(1));
    }
    if (root === 'Tags' && !TAG_NAME.test(name)) {
      throw new CompileError(`invalid tag name '${name}' (letters, digits, '_' and '-')`, segmentCol(1));
    }
    if (root === 'VirtualParameters' && !NAME_SEGMENT.test(name)) {
      throw new CompileError(`invalid virtual parameter name '${name}'`, segmentCol(1));
    }
    return;
  }
  for (let n = 1; n < segments.length; n++) {
    const s = segments[n];
    if (s === '*') {
      if (n === segments.length - 1) {
        throw new CompileError(`'${text}' ends with '*', which names objects: name a parameter below it`, segmentCol(n));
      }
    } else if (!NAME_SEGMENT.test(s) && !INDEX_SEGMENT.test(s)) {
      throw new CompileError(`invalid path segment '${s}' in '${text}'`, segmentCol(n));
    }
  }
}

// -------------------------------------------------------------------- parser

const MAX_DEPTH = 64;
const MAX_TOKENS = 4096;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private isKeyword(tok: Token, kw: string): boolean {
    return tok.t === 'word' && tok.text.toUpperCase() === kw;
  }

  private describe(tok: Token): string {
    switch (tok.t) {
      case 'eof':
        return 'end of expression';
      case 'word':
        return `'${tok.text}'`;
      case 'string':
        return `string "${tok.value}"`;
      case 'number':
        return `number ${tok.value}`;
      case 'duration':
        return `duration ${tok.text}`;
      case 'sign':
        return `'${tok.sign}'`;
      case 'op':
        return `'${tok.op}'`;
      default:
        return `'${tok.t}'`;
    }
  }

  parseAll(): Expression {
    const expr = this.parseOr();
    const tok = this.peek();
    if (tok.t !== 'eof') {
      const hint = tok.t === ')' ? ' (unbalanced parenthesis)' : ' (expected AND, OR or end of expression)';
      throw new CompileError(`unexpected ${this.describe(tok)}${hint}`, tok.col);
    }
    return expr;
  }

  private enter(col: number): void {
    if (++this.depth > MAX_DEPTH) throw new CompileError(`expression nested more than ${MAX_DEPTH} levels deep`, col);
  }

  private parseOr(): Expression {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), 'OR')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parseNot();
    while (this.isKeyword(this.peek(), 'AND')) {
      this.next();
      left = { kind: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Expression {
    const tok = this.peek();
    if (this.isKeyword(tok, 'NOT')) {
      this.next();
      this.enter(tok.col);
      const operand = this.parseNot();
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.parsePredicate();
  }

  private parsePredicate(): Expression {
    const tok = this.peek();
    if (tok.t === '(') {
      this.next();
      this.enter(tok.col);
      const inner = this.parseOr();
      this.depth--;
      const close = this.next();
      if (close.t !== ')') {
        throw new CompileError(`expected ')' to close the '(' at column ${tok.col}, found ${this.describe(close)}`, close.col);
      }
      return inner;
    }
    const left = this.parseOperand();
    const opTok = this.peek();
    if (opTok.t === 'op') {
      this.next();
      const right = this.parseOperand();
      for (const side of [left, right]) {
        if (side.operand.kind === 'literal' && side.operand.value === null) {
          const fix = opTok.op === '=' ? 'IS NULL' : opTok.op === '<>' ? 'IS NOT NULL' : 'IS NULL / IS NOT NULL';
          throw new CompileError(`a comparison with NULL is never true: use ${fix}`, side.col);
        }
      }
      return { kind: 'compare', op: opTok.op, left: asTime(left, right), right: asTime(right, left) };
    }
    if (this.isKeyword(opTok, 'NOT') || this.isKeyword(opTok, 'LIKE') || this.isKeyword(opTok, 'MATCHES')) {
      this.next();
      const negated = this.isKeyword(opTok, 'NOT');
      const verb = negated ? this.next() : opTok;
      const word = this.isKeyword(verb, 'LIKE') ? 'LIKE' : this.isKeyword(verb, 'MATCHES') ? 'MATCHES' : null;
      if (word === null) throw new CompileError(`expected LIKE or MATCHES after NOT, found ${this.describe(verb)}`, verb.col);
      const pat = this.next();
      if (pat.t !== 'string') {
        throw new CompileError(`${word} needs a string pattern ("..."), found ${this.describe(pat)}`, pat.col);
      }
      this.checkNotNullLiteral(left, word);
      if (word === 'LIKE') return { kind: 'like', negated, operand: left.operand, pattern: pat.value, regex: likeToRegExp(pat.value) };
      const r = compileRegex(pat.value);
      if (!r.ok) throw new CompileError(`MATCHES: ${r.message}`, pat.col);
      return { kind: 'matches', negated, operand: left.operand, pattern: pat.value, test: r.test };
    }
    if (this.isKeyword(opTok, 'IS')) {
      this.next();
      let negated = false;
      let t = this.next();
      if (this.isKeyword(t, 'NOT')) {
        negated = true;
        t = this.next();
      }
      if (!this.isKeyword(t, 'NULL')) {
        throw new CompileError(`expected ${negated ? '' : '[NOT] '}NULL after IS, found ${this.describe(t)}`, t.col);
      }
      return { kind: 'is-null', negated, operand: left.operand };
    }
    if (left.operand.kind === 'literal' && typeof left.operand.value !== 'boolean' && left.operand.value !== null) {
      throw new CompileError(
        `expected a comparison operator (=, <>, <, <=, >, >=, LIKE, MATCHES, IS) after ${this.describe(left.tok)}, found ${this.describe(opTok)}`,
        opTok.col,
      );
    }
    if (opTok.t !== 'eof' && opTok.t !== ')' && !this.isKeyword(opTok, 'AND') && !this.isKeyword(opTok, 'OR')) {
      throw new CompileError(
        `expected an operator (=, <>, <, <=, >, >=, LIKE, MATCHES, IS, AND, OR) after ${this.describe(left.tok)}, found ${this.describe(opTok)}`,
        opTok.col,
      );
    }
    return { kind: 'truthy', operand: left.operand };
  }

  private checkNotNullLiteral(side: { operand: Operand; col: number }, what: string): void {
    if (side.operand.kind === 'literal' && side.operand.value === null) {
      throw new CompileError(`NULL ${what} ... is never true: use IS NULL`, side.col);
    }
  }

  private parseOperand(): { operand: Operand; col: number; tok: Token } {
    const tok = this.next();
    switch (tok.t) {
      case 'string':
        return { operand: { kind: 'literal', value: tok.value }, col: tok.col, tok };
      case 'number':
        return { operand: { kind: 'literal', value: tok.value }, col: tok.col, tok };
      case 'word': {
        const upper = tok.text.toUpperCase();
        if (isDeviceTime(tok.text)) return { operand: { kind: 'time', field: tok.text }, col: tok.col, tok };
        if (!tok.text.includes('.') && KEYWORDS.has(upper)) {
          if (upper === 'TRUE' || upper === 'FALSE') return { operand: { kind: 'literal', value: upper === 'TRUE' }, col: tok.col, tok };
          if (upper === 'NULL') return { operand: { kind: 'literal', value: null }, col: tok.col, tok };
          if (upper === 'NOW') return { operand: this.parseNow(), col: tok.col, tok };
          throw new CompileError(`expected a parameter path or a value, found keyword ${upper}`, tok.col);
        }
        checkPath(tok.text, tok.col);
        return { operand: { kind: 'path', path: tok.text }, col: tok.col, tok };
      }
      case 'duration':
        throw new CompileError(`a duration (${tok.text}) is added to or taken from NOW(): NOW() - ${tok.text.replace(/^-/, '')}`, tok.col);
      default:
        throw new CompileError(`expected a parameter path or a value, found ${this.describe(tok)}`, tok.col);
    }
  }

  /** After NOW: "()" and an optional offset, "- 1d" (or "-1d") / "+ 2h". */
  private parseNow(): Operand {
    for (const want of ['(', ')'] as const) {
      const t = this.next();
      if (t.t !== want) throw new CompileError(`expected '${want}' after NOW${want === ')' ? '(' : ''}, found ${this.describe(t)}`, t.col);
    }
    const t = this.peek();
    if (t.t === 'duration' && t.signed) {
      this.next();
      return { kind: 'now', offsetMs: t.ms };
    }
    if (t.t !== 'sign') return { kind: 'now', offsetMs: 0 };
    this.next();
    const d = this.next();
    if (d.t !== 'duration' || d.signed) throw new CompileError(`expected a duration after '${t.sign}' (30s, 15m, 12h, 1d, 2w), found ${this.describe(d)}`, d.col);
    return { kind: 'now', offsetMs: t.sign === '-' ? -d.ms : d.ms };
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A string compared with a time (LastInform ...) is a date ("2026-12-01", "2026-12-01T08:00:00Z"): its epoch ms; any other string is refused. */
function asTime(side: { operand: Operand; col: number }, other: { operand: Operand }): Operand {
  const o = side.operand;
  if (other.operand.kind !== 'time' || o.kind !== 'literal' || typeof o.value !== 'string') return o;
  const ms = ISO_DATE.test(o.value) ? Date.parse(o.value) : NaN;
  if (Number.isNaN(ms)) throw new CompileError(`${other.operand.field} is a time: compare it with NOW() - 1d, a date ("2026-12-01T08:00:00Z") or epoch ms, not "${o.value}"`, side.col);
  return { kind: 'literal', value: ms };
}

/** SQL LIKE pattern to an anchored RegExp: % any run, _ one character, \ escapes. */
function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRegExp(pattern[++i]);
    } else if (c === '%') {
      re += '[\\s\\S]*';
    } else if (c === '_') {
      re += '[\\s\\S]';
    } else {
      re += escapeRegExp(c);
    }
  }
  return new RegExp(`^${re}$`, 'u');
}

function escapeRegExp(c: string): string {
  // Only syntax characters: the 'u' flag refuses needless escapes such as \-.
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** Compiles a precondition. Never throws. */
export function compile(text: string): CompileResult {
  try {
    const tokens = tokenize(text);
    if (tokens.length === 1) return { ok: false, message: 'empty expression', column: 1 };
    if (tokens.length > MAX_TOKENS) {
      // Long AND/OR chains nest the AST; the cap keeps evaluation far from the stack limit.
      return { ok: false, message: `expression longer than ${MAX_TOKENS} tokens`, column: tokens[MAX_TOKENS].col };
    }
    return { ok: true, expr: new Parser(tokens).parseAll() };
  } catch (e) {
    if (e instanceof CompileError) return { ok: false, message: e.message, column: e.column };
    // A bug here must reject one preset, not take the server down.
    return { ok: false, message: `cannot compile: ${e instanceof Error ? e.message : String(e)}`, column: 1 };
  }
}

/** The parameter paths an expression reads, each once, in order of appearance (including DeviceID., Tags.). */
export function pathsOf(expr: Expression): string[] {
  return [...new Set(operandsOf(expr).flatMap((o) => (o.kind === 'path' ? [o.path] : [])))];
}

/** The device times an expression reads, each once, in order of appearance. */
export function timesOf(expr: Expression): DeviceTime[] {
  return [...new Set(operandsOf(expr).flatMap((o) => (o.kind === 'time' ? [o.field] : [])))];
}

/** Every operand of the expression, in order of appearance. */
function operandsOf(expr: Expression): Operand[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return [...operandsOf(expr.left), ...operandsOf(expr.right)];
    case 'not':
      return operandsOf(expr.operand);
    case 'compare':
      return [expr.left, expr.right];
    case 'like':
    case 'matches':
    case 'is-null':
    case 'truthy':
      return [expr.operand];
  }
}

/** The expression with every NOW() read once, at `now`: a search's SQL and its evaluator then agree on the time. */
export function bindNow(expr: Expression, now: number): Expression {
  const operand = (o: Operand): Operand => (o.kind === 'now' ? { kind: 'literal', value: now + o.offsetMs } : o);
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { ...expr, left: bindNow(expr.left, now), right: bindNow(expr.right, now) };
    case 'not':
      return { ...expr, operand: bindNow(expr.operand, now) };
    case 'compare':
      return { ...expr, left: operand(expr.left), right: operand(expr.right) };
    case 'like':
    case 'matches':
    case 'is-null':
    case 'truthy':
      return { ...expr, operand: operand(expr.operand) };
  }
}

// ----------------------------------------------------------------- evaluator

/** Three-valued truth: null is SQL's UNKNOWN. */
type Truth = boolean | null;

const NUMERIC_TYPES = new Set(['xsd:int', 'xsd:unsignedInt', 'xsd:long', 'xsd:unsignedLong', 'xsd:double', 'xsd:float', 'xsd:decimal']);
const NUMERIC_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (!NUMERIC_STRING.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function parseBoolean(s: string): boolean | undefined {
  const t = s.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

/** Applies the xsi:type: numeric types become numbers, xsd:boolean booleans. */
function coerce(v: LookupValue): Literal {
  const { value, type } = v;
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && type !== undefined) {
    if (NUMERIC_TYPES.has(type)) return parseNumber(value) ?? value;
    if (type === 'xsd:boolean') return parseBoolean(value) ?? value;
  }
  return value;
}

function valuesOf(o: Operand, lookup: Lookup): Literal[] {
  if (o.kind === 'literal') return [o.value];
  if (o.kind === 'now') return [Date.now() + o.offsetMs];
  const found = lookup(o.kind === 'path' ? o.path : o.field).map(coerce);
  return found.length === 0 ? [null] : found;
}

const INCOMPARABLE = Symbol('incomparable');

/** Sign of a - b; null when either is NULL; INCOMPARABLE across types that do not mix. */
function compareValues(a: Literal, b: Literal): number | null | typeof INCOMPARABLE {
  if (a === null || b === null) return null;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) || Number.isNaN(b) ? INCOMPARABLE : Math.sign(a - b);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (typeof a === 'string' && typeof b !== 'string') {
    const r = compareValues(b, a);
    return typeof r === 'number' ? -r : r;
  }
  // a is a number or boolean, b something else
  if (typeof b === 'string') {
    const parsed = typeof a === 'number' ? parseNumber(b) : parseBoolean(b);
    return parsed === undefined ? INCOMPARABLE : compareValues(a, parsed);
  }
  return INCOMPARABLE;
}

const VERSION_RE = /^[vV]?(\d+(?:\.\d+)*)([-+_~ ]?[A-Za-z0-9][A-Za-z0-9.\-+_~ ]*)?$/;

/** Whether a string is compared as a version when the other side is one too. */
export function isVersionLike(s: string): boolean {
  return VERSION_RE.test(s);
}

/** Compares two strings: version-aware when both look like versions, else code-unit order; 0 only when equal. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const va = VERSION_RE.exec(a);
  const vb = VERSION_RE.exec(b);
  if (va && vb) {
    const pa = va[1].split('.');
    const pb = vb[1].split('.');
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const c = compareDigits(pa[i], pb[i]);
      if (c !== 0) return c;
    }
    if (pa.length !== pb.length) return pa.length < pb.length ? -1 : 1;
    const c = compareNatural(va[2] ?? '', vb[2] ?? '');
    if (c !== 0) return c;
  }
  return a < b ? -1 : 1;
}

/** Compares two runs of digits as unbounded non-negative integers. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Natural order: digit runs numerically, other runs by code unit; "" first. */
function compareNatural(a: string, b: string): number {
  const ca = a.match(/\d+|\D+/g) ?? [];
  const cb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i];
    const y = cb[i];
    const bothDigits = /^\d/.test(x) && /^\d/.test(y);
    const c = bothDigits ? compareDigits(x, y) : x === y ? 0 : x < y ? -1 : 1;
    if (c !== 0) return c;
  }
  return Math.sign(ca.length - cb.length);
}

function applyCompare(op: CompareOp, a: Literal, b: Literal): Truth {
  const c = compareValues(a, b);
  if (c === null) return null;
  if (c === INCOMPARABLE) return op === '=' ? false : op === '<>' ? true : null;
  switch (op) {
    case '=':
      return c === 0;
    case '<>':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** Kleene OR over the results of each value: true if any is true, else unknown if any is unknown. */
function any<T>(items: T[], f: (item: T) => Truth): Truth {
  let unknown = false;
  for (const item of items) {
    const r = f(item);
    if (r === true) return true;
    if (r === null) unknown = true;
  }
  return unknown ? null : false;
}

function likeString(v: Literal): string | null {
  if (v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

function evaluate3(e: Expression, lookup: Lookup): Truth {
  switch (e.kind) {
    case 'and': {
      const l = evaluate3(e.left, lookup);
      if (l === false) return false;
      const r = evaluate3(e.right, lookup);
      if (r === false) return false;
      return l === true && r === true ? true : null;
    }
    case 'or': {
      const l = evaluate3(e.left, lookup);
      if (l === true) return true;
      const r = evaluate3(e.right, lookup);
      if (r === true) return true;
      return l === false && r === false ? false : null;
    }
    case 'not': {
      const r = evaluate3(e.operand, lookup);
      return r === null ? null : !r;
    }
    case 'compare': {
      const left = valuesOf(e.left, lookup);
      const right = valuesOf(e.right, lookup);
      return any(left, (a) => any(right, (b) => applyCompare(e.op, a, b)));
    }
    case 'like':
    case 'matches': {
      const test = e.kind === 'like' ? (s: string) => e.regex.test(s) : e.test;
      return any(valuesOf(e.operand, lookup), (v) => {
        const s = likeString(v);
        if (s === null) return null;
        return test(s) !== e.negated;
      });
    }
    case 'is-null':
      return any(valuesOf(e.operand, lookup), (v) => (v === null) !== e.negated);
    case 'truthy':
      // Two-valued on purpose: a missing tag is simply "not set", so NOT Tags.x holds.
      return valuesOf(e.operand, lookup).some((v) => v === true || (typeof v === 'string' && v.toLowerCase() === 'true'));
  }
}

/** True when the expression is TRUE for the device `lookup` reads (false or unknown otherwise). */
export function evaluate(expr: Expression, lookup: Lookup): boolean {
  return evaluate3(expr, lookup) === true;
}
