/**
 * The QoE alert rules (issue 14 §3) and the alerts they raise.
 * - qoe_alert_rules: a named expression over a collection profile's series,
 *   an optional precondition (presets' language) on the devices, a severity,
 *   and what raising does: a qoe.alert webhook event (webhook 1/0), a
 *   workflow started on the device (with its args, a JSON object), and the
 *   cool-down after a clear before the next raise on the same device.
 * - qoe_alerts: one row per alert. `is_open` is 1 while it holds and NULL once
 *   cleared: the unique (rule_id, device, is_open) lets a rule have at most one
 *   open alert per device (NULLs never collide), which makes raising
 *   idempotent on both drivers.
 * - qoe_alert_marks: per profile, the time its devices were evaluated up to;
 *   the next evaluation asks for the devices with frames since then.
 *
 * Column types come from ./dialect, frozen (see 1765800000000-api-tokens.ts).
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE qoe_alert_rules (
    id ${t.id},
    name ${t.key(64)} NOT NULL,
    profile ${t.key(64)} NOT NULL,
    expression ${t.text} NOT NULL,
    precondition ${t.text} NULL,
    severity ${t.str(16)} NOT NULL,
    webhook ${t.tinyint} NOT NULL,
    workflow ${t.str(255)} NULL,
    workflow_args ${t.text} NOT NULL,
    cooldown_s ${t.int} NOT NULL,
    enabled ${t.tinyint} NOT NULL,
    created_at ${t.bigint} NOT NULL,
    updated_at ${t.bigint} NOT NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_qoe_alert_rules_name ON qoe_alert_rules (name)',
    'CREATE INDEX ix_qoe_alert_rules_profile ON qoe_alert_rules (profile)',
    `CREATE TABLE qoe_alerts (
    id ${t.id},
    rule_id ${t.int} NOT NULL,
    device ${t.key(255)} NOT NULL,
    raised_at ${t.bigint} NOT NULL,
    cleared_at ${t.bigint} NULL,
    value ${t.real} NULL,
    path ${t.key(1024)} NULL,
    is_open ${t.tinyint} NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_qoe_alerts_open ON qoe_alerts (rule_id, device, is_open)',
    'CREATE INDEX ix_qoe_alerts_device ON qoe_alerts (device, raised_at)',
    'CREATE INDEX ix_qoe_alerts_raised ON qoe_alerts (raised_at)',
    `CREATE TABLE qoe_alert_marks (
    profile ${t.key(64)} NOT NULL PRIMARY KEY,
    evaluated_to ${t.bigint} NOT NULL
  )${t.tableSuffix}`,
  ];
}

export class QoeAlerts1766810000000 extends CreateTablesMigration {
  name = 'QoeAlerts1766810000000';
  protected statements = tables;
  protected dropOrder = ['qoe_alert_marks', 'qoe_alerts', 'qoe_alert_rules'];
}
