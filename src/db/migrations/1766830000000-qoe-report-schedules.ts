/**
 * Scheduled QoE fleet reports (issue 14 §3, src/qoe/reports/schedules.ts).
 * - qoe_report_schedules: a named report (its kind and parameters, JSON),
 *   how often it runs (`schedule`, the API's `every`: a cron expression
 *   in UTC, or an interval such as "1h"), whether a run emits the qoe.report webhook event, and its run
 *   state: `next_due`, the next due time the sweep hands out, and `last_due`,
 *   the due time of the last run claimed: a run claims its due time with a
 *   conditional UPDATE, so two workers never both emit one due time.
 *
 * Column types come from ./dialect, frozen (see 1765800000000-api-tokens.ts).
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE qoe_report_schedules (
    id ${t.id},
    name ${t.key(64)} NOT NULL,
    kind ${t.str(32)} NOT NULL,
    params ${t.text} NOT NULL,
    schedule ${t.str(128)} NOT NULL,
    webhook ${t.tinyint} NOT NULL,
    enabled ${t.tinyint} NOT NULL,
    next_due ${t.bigint} NOT NULL,
    last_due ${t.bigint} NULL,
    last_run_at ${t.bigint} NULL,
    last_error ${t.text} NULL,
    created_at ${t.bigint} NOT NULL,
    updated_at ${t.bigint} NOT NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_qoe_report_schedules_name ON qoe_report_schedules (name)',
    'CREATE INDEX ix_qoe_report_schedules_due ON qoe_report_schedules (enabled, next_due)',
  ];
}

export class QoeReportSchedules1766830000000 extends CreateTablesMigration {
  name = 'QoeReportSchedules1766830000000';
  protected statements = tables;
  protected dropOrder = ['qoe_report_schedules'];
}
