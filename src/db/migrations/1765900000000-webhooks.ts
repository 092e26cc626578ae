/**
 * webhooks and webhook_deliveries: subscriptions of outside systems to the
 * ACS's events, and every delivery made for them.
 * - webhooks: the receiver's URL, the events it wants, the secret its
 *   deliveries are signed with, an optional device filter (a precondition),
 *   the parameters whose changes it wants (parameter.changed),
 *   and its health: failing since when, disabled when and why.
 * - webhook_deliveries: one row per event and subscription. `seq` orders them
 *   (deliveries of one device go out in that order); `uuid` is the stable id
 *   receivers de-duplicate on; status pending, delivered, skipped (the device
 *   did not match the filter) or failed (given up).
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE webhooks (
    id ${t.id},
    url ${t.str(2048)} NOT NULL,
    events ${t.text} NOT NULL,
    secret ${t.str(255)} NOT NULL,
    device_filter ${t.text} NULL,
    parameters ${t.text} NULL,
    created_at ${t.bigint} NOT NULL,
    created_by ${t.str(128)} NOT NULL,
    failing_since ${t.bigint} NULL,
    disabled_at ${t.bigint} NULL,
    disabled_reason ${t.str(1024)} NULL
  )${t.tableSuffix}`,
    `CREATE TABLE webhook_deliveries (
    seq ${t.id},
    uuid ${t.key(36)} NOT NULL,
    webhook_id ${t.int} NOT NULL,
    event ${t.str(64)} NOT NULL,
    device ${t.key(255)} NULL,
    time ${t.bigint} NOT NULL,
    body ${t.bigtext} NOT NULL,
    status ${t.str(16)} NOT NULL,
    attempts ${t.int} NOT NULL,
    last_status ${t.int} NULL,
    last_error ${t.str(1024)} NULL,
    delivered_at ${t.bigint} NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_webhook_deliveries_uuid ON webhook_deliveries (uuid)',
    'CREATE INDEX ix_webhook_deliveries_order ON webhook_deliveries (webhook_id, device, status, seq)',
    'CREATE INDEX ix_webhook_deliveries_time ON webhook_deliveries (webhook_id, time)',
  ];
}

export class Webhooks1765900000000 extends CreateTablesMigration {
  name = 'Webhooks1765900000000';
  protected statements = tables;
  protected dropOrder = ['webhook_deliveries', 'webhooks'];
}
