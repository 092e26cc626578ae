/**
 * A small parser for the classic 5-field cron syntax, used for preset
 * schedule windows. No dependency; times are UTC.
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
 * Shortcuts: @hourly @daily @midnight @weekly @monthly @yearly @annually.
 * As in Vixie cron, when both day and weekday are restricted (neither starts
 * with `*`), a day matches if either does.
 */

export interface CronSpec {
  minutes: boolean[];
  hours: boolean[];
  days: boolean[];
  months: boolean[];
  weekdays: boolean[];
  /** Day-of-month field started with "*". */
  anyDay: boolean;
  /** Day-of-week field started with "*". */
  anyWeekday: boolean;
}

export type CronResult =
  | { ok: true; spec: CronSpec }
  /** `column`: 1-based, in the cron text. */
  | { ok: false; message: string; column: number };

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const SHORTCUTS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

class CronError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

function parseValue(text: string, def: FieldDef, col: number): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < def.min || n > def.max) {
      throw new CronError(`${def.name}: ${text} is out of range ${def.min}-${def.max}`, col);
    }
    return n;
  }
  const idx = def.names?.indexOf(text.toUpperCase()) ?? -1;
  if (idx >= 0) return idx + (def.name === 'month' ? 1 : 0);
  const expected = def.names ? `a number ${def.min}-${def.max} or ${def.names[0]}-${def.names[def.names.length - 1]}` : `a number ${def.min}-${def.max}`;
  throw new CronError(`${def.name}: '${text}' is not ${expected}`, col);
}

/** Parses one field starting at column `col`; returns its set of values. */
function parseField(text: string, def: FieldDef, col: number): boolean[] {
  const set = new Array<boolean>(def.max + 1).fill(false);
  let offset = 0;
  for (const item of text.split(',')) {
    const itemCol = col + offset;
    offset += item.length + 1;
    if (item === '') throw new CronError(`${def.name}: empty list item`, itemCol);
    const slash = item.indexOf('/');
    const rangeText = slash >= 0 ? item.slice(0, slash) : item;
    let step = 1;
    if (slash >= 0) {
      const stepText = item.slice(slash + 1);
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        throw new CronError(`${def.name}: step '${stepText}' must be a positive number`, itemCol + slash + 1);
      }
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (rangeText === '*') {
      lo = def.min;
      hi = def.max;
    } else {
      const dash = rangeText.indexOf('-');
      if (dash >= 0) {
        lo = parseValue(rangeText.slice(0, dash), def, itemCol);
        hi = parseValue(rangeText.slice(dash + 1), def, itemCol + dash + 1);
        if (hi < lo) throw new CronError(`${def.name}: range ${rangeText} goes backwards`, itemCol);
      } else {
        lo = parseValue(rangeText, def, itemCol);
        hi = slash >= 0 ? def.max : lo;
      }
    }
    for (let v = lo; v <= hi; v += step) set[v] = true;
  }
  return set;
}

/** Parses a 5-field cron expression (or a shortcut). Never throws. */
export function parseCron(text: string): CronResult {
  const trimmed = text.trim();
  const lead = text.length - text.trimStart().length;
  if (trimmed.startsWith('@')) {
    const expanded = SHORTCUTS[trimmed.toLowerCase()];
    if (!expanded) {
      return { ok: false, message: `unknown cron shortcut '${trimmed}' (expected ${Object.keys(SHORTCUTS).join(', ')})`, column: lead + 1 };
    }
    return parseCron(expanded);
  }
  const parts: { text: string; col: number }[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) parts.push({ text: m[0], col: m.index + 1 });
  if (parts.length !== 5) {
    return {
      ok: false,
      message: `a cron expression has 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`,
      column: parts.length > 5 ? parts[5].col : lead + 1,
    };
  }
  try {
    const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(p.text, FIELDS[i], p.col));
    if (weekdays[7]) weekdays[0] = true;
    return {
      ok: true,
      spec: {
        minutes,
        hours,
        days,
        months,
        weekdays,
        anyDay: parts[2].text.startsWith('*'),
        anyWeekday: parts[4].text.startsWith('*'),
      },
    };
  } catch (e) {
    if (e instanceof CronError) return { ok: false, message: e.message, column: e.column };
    throw e;
  }
}

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
