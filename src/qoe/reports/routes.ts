/**
 * QoE fleet reports and their schedules on the northbound API (GET: read
 * scope; writes: write scope, as the guard gives every path outside its
 * admin list):
 *
 *   GET    /qoe/reports/bandwidth?groupBy=&received=&sent=&from=&to=&filter=&format=csv
 *   GET    /qoe/reports/top-talkers?limit=
 *   GET    /qoe/reports/percentiles?series=&stat=&percentiles=&groupBy=
 *   GET    /qoe/reports/degrading?window=&series=&ratio=&minIncrease=&limit=
 *   GET    /qoe/reports/wifi-channels
 *   POST   /qoe/report-schedules          create (201; 400 naming the field; 409 name taken)
 *   GET    /qoe/report-schedules          every schedule
 *   GET    /qoe/report-schedules/:id      one
 *   PUT    /qoe/report-schedules/:id      replace (the same body as POST)
 *   DELETE /qoe/report-schedules/:id      remove
 *
 * Every report takes profile, filter (a precondition), from, to and
 * resolution (1h or 1d; degrading: to and window), and format=json|csv.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AcsError } from '../../errors';
import { FieldError } from '../../nbi/api/messages';
import { apiRouter, defineRoute, type ApiRoute } from '../../nbi/api/route';
import { enumQuery, serialId } from '../../nbi/api/schemas';
import type { ProfileLookup } from '../series/types';
import { csvStream } from './csv';
import { PARAM_SCHEMAS, type AnyParams } from './params';
import { ReportService } from './run';
import { scheduleBody } from './schedule-input';
import { ScheduleStore } from './schedule-store';
import { ScheduleService } from './schedules';
import { REPORT_KINDS, ReportInputError, type Report, type ReportKind } from './types';
import type { SqlAccess } from '../../db/types';

export interface ReportRouteDeps {
  sql: SqlAccess;
  profiles: ProfileLookup;
  now?: () => number;
}

const SUMMARIES: Record<ReportKind, string> = {
  bandwidth: 'Bytes received and sent, and the devices\' throughput (average, median, 95th percentile), by product class, software version or tag',
  'top-talkers': 'The devices that moved the most bytes',
  percentiles: 'Percentiles of one series across the fleet (each device\'s average, minimum or maximum over the range)',
  degrading: 'Devices whose error counters (or a named series) rose: the last window against the one before',
  'wifi-channels': 'Wi-Fi channel congestion: radios per channel and band, their associated clients and noise',
};

function send(ctx: Context, report: Report, format: 'json' | 'csv' | undefined): void {
  if (format !== 'csv') {
    ctx.body = report;
    return;
  }
  ctx.set('Content-Disposition', `attachment; filename="${report.kind}-${new Date(report.from).toISOString().slice(0, 10)}.csv"`);
  ctx.set('X-Report-Range', `${new Date(report.from).toISOString()}/${new Date(report.to).toISOString()}`);
  ctx.set('X-Report-Covered-Until', new Date(report.coveredUntil).toISOString());
  ctx.type = 'text/csv; charset=utf-8';
  ctx.body = csvStream(report);
}

async function runAsked(reports: ReportService, kind: ReportKind, params: AnyParams): Promise<Report> {
  try {
    return await reports.run(kind, params as never);
  } catch (err) {
    if (err instanceof ReportInputError) throw new FieldError('query', err.field, `query parameter ${err.field}: ${err.message}`);
    throw err;
  }
}

function reportRoute(reports: ReportService, kind: ReportKind): ApiRoute {
  return defineRoute({
    method: 'get',
    path: `/qoe/reports/${kind}`,
    summary: SUMMARIES[kind],
    description: 'Read from the hourly or daily rollups (never raw rows for a range over a day). `coveredUntil` says how far the rollups reach. format=csv answers text/csv with the same columns.',
    // format first: a required parameter (percentiles' series) stays last, so its absence never hides another's issue.
    query: z.object({ format: enumQuery(['json', 'csv']), ...PARAM_SCHEMAS[kind].shape }),
    responses: { 200: '{kind, profile, from, to, resolution, coveredUntil, devices, params, columns, rows, totalRows, notes, cost}, or text/csv' },
    handle: async (ctx, { query }) => {
      const { format, ...params } = query as AnyParams & { format?: 'json' | 'csv' };
      send(ctx, await runAsked(reports, kind, params as AnyParams), format);
    },
  });
}

function scheduleRoutes(service: ScheduleService): ApiRoute[] {
  const params = z.object({ id: serialId });
  const found = async (id: number) => {
    const s = await service.get(id);
    if (!s) throw new AcsError('ACS_ERR_NOT_FOUND', `no report schedule with id ${id}`);
    return s;
  };
  return [
    defineRoute({
      method: 'post', path: '/qoe/report-schedules', summary: 'Create a report schedule',
      description: 'A report (kind and params, `range` before each due time) run every `every` (a cron expression in UTC, or an interval such as "1h", "1d"); each run emits a qoe.report webhook event when `webhook`.',
      body: scheduleBody, responses: { 201: 'the schedule', 409: 'a schedule of that name exists' },
      handle: async (ctx, { body }) => {
        ctx.body = await service.create(body);
        ctx.status = 201;
      },
    }),
    defineRoute({
      method: 'get', path: '/qoe/report-schedules', summary: 'The report schedules, by id', responses: { 200: 'the schedules' },
      handle: async (ctx) => {
        ctx.body = await service.list();
      },
    }),
    defineRoute({
      method: 'get', path: '/qoe/report-schedules/:id', summary: 'One report schedule, with its last run', params, responses: { 200: 'the schedule', 404: 'no such schedule' },
      handle: async (ctx, input) => {
        ctx.body = await found(input.params.id);
      },
    }),
    defineRoute({
      method: 'put', path: '/qoe/report-schedules/:id', summary: 'Replace a report schedule', description: 'Its next due time follows the new `every`.',
      params, body: scheduleBody, responses: { 200: 'the schedule', 404: 'no such schedule', 409: 'another schedule has that name' },
      handle: async (ctx, input) => {
        await found(input.params.id);
        ctx.body = await service.replace(input.params.id, input.body);
      },
    }),
    defineRoute({
      method: 'delete', path: '/qoe/report-schedules/:id', summary: 'Remove a report schedule', params, responses: { 204: 'removed', 404: 'no such schedule' },
      handle: async (ctx, input) => {
        if (!(await service.remove(input.params.id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no report schedule with id ${input.params.id}`);
        ctx.status = 204;
      },
    }),
  ];
}

export function qoeReportRoutes(deps: ReportRouteDeps): Router {
  const reports = new ReportService({ sql: deps.sql, profiles: deps.profiles, now: deps.now });
  const schedules = new ScheduleService(new ScheduleStore(deps.sql), reports, deps.now);
  return apiRouter([...REPORT_KINDS.map((kind) => reportRoute(reports, kind)), ...scheduleRoutes(schedules)]);
}
