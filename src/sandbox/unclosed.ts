/**
 * Where a script that ends too early went wrong. V8 and esbuild report an
 * unclosed "{" or template at the end of the input, which for a wrapped
 * script is the wrapper's closing line, past the operator's file. A light
 * scan (strings, comments, templates, regular expressions told apart from
 * division by the token before them) finds the opener left unclosed.
 */
import type { Position } from './script-faults';

export interface Unclosed extends Position {
  /** What was left open ("{", "(", "[", "`", "/*"), or a closer that closes nothing ("}", ")", "]"). */
  opener: string;
  extra?: true;
}

const CLOSERS: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
/** A "/" after one of these (or at the start) begins a regular expression, not a division. */
const BEFORE_REGEXP = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);

/** The first closer that closes nothing, else the innermost opener left unclosed (1-based line and column); null if balanced. */
export function findUnclosed(source: string): Unclosed | null {
  const stack: { opener: string; at: number }[] = [];
  let last = '';
  let i = 0;
  const unclosed = (opener: string, at: number): Unclosed => ({ opener, ...positionOf(source, at) });
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) return unclosed('/*', i);
      i = end + 2;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === '`' || (c === '}' && top?.opener === '${')) {
      if (c === '}') stack.pop();
      const start = c === '`' ? i : (stack[stack.length - 1]?.at ?? i);
      const end = templateEnd(source, i + 1);
      if (end === null) return unclosed('`', start);
      if (source.startsWith('${', end)) {
        if (c === '`') stack.push({ opener: '`', at: i });
        stack.push({ opener: '${', at: end });
        i = end + 2;
      } else {
        if (c === '}') stack.pop(); // the template's own entry
        i = end + 1;
        last = '`';
      }
      continue;
    }
    if (c === "'" || c === '"' || (c === '/' && BEFORE_REGEXP.has(last))) {
      i = quotedEnd(source, i);
      last = 'a';
      continue;
    }
    if (CLOSERS[c] !== undefined) stack.push({ opener: c, at: i });
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.length === 0) return { ...unclosed(c, i), extra: true };
      stack.pop();
    }
    last = /[\w$]/.test(c) ? 'a' : c;
    i++;
  }
  const open = stack.filter((s) => s.opener !== '${').pop();
  return open ? unclosed(open.opener, open.at) : null;
}

/** Index of the template's closing "`" or of its next "${"; null if it never ends. */
function templateEnd(source: string, from: number): number | null {
  for (let i = from; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '`' || source.startsWith('${', i)) return i;
  }
  return null;
}

/** Past a string or regular expression literal (a line end stops it: the compiler reports those at their line). */
function quotedEnd(source: string, start: number): number {
  const quote = source[start];
  let inClass = false;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '\n') return i;
    else if (quote === '/' && c === '[') inClass = true;
    else if (quote === '/' && c === ']') inClass = false;
    else if (c === quote && !inClass) return i + 1;
  }
  return source.length;
}

function positionOf(source: string, index: number): Position {
  const before = source.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

/** Lines of the source as an editor counts them (a final newline does not start a line). */
export function lineCount(source: string): number {
  return source.split('\n').length - (source.endsWith('\n') ? 1 : 0);
}
