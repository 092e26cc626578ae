/**
 * One run of a report schedule at one due time: the report over `range`
 * before the due time, then a claim of the due time (schedule-store.ts),
 * then the qoe.report event. The claim comes after the report (a report that
 * fails is retried by the job with nothing claimed) and before the event (two
 * workers never both emit one due time); an event that cannot be emitted
 * gives the claim back, so the job's retry emits it. A crash between claim
 * and emit loses that run's event: at most once, never twice.
 */
import type { EpochMs } from '../../db/types';
import type { AcsEvent } from '../../webhooks/types';
import type { AnyParams } from './params';
import type { ReportService } from './run';
import { scheduleParams } from './schedule-input';
import type { ReportSchedule, ScheduleStore } from './schedule-store';
import type { Report } from './types';

/** A qoe.report event's report is cut to about this many bytes of JSON (webhook receivers and the delivery table are not for megabytes). */
export const MAX_EVENT_REPORT_BYTES = 256 * 1024;

export interface RunDeps {
  store: ScheduleStore;
  reports: ReportService;
  emit?: (events: AcsEvent[]) => Promise<void>;
  /** Put before the GET route's path in a truncated report's link (the NBI's public URL); by default the path alone. */
  apiBase?: string;
  now?: () => EpochMs;
}

export type RunOutcome = 'emitted' | 'ran' | 'duplicate' | 'skipped' | 'failed';

/** The GET route that answers the whole report: the schedule's params as a query, with the run's range. */
export function reportLink(s: Pick<ReportSchedule, 'kind' | 'params'>, report: Pick<Report, 'from' | 'to'>, apiBase = ''): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(s.params)) {
    if (k !== 'range' && v !== undefined && v !== null) query.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  if (s.kind !== 'degrading') query.set('from', String(report.from));
  query.set('to', String(report.to));
  return `${apiBase.replace(/\/$/, '')}/qoe/reports/${s.kind}?${query}`;
}

/** The report, its rows cut to fit MAX_EVENT_REPORT_BYTES with a note and the link when it is larger. */
export function eventReport(report: Report, link: string, maxBytes = MAX_EVENT_REPORT_BYTES): Record<string, unknown> {
  const size = Buffer.byteLength(JSON.stringify(report));
  if (size <= maxBytes || report.rows.length === 0) return { ...report };
  const rowBytes = Buffer.byteLength(JSON.stringify(report.rows)) / report.rows.length;
  const cut = (n: number) => ({ ...report, rows: report.rows.slice(0, n), truncated: { rows: n, of: report.rows.length, link, note: `report cut to its first ${n} of ${report.rows.length} rows (${size} bytes of JSON); the whole of it: GET ${link}` } });
  // A first guess from the average row, then fewer until it fits (the note and link take room too).
  let keep = Math.max(0, Math.min(report.rows.length - 1, Math.floor((maxBytes - (size - rowBytes * report.rows.length)) / rowBytes)));
  while (keep > 0 && Buffer.byteLength(JSON.stringify(cut(keep))) > maxBytes) keep = keep > 20 ? Math.floor(keep * 0.9) : keep - 1;
  return cut(keep);
}

function paramsOf(s: ReportSchedule, due: EpochMs): AnyParams | string {
  const { params, rangeMs, problem } = scheduleParams(s.kind, s.params);
  if (problem) return `params.${problem.field} ${problem.message}`;
  if (!params.success) return `params ${params.error.issues[0]?.message ?? 'not valid'}`;
  return s.kind === 'degrading' ? { ...params.data, to: due } : { ...params.data, from: due - (rangeMs ?? 0), to: due };
}

export async function runSchedule(d: RunDeps, id: number, due: EpochMs): Promise<RunOutcome> {
  const now = d.now ?? Date.now;
  const s = await d.store.get(id);
  if (!s || !s.enabled || (s.lastDue !== null && s.lastDue >= due)) return s ? 'duplicate' : 'skipped';
  const params = paramsOf(s, due);
  if (typeof params === 'string') {
    // The definition went bad (a profile removed): nothing a retry would cure.
    await d.store.recordRun(id, now(), params);
    return 'failed';
  }
  let report: Report;
  try {
    report = await d.reports.run(s.kind, params as never);
  } catch (err) {
    await d.store.recordRun(id, now(), err instanceof Error ? err.message : String(err));
    // A bad parameter (ReportInputError, matched by code) stays bad: no retry. Others (the database) are retried by the job.
    if ((err as { code?: unknown }).code === 'ACS_ERR_BAD_REQUEST') return 'failed';
    throw err;
  }
  if (!(await d.store.claim(id, due))) return 'duplicate';
  if (s.webhook && d.emit) {
    const data = { schedule: { id: s.id, name: s.name }, due, report: eventReport(report, reportLink(s, report, d.apiBase)) };
    try {
      await d.emit([{ event: 'qoe.report', device: null, time: due, data }]);
    } catch (err) {
      await d.store.unclaim(id, due, s.lastDue);
      throw err;
    }
  }
  await d.store.recordRun(id, now(), null);
  return s.webhook && d.emit ? 'emitted' : 'ran';
}
