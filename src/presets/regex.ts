/**
 * Regular expressions from outside (a precondition's MATCHES, a GenieACS
 * query's $regex), run by V8's linear-time engine: a pattern from a client
 * can take no longer than its subject is long, where the default
 * backtracking engine can stall the process on `^(a|aa)*b$`. That engine has
 * no backreferences and no lookaround; such a pattern is refused.
 *
 * Syntax is JavaScript's, plus a leading group of flags as PCRE and RE2 write
 * them: `(?i)abc` ignores case, `(?s)` lets `.` match a line break, `(?m)`
 * makes `^` and `$` match at line ends, `(?x)` ignores whitespace and
 * `#` comments in the pattern.
 */
import { setFlagsFromString } from 'node:v8';

// Read when a RegExp with the `l` flag is made; it changes no other RegExp.
setFlagsFromString('--enable-experimental-regexp-engine');

export type RegexResult = { ok: true; test: (s: string) => boolean } | { ok: false; message: string };

export const MAX_PATTERN = 1000;

const LEADING_FLAGS = /^\(\?([a-z]+)\)/;

/** Compiles `source`; never throws. */
export function compileRegex(source: string): RegexResult {
  if (source.length > MAX_PATTERN) return { ok: false, message: `the pattern is longer than ${MAX_PATTERN} characters` };
  const m = LEADING_FLAGS.exec(source);
  const flags = m ? m[1] : '';
  const bad = [...flags].find((f) => !'imsx'.includes(f));
  if (bad) return { ok: false, message: `(?${flags}): the flags are i, m, s and x, not ${bad}` };
  let pattern = m ? source.slice(m[0].length) : source;
  if (flags.includes('x')) pattern = extended(pattern);
  const fold = flags.includes('i');
  // The linear engine has no `i` in this V8: both sides are lower-cased instead.
  if (fold) pattern = lowered(pattern);
  let re: RegExp;
  try {
    re = new RegExp(pattern, `${flags.includes('m') ? 'm' : ''}${flags.includes('s') ? 's' : ''}l`);
  } catch (err) {
    const text = (err as Error).message;
    if (/linear time/.test(text)) return { ok: false, message: 'backreferences and lookaround are not supported (a pattern must run in linear time)' };
    return { ok: false, message: text.replace(/^Invalid regular expression: /, '') };
  }
  return { ok: true, test: fold ? (s) => re.test(s.toLowerCase()) : (s) => re.test(s) };
}

/** Lower case but for the character after each backslash (\D, \W, \S, \B keep their meaning). */
function lowered(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    out += pattern[i] === '\\' && i + 1 < pattern.length ? pattern[i] + pattern[++i] : pattern[i].toLowerCase();
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
