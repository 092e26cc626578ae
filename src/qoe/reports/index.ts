/**
 * QoE fleet reports (issue 14 §3): bandwidth by group, top talkers,
 * percentiles of a series, degrading lines, Wi-Fi channel congestion, read
 * from the series store's rollup tables; as JSON or CSV; and schedules that
 * run them on BullMQ and emit each as a qoe.report webhook event.
 *
 *   params.ts                  each kind's parameters (query or schedule JSON)
 *   plan.ts, fleet.ts, scan.ts what is read: tier and range, the devices, the rows a slice at a time
 *   columns.ts, stats.ts       picking columns of packed rows; percentiles, top N
 *   traffic.ts, bandwidth.ts, percentiles.ts, degrading.ts, wifi-channels.ts   the kinds
 *   run.ts                     ReportService.run(kind, params)
 *   csv.ts, routes.ts          the REST API
 *   schedule-*.ts, schedules.ts, scheduler.ts   scheduled reports
 *
 * Schema: migration 1766830000000-qoe-report-schedules (and the series store's tables).
 */
export { qoeReportRoutes, type ReportRouteDeps } from './routes';
export { ReportService, type ReportServiceOptions } from './run';
export { startReportScheduler, QOE_REPORT_QUEUE, type ReportScheduler, type ReportSchedulerOptions } from './scheduler';
export { ScheduleStore, type ReportSchedule } from './schedule-store';
export { REPORT_KINDS, type Report, type ReportKind } from './types';
