/**
 * campaigns: one row per campaign (its checked spec as JSON, status, current
 * stage, rate-limit bucket, the tick lease); campaign_devices: the devices it
 * selected when it started (snapshot), each with its stage, position, outcome
 * and workflow run id. Only creates tables.
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

// A tick reads one stage's devices by status in order, and counts starts of the last minute.
function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE campaigns (
    id ${t.key(36)} NOT NULL PRIMARY KEY,
    name ${t.str(255)} NOT NULL,
    spec ${t.bigtext} NOT NULL,
    status ${t.key(16)} NOT NULL,
    reason ${t.text} NULL,
    stage ${t.int} NOT NULL,
    selected ${t.int} NOT NULL,
    total ${t.int} NOT NULL,
    stage_started_at ${t.bigint} NULL,
    stage_done_at ${t.bigint} NULL,
    rate_tokens ${t.real} NOT NULL,
    rate_at ${t.bigint} NULL,
    lease_until ${t.bigint} NULL,
    created_at ${t.bigint} NOT NULL,
    updated_at ${t.bigint} NOT NULL,
    finished_at ${t.bigint} NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_campaigns_status ON campaigns (status, created_at)',
    `CREATE TABLE campaign_devices (
    campaign_id ${t.key(36)} NOT NULL,
    device_key ${t.key(255)} NOT NULL,
    stage ${t.int} NOT NULL,
    ord ${t.int} NOT NULL,
    status ${t.key(16)} NOT NULL,
    run_id ${t.key(36)} NULL,
    reason ${t.text} NULL,
    started_at ${t.bigint} NULL,
    finished_at ${t.bigint} NULL,
    PRIMARY KEY (campaign_id, device_key),
    CONSTRAINT fk_campaign_devices_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE
  )${t.tableSuffix}`,
    'CREATE INDEX ix_campaign_devices_stage ON campaign_devices (campaign_id, stage, status, ord)',
    'CREATE INDEX ix_campaign_devices_status ON campaign_devices (campaign_id, status, started_at)',
  ];
}

export class Campaigns1765500000000 extends CreateTablesMigration {
  name = 'Campaigns1765500000000';
  protected statements = tables;
  protected dropOrder = ['campaign_devices', 'campaigns'];
}
