/**
 * A report schedule as the API takes it: a name, the report's kind and
 * parameters (those of GET /qoe/reports/<kind>, without from and to: a run
 * covers `range` before its due time), how often (`every`: a 5-field cron
 * expression in UTC, or an interval such as "1h", "1d", due at multiples of
 * it since the epoch), and whether a run emits a qoe.report webhook event.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { predicate } from '../../nbi/api/messages';
import { parseCron } from '../../presets/cron';
import { parseDuration, PARAM_SCHEMAS, type AnyParams } from './params';
import { REPORT_KINDS, type ReportKind } from './types';

export const MIN_INTERVAL_MS = 60_000;
const MAX_RANGE = 400 * 86_400_000;

export interface ScheduleInput {
  name: string;
  kind: ReportKind;
  /** As given (range included): checked again at each run, since a profile may go away. */
  params: Record<string, unknown>;
  every: string;
  webhook: boolean;
  enabled: boolean;
}

/** "Every" as a due-time rule: the first due time strictly after `after`. */
export function nextDue(every: string, after: number): number {
  const ms = parseDuration(every);
  if (ms !== null) return Math.floor(after / ms) * ms + ms;
  return CronExpressionParser.parse(every.trim(), { currentDate: new Date(after), tz: 'UTC' }).next().getTime();
}

/** The last due time at or before `now`, not before `stored` (the one the schedule waited for): missed due times are not made up one by one. */
export function latestDue(every: string, stored: number, now: number): number {
  const ms = parseDuration(every);
  if (ms !== null) return Math.max(stored, Math.floor(now / ms) * ms);
  // cron-parser counts in whole seconds and prev() is strictly before: ask from a second on, step back once more if that overshot now.
  const times = CronExpressionParser.parse(every.trim(), { currentDate: new Date(now + 1000), tz: 'UTC' });
  let latest = times.prev().getTime();
  if (latest > now) latest = times.prev().getTime();
  return Math.max(stored, latest);
}

/** Why `every` is not a schedule, or null. */
export function everyProblem(every: string): string | null {
  const ms = parseDuration(every);
  if (ms !== null) return ms >= MIN_INTERVAL_MS ? null : 'must be an interval of at least 1 minute ("15m", "1h", "1d") or a cron expression';
  const cron = parseCron(every);
  return cron.ok ? null : `must be an interval ("1h", "1d") or a 5-field cron expression in UTC: ${cron.message} (column ${cron.column})`;
}

/** A schedule's params split: the report's own, and the range a run covers (ms; degrading: its windows instead). */
export function scheduleParams(kind: ReportKind, raw: Record<string, unknown>): { params: z.ZodSafeParseResult<AnyParams>; rangeMs: number | null; problem: { field: string; message: string } | null } {
  const { range, ...rest } = raw;
  const schema = PARAM_SCHEMAS[kind].strict() as unknown as z.ZodType<AnyParams>;
  const params = schema.safeParse(rest, { error: predicate });
  for (const field of ['from', 'to'] as const) {
    if (field in rest) return { params, rangeMs: null, problem: { field, message: `is not set in a schedule: a run covers ${kind === 'degrading' ? 'two windows' : '`range`'} before its due time` } };
  }
  if (kind === 'degrading') return { params, rangeMs: null, problem: range === undefined ? null : { field: 'range', message: 'is not set for degrading: its two windows (window) end at the due time' } };
  const rangeMs = parseDuration(String(range ?? '1d'));
  if (rangeMs === null || rangeMs < 3_600_000 || rangeMs > MAX_RANGE) return { params, rangeMs: null, problem: { field: 'range', message: 'must be a duration from 1h to 400d ("1d", "7d")' } };
  return { params, rangeMs, problem: null };
}

export const scheduleBody = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be 1 to 64 of A-Z a-z 0-9 _ . -' }),
    kind: z.enum(REPORT_KINDS, { error: `must be one of ${REPORT_KINDS.join(', ')}` }),
    params: z.record(z.string(), z.unknown()).default({}),
    every: z.string().max(128, { error: 'must be at most 128 characters' }),
    webhook: z.boolean().default(true),
    enabled: z.boolean().default(true),
  })
  .superRefine((v, ctx) => {
    const every = everyProblem(v.every);
    if (every) ctx.addIssue({ code: 'custom', path: ['every'], message: every });
    const { params, problem } = scheduleParams(v.kind, v.params);
    if (problem) ctx.addIssue({ code: 'custom', path: ['params', problem.field], message: problem.message });
    else if (!params.success) {
      const issue = params.error.issues[0];
      const message = issue.code === 'unrecognized_keys' ? `is not a parameter of ${v.kind}` : issue.message;
      const path = issue.code === 'unrecognized_keys' ? [issue.keys[0]] : issue.path;
      ctx.addIssue({ code: 'custom', path: ['params', ...path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message });
    }
  })
  .meta({ example: { name: 'weekly-bandwidth', kind: 'bandwidth', params: { groupBy: 'productClass', range: '7d' }, every: '0 6 * * 1', webhook: true, enabled: true } });
