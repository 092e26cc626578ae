/**
 * Regular expressions from outside (a precondition's MATCHES, a GenieACS
 * query's $regex), run by V8's linear-time engine: matching takes time in
 * proportion to the value's length (times the pattern's size), where the
 * default backtracking engine can stall the process on `^(a|aa)*b$`. That
 * engine refuses backreferences, lookaround and counted repetitions over 16
 * (`{17}`, or nested counts whose product passes 16); so are they here.
 *
 * Syntax is JavaScript's, plus a leading group of flags as PCRE and RE2 write
 * them: `(?i)abc` ignores the case of ASCII letters, `(?s)` lets `.` match a
 * line break, `(?m)` makes `^` and `$` match at line ends, `(?x)` ignores
 * whitespace and `#` comments in the pattern. A value is matched on its
 * first MAX_SUBJECT characters: the bound on one match's time.
 */
import { setFlagsFromString } from 'node:v8';

// Read when a RegExp with the `l` flag is made; it changes no other RegExp.
setFlagsFromString('--enable-experimental-regexp-engine');

export type RegexResult = { ok: true; test: (s: string) => boolean } | { ok: false; message: string };

export const MAX_PATTERN = 1000;
export const MAX_SUBJECT = 4096;

const LEADING_FLAGS = /^\(\?([a-z]+)\)/;

/** What compileRegex gives RegExp: the pattern after the leading flags (x applied, i folded), its flags, and whether subjects are folded. */
export interface PreparedRegex {
  pattern: string;
  multiline: boolean;
  dotAll: boolean;
  fold: boolean;
}

/** `source`'s leading flag group applied, or why it cannot be. */
export function prepareRegex(source: string): PreparedRegex | { ok: false; message: string } {
  if (source.length > MAX_PATTERN) return { ok: false, message: `the pattern is longer than ${MAX_PATTERN} characters` };
  const m = LEADING_FLAGS.exec(source);
  const flags = m ? m[1] : '';
  const bad = [...flags].find((f) => !'imsx'.includes(f));
  if (bad) return { ok: false, message: `(?${flags}): the flags are i, m, s and x, not ${bad}` };
  let pattern = m ? source.slice(m[0].length) : source;
  if (flags.includes('x')) pattern = extended(pattern);
  const fold = flags.includes('i');
  if (fold) {
    // The linear engine has no `i` in this V8: ASCII letters are lower-cased on both sides instead.
    const folded = foldedPattern(pattern);
    if (typeof folded !== 'string') return folded;
    pattern = folded;
  }
  return { pattern, multiline: flags.includes('m'), dotAll: flags.includes('s'), fold };
}

/** Compiles `source`; never throws. */
export function compileRegex(source: string): RegexResult {
  const p = prepareRegex(source);
  if ('ok' in p) return p;
  let re: RegExp;
  try {
    re = new RegExp(p.pattern, `${p.multiline ? 'm' : ''}${p.dotAll ? 's' : ''}l`);
  } catch (err) {
    const text = (err as Error).message;
    if (/linear time/.test(text)) {
      return { ok: false, message: 'backreferences, lookaround and counted repetitions over 16 ({17}, or nested counts multiplying past 16) are not supported: a pattern must run in linear time' };
    }
    return { ok: false, message: text.replace(/^Invalid regular expression: /, '') };
  }
  const head = (s: string) => (s.length > MAX_SUBJECT ? s.slice(0, MAX_SUBJECT) : s);
  return { ok: true, test: p.fold ? (s) => re.test(foldAscii(head(s))) : (s) => re.test(head(s)) };
}

/** A MongoDB $regex and its $options (i, m, s, x) as one pattern with a leading flag group; a problem names $regex or $options. */
export function compileMongoRegex(source: unknown, options: unknown = ''): RegexResult {
  if (typeof source !== 'string' || typeof options !== 'string') return { ok: false, message: '$regex and $options must be strings' };
  if (!/^[imsx]*$/.test(options)) return { ok: false, message: `$options ${JSON.stringify(options)}: the options are i, m, s and x` };
  const r = compileRegex(mongoPattern(source, options));
  return r.ok ? r : { ok: false, message: `$regex ${JSON.stringify(source)}: ${r.message}` };
}

/** `source` with `options` added to its leading flag group (one is made if it has none). */
export function mongoPattern(source: string, options: string): string {
  if (options === '') return source;
  const m = LEADING_FLAGS.exec(source);
  return m ? `(?${[...new Set(m[1] + options)].join('')})${source.slice(m[0].length)}` : `(?${options})${source}`;
}

const foldAscii = (s: string): string => s.replace(/[A-Z]+/g, (run) => run.toLowerCase());

const isUpper = (c: string) => c >= 'A' && c <= 'Z';
const isLower = (c: string) => c >= 'a' && c <= 'z';

/**
 * The pattern for a lower-cased subject: ASCII capitals lower-cased, as
 * themselves or as \xHH / \uHHHH; what follows another backslash is kept
 * (\D, \W, \S, \B keep their meaning). A class range with a letter at one end
 * must have letters of one case at both ([A-F], [a-f]): [0-Z] would change
 * what it holds, and is refused.
 */
function foldedPattern(pattern: string): string | { ok: false; message: string } {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      const hex = /^(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4})/.exec(pattern.slice(i + 1));
      const code = hex ? parseInt(hex[1].slice(1), 16) : NaN;
      if (hex && code >= 0x41 && code <= 0x5a) {
        out += String.fromCharCode(code + 0x20);
        i += hex[1].length;
      } else out += c + pattern[++i];
      continue;
    }
    if (inClass && pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']' && pattern[i + 2] !== '\\') {
      const [from, to] = [c, pattern[i + 2]];
      const letters = [from, to].filter((x) => isUpper(x) || isLower(x)).length;
      const oneCase = (isUpper(from) && isUpper(to)) || (isLower(from) && isLower(to));
      if (letters > 0 && !oneCase) return { ok: false, message: `(?i): the range ${from}-${to} mixes letters with other characters or cases; write it as ranges of one kind ([0-9A-Z])` };
      out += `${from.toLowerCase()}-${to.toLowerCase()}`;
      i += 2;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += isUpper(c) ? c.toLowerCase() : c;
  }
  return out;
}

/** `(?x)`: whitespace and `#` to the end of the line dropped, outside classes and escapes. */
function extended(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      out += c + pattern[++i];
    } else if (inClass) {
      out += c;
      if (c === ']') inClass = false;
    } else if (c === '#') {
      while (i + 1 < pattern.length && pattern[i + 1] !== '\n') i++;
    } else if (!/\s/.test(c)) {
      out += c;
      if (c === '[') inClass = true;
    }
  }
  return out;
}
