/**
 * Preset schedule windows, read by cron-parser: the parser BullMQ's job
 * schedulers use to fire a scheduled preset (engine/worker.ts), so a cron
 * means the same minutes to the scheduler and to the window check, and a
 * cron that passes `acs lint` is one BullMQ accepts. Times are UTC.
 *
 * ```
 * ┌ minute        0-59
 * │ ┌ hour        0-23
 * │ │ ┌ day       1-31
 * │ │ │ ┌ month   1-12 or JAN-DEC
 * │ │ │ │ ┌ weekday 0-7 or SUN-SAT (0 and 7 are Sunday)
 * * * * * *
 * ```
 * Each field is a comma-separated list of `*`, `n`, `a-b`, each optionally
 * followed by `/step` (every 15 minutes: `*` then `/15`; `8-18/2`; `n/step`
 * means n to the maximum).
 * Shortcuts: @hourly @daily @weekly @monthly @yearly @annually.
 * When both day and weekday are restricted (neither is exactly `*`), a day
 * matches if either does.
 *
 * What this layer adds to cron-parser: exactly five fields (cron-parser
 * would read six as seconds first, and fill in missing ones), the classic
 * syntax only (its L, W, #, ? and H extensions do not fit the field sets of
 * a CronSpec), and the field and column of an error, which cron-parser's
 * messages do not carry.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';

export interface CronSpec {
  minutes: boolean[];
  hours: boolean[];
  days: boolean[];
  months: boolean[];
  /** 0-6, Sunday 0 (a 7 in the cron is Sunday too). */
  weekdays: boolean[];
  /** Day-of-month field is "*": unrestricted. */
  anyDay: boolean;
  /** Day-of-week field is "*": unrestricted. */
  anyWeekday: boolean;
}

export type CronResult =
  | { ok: true; spec: CronSpec }
  /** `column`: 1-based, in the cron text. */
  | { ok: false; message: string; column: number };

type CronFailure = Extract<CronResult, { ok: false }>;

const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'];

/** cron-parser's shortcuts that fire at most once a minute (not @secondly, @minutely...). */
const SHORTCUTS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly'];

/** One list item: `*`, a number or three-letter name, or a range of them; optionally `/step`. */
const CLASSIC_ITEM = /^(\*|(\d+|[a-z]{3})(-(\d+|[a-z]{3}))?)(\/\d+)?$/i;

/** A piece of the cron text and its 1-based column. */
interface Token {
  text: string;
  col: number;
}

/** Parses a 5-field cron expression (or a shortcut). Never throws. */
export function parseCron(text: string): CronResult {
  const trimmed = text.trim();
  const lead = text.length - text.trimStart().length;
  if (trimmed.startsWith('@')) {
    if (!SHORTCUTS.includes(trimmed)) {
      return { ok: false, message: `unknown cron shortcut '${trimmed}' (expected ${SHORTCUTS.join(', ')})`, column: lead + 1 };
    }
    return { ok: true, spec: specOf(parse(trimmed)) };
  }
  const fields = fieldsOf(text);
  if (fields.length !== 5) {
    return {
      ok: false,
      message: `a cron expression has 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`,
      column: fields.length > 5 ? fields[5].col : lead + 1,
    };
  }
  const unsupported = firstUnsupportedItem(fields);
  if (unsupported) return unsupported;
  try {
    return { ok: true, spec: specOf(parse(trimmed)) };
  } catch (e) {
    return locate(fields, e);
  }
}

function parse(expression: string): CronExpression {
  return CronExpressionParser.parse(expression, { tz: 'UTC' });
}

/** The fields of `text`, split on whitespace. */
function fieldsOf(text: string): Token[] {
  return [...text.matchAll(/\S+/g)].map((m) => ({ text: m[0], col: (m.index ?? 0) + 1 }));
}

/** The comma-separated items of a field, empty ones included. */
function itemsOf(field: Token): Token[] {
  let col = field.col;
  return field.text.split(',').map((text) => {
    const item = { text, col };
    col += text.length + 1;
    return item;
  });
}

function firstUnsupportedItem(fields: Token[]): CronFailure | undefined {
  for (const [i, field] of fields.entries()) {
    for (const item of itemsOf(field)) {
      if (item.text === '') return { ok: false, message: `${FIELD_NAMES[i]}: empty list item`, column: item.col };
      if (!CLASSIC_ITEM.test(item.text)) {
        const message = `${FIELD_NAMES[i]}: '${item.text}' is not *, a number, a name, a range or a step (L, W, #, ? and H are not supported)`;
        return { ok: false, message, column: item.col };
      }
    }
  }
  return undefined;
}

/**
 * cron-parser says what is wrong but not where: each item is parsed alone,
 * piece by piece (range ends, range, then the step), and the first piece it
 * refuses gives the column. An expression whose every item passes alone is
 * wrong as a whole (day 31 of February, which never comes): the day field.
 */
function locate(fields: Token[], error: unknown): CronFailure {
  for (const [i, field] of fields.entries()) {
    for (const item of itemsOf(field)) {
      for (const piece of piecesOf(item)) {
        const refused = refusal(fields.map((f, j) => (j === i ? piece.text : '*')).join(' '));
        if (refused !== undefined) return { ok: false, message: `${FIELD_NAMES[i]}: ${refused}`, column: piece.col };
      }
    }
  }
  return { ok: false, message: `${FIELD_NAMES[2]}: ${messageOf(error)}`, column: fields[2].col };
}

/** "lo-hi/step" -> lo, hi, lo-hi, lo-hi/step (the step's column for the last). */
function piecesOf(item: Token): Token[] {
  const slash = item.text.indexOf('/');
  const range = slash < 0 ? item.text : item.text.slice(0, slash);
  const dash = range.indexOf('-');
  const pieces: Token[] = [];
  if (dash >= 0) pieces.push({ text: range.slice(0, dash), col: item.col }, { text: range.slice(dash + 1), col: item.col + dash + 1 });
  pieces.push({ text: range, col: item.col });
  if (slash >= 0) pieces.push({ text: item.text, col: item.col + slash + 1 });
  return pieces;
}

function refusal(expression: string): string | undefined {
  try {
    parse(expression);
    return undefined;
  } catch (e) {
    return messageOf(e);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function flags(values: readonly (number | string)[], size: number): boolean[] {
  const set = new Array<boolean>(size).fill(false);
  // Only numbers: the L that cron-parser would add here was refused by CLASSIC_ITEM.
  // Modulo: a weekday 7 is Sunday, 0.
  for (const v of values) if (typeof v === 'number') set[v % size] = true;
  return set;
}

function specOf(expression: CronExpression): CronSpec {
  const f = expression.fields;
  return {
    minutes: flags(f.minute.values, 60),
    hours: flags(f.hour.values, 24),
    days: flags(f.dayOfMonth.values, 32),
    months: flags(f.month.values, 13),
    weekdays: flags(f.dayOfWeek.values, 7),
    anyDay: f.dayOfMonth.isWildcard,
    anyWeekday: f.dayOfWeek.isWildcard,
  };
}

/** Both restricted: either matches (Vixie cron's rule, and cron-parser's); otherwise both must. */
function dayMatches(spec: CronSpec, d: Date): boolean {
  const dom = spec.days[d.getUTCDate()];
  const dow = spec.weekdays[d.getUTCDay()];
  if (spec.anyDay || spec.anyWeekday) return dom && dow;
  return dom || dow;
}

/** Whether the cron fires at the minute containing `t` (UTC). */
export function cronMatches(spec: CronSpec, t: Date | number): boolean {
  const d = new Date(t);
  return (
    spec.minutes[d.getUTCMinutes()] && spec.hours[d.getUTCHours()] && spec.months[d.getUTCMonth() + 1] && dayMatches(spec, d)
  );
}

const MINUTE = 60_000;

/**
 * The latest start (ms, at a whole minute) at or before `now` and no earlier
 * than `notBefore`, or null. Skips whole months, days and hours that cannot
 * match, so long windows stay cheap.
 */
export function previousStart(spec: CronSpec, now: number, notBefore: number): number | null {
  let t = Math.floor(now / MINUTE) * MINUTE;
  while (t >= notBefore) {
    const d = new Date(t);
    if (!spec.months[d.getUTCMonth() + 1]) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - MINUTE; // last minute of the previous month
    } else if (!dayMatches(spec, d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - MINUTE;
    } else if (!spec.hours[d.getUTCHours()]) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()) - MINUTE;
    } else if (!spec.minutes[d.getUTCMinutes()]) {
      t -= MINUTE;
    } else {
      return t;
    }
  }
  return null;
}

/** Whether `now` is inside a window that opens at a cron start and lasts `durationS` seconds. */
export function inWindow(spec: CronSpec, durationS: number, now: Date | number): boolean {
  const ms = typeof now === 'number' ? now : now.getTime();
  // A start s opens [s, s + duration): s > ms - duration.
  return previousStart(spec, ms, ms - durationS * 1000 + 1) !== null;
}
