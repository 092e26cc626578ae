/**
 * The alert rules' expression language: one comparison of a series'
 * function with a threshold, over a window.
 *
 *   rule       = measure comparison threshold window
 *   measure    = function "(" series ")" | "reboots"
 *   function   = "rate" | "avg" | "min" | "max" | "last"
 *   series     = an alias of the profile ("WANErrors") or a parameter path,
 *                "*" in place of instance numbers ("Device.WiFi.Radio.*.Stats.Noise")
 *   comparison = ">" | ">=" | "<" | "<=" | "==" | "!="
 *   threshold  = number [ "/s" | "/min" | "/h" ]     a per-unit rate: rate() only
 *   number     = ["-"] digits ["." digits]
 *   window     = ("for" | "in") duration
 *   duration   = number ("s" | "min" | "h" | "d"), also sec, second(s),
 *                minute(s), hour(s), day(s); a space before the unit is optional
 *
 * Words are case-insensitive, series are not. Examples:
 *   rate(WANErrors) > 10/min for 15 min
 *   reboots > 3 in 1 day
 *   avg(Device.WiFi.Radio.*.Stats.Noise) > -70 for 30 min
 *
 * What the words mean is evaluate.ts's; parsing only checks the form and
 * says, on an error, at which column (1-based) what was expected.
 */
import { REBOOTS_PATH } from '../types';
import { type AlertExpression, type Comparison, type RateUnit, type SeriesFunction, type WindowMode } from './types';

export type ParseResult =
  | { ok: true; expression: AlertExpression }
  /** `column` is 1-based in the text; text.length + 1 at its end. */
  | { ok: false; message: string; column: number };

/** Longest expression text taken (a rule is one line). */
export const EXPRESSION_MAX = 1024;

const FUNCTIONS: readonly SeriesFunction[] = ['rate', 'avg', 'min', 'max', 'last'];
const COMPARISONS: readonly Comparison[] = ['>', '>=', '<', '<=', '==', '!='];
const RATE_UNITS: Record<string, RateUnit> = { s: 's', sec: 's', min: 'min', h: 'h', hour: 'h' };
const RATE_SECONDS: Record<RateUnit, number> = { s: 1, min: 60, h: 3600 };
const DURATION_MS: Record<string, number> = {
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};
/** Longest window: the series store keeps rollups for longer, but an alert looks at the recent past. */
export const WINDOW_MAX_MS = 31 * 86_400_000;

/** Seconds in a rate unit: a per-second rate times this is the rate per that unit. */
export function rateSeconds(unit: RateUnit): number {
  return RATE_SECONDS[unit];
}

type TokenKind = 'word' | 'number' | 'op' | 'punct' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based. */
  col: number;
}

class ParseError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

// A word: letters, digits and the characters of paths and aliases ("*" instances, "@reboots").
const WORD = /[A-Za-z_@][A-Za-z0-9_.*@-]*/y;
const NUMBER = /\d+(\.\d+)?/y;
const OPERATOR = />=|<=|==|!=|>|<|=/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    const tok = matchAt(text, i);
    if (!tok) throw new ParseError(`unexpected character ${JSON.stringify(text[i])} at column ${i + 1}`, i + 1);
    tokens.push(tok);
    i += tok.text.length;
  }
  tokens.push({ kind: 'end', text: '', col: text.length + 1 });
  return tokens;
}

function matchAt(text: string, i: number): Token | null {
  for (const [kind, re] of [['word', WORD], ['number', NUMBER], ['op', OPERATOR]] as const) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) return { kind, text: m[0], col: i + 1 };
  }
  return '()/-'.includes(text[i]) ? { kind: 'punct', text: text[i], col: i + 1 } : null;
}

function describe(tok: Token): string {
  return tok.kind === 'end' ? 'the end of the expression' : JSON.stringify(tok.text);
}

/** Reads the tokens left to right; each method takes one part of the grammar or throws naming what it expected. */
class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  rule(): AlertExpression {
    const { fn, series } = this.measure();
    const op = this.comparison();
    const { value, unit } = this.threshold(fn);
    const window = this.window(fn);
    const end = this.peek();
    if (end.kind !== 'end') this.fail('the end of the expression (the window is its last part)', end);
    return { fn, series, op, threshold: value, unit, window };
  }

  private measure(): { fn: SeriesFunction | 'reboots'; series: string } {
    const tok = this.next();
    const word = tok.kind === 'word' ? tok.text.toLowerCase() : '';
    if (word === 'reboots') return { fn: 'reboots', series: REBOOTS_PATH };
    if (!(FUNCTIONS as readonly string[]).includes(word)) this.fail(`a function (${FUNCTIONS.join(', ')}) or reboots`, tok);
    this.punct('(', `"(" after ${word}`);
    const series = this.next();
    if (series.kind !== 'word') this.fail('a series: an alias or a parameter path', series);
    this.punct(')', `")" to close ${word}(`);
    return { fn: word as SeriesFunction, series: series.text };
  }

  private comparison(): Comparison {
    const tok = this.next();
    if (tok.kind === 'op' && tok.text !== '=') return tok.text as Comparison;
    return this.fail(`a comparison (${COMPARISONS.join(', ')})`, tok);
  }

  private threshold(fn: SeriesFunction | 'reboots'): { value: number; unit: RateUnit | null } {
    const value = this.number('a number to compare with');
    if (this.peek().text !== '/') return { value, unit: fn === 'rate' ? 's' : null };
    const slash = this.next();
    if (fn !== 'rate') throw new ParseError(`a rate unit (/s, /min, /h) goes with rate() only, at column ${slash.col}`, slash.col);
    const tok = this.next();
    const unit = tok.kind === 'word' ? RATE_UNITS[tok.text.toLowerCase()] : undefined;
    if (unit === undefined) this.fail('a rate unit after "/": s, min or h', tok);
    return { value, unit: unit as RateUnit };
  }

  private window(fn: SeriesFunction | 'reboots'): { mode: WindowMode; ms: number } {
    const tok = this.next();
    const mode = tok.kind === 'word' ? tok.text.toLowerCase() : '';
    if (mode !== 'for' && mode !== 'in') return this.fail('a window: "for" or "in" and a duration (for 15 min, in 1 day)', tok);
    if (fn === 'reboots' && mode === 'for') {
      throw new ParseError(`reboots counts the reboots in a window: "in", not "for" (reboots > 3 in 1 day), at column ${tok.col}`, tok.col);
    }
    const at = this.peek();
    const n = this.number(`a duration after "${mode}"`);
    const unitTok = this.next();
    const per = unitTok.kind === 'word' ? DURATION_MS[unitTok.text.toLowerCase()] : undefined;
    if (per === undefined) this.fail('a duration unit: s, min, h or d', unitTok);
    const ms = n * (per as number);
    if (!(ms >= 1000 && ms <= WINDOW_MAX_MS)) throw new ParseError(`the window must be from 1 s to 31 d, at column ${at.col}`, at.col);
    return { mode, ms: Math.round(ms) };
  }

  private number(what: string): number {
    const first = this.next();
    const negative = first.text === '-';
    const tok = negative ? this.next() : first;
    if (tok.kind !== 'number') this.fail(what, tok);
    return negative ? -Number(tok.text) : Number(tok.text);
  }

  private punct(text: string, what: string): void {
    const tok = this.next();
    if (tok.text !== text || tok.kind !== 'punct') this.fail(what, tok);
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    const tok = this.tokens[this.i];
    if (tok.kind !== 'end') this.i++;
    return tok;
  }

  private fail(expected: string, found: Token): never {
    throw new ParseError(`expected ${expected} at column ${found.col}, found ${describe(found)}`, found.col);
  }
}

/** Parses a rule's expression. Never throws. */
export function parseExpression(text: string): ParseResult {
  if (typeof text !== 'string' || text.trim() === '') return { ok: false, message: 'empty expression: expected e.g. "rate(WANErrors) > 10/min for 15 min"', column: 1 };
  if (text.length > EXPRESSION_MAX) return { ok: false, message: `expression longer than ${EXPRESSION_MAX} characters`, column: EXPRESSION_MAX + 1 };
  try {
    return { ok: true, expression: new Parser(tokenize(text)).rule() };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, message: err.message, column: err.column };
    throw err;
  }
}

/** The expression written back in its canonical form (lower-case words, one space between parts). */
export function formatExpression(e: AlertExpression): string {
  const measure = e.fn === 'reboots' ? 'reboots' : `${e.fn}(${e.series})`;
  const unit = e.fn === 'rate' && e.unit !== null ? `/${e.unit}` : '';
  return `${measure} ${e.op} ${e.threshold}${unit} ${e.window.mode} ${formatDuration(e.window.ms)}`;
}

/** The largest whole unit of a duration: 90 min → "90 min", 1 day → "1 d". */
export function formatDuration(ms: number): string {
  for (const [unit, per] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000]] as const) {
    if (ms % per === 0) return `${ms / per} ${unit}`;
  }
  return `${ms / 1000} s`;
}
