/**
 * workflow_runs: durable workflow runs (src/workflows), one row per run with
 * its status, working state (JSON) and a version for compare-and-set writes;
 * workflow_events: the events and CPE requests of committed sessions of
 * devices some run watches, read by waiting runs. Only creates tables.
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

// Runs are read by id, by device (the REST API, the session-committed consumer) and by campaign (its counts).
function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE workflow_runs (
    id ${t.key(36)} NOT NULL PRIMARY KEY,
    device_key ${t.key(255)} NOT NULL,
    workflow ${t.key(100)} NOT NULL,
    args ${t.bigtext} NOT NULL,
    status ${t.key(16)} NOT NULL,
    step ${t.key(64)} NULL,
    reason ${t.text} NULL,
    output ${t.bigtext} NOT NULL,
    state ${t.bigtext} NOT NULL,
    definition ${t.bigtext} NOT NULL,
    version ${t.int} NOT NULL,
    campaign_id ${t.key(64)} NULL,
    campaign_stage ${t.int} NULL,
    created_at ${t.bigint} NOT NULL,
    updated_at ${t.bigint} NOT NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_workflow_runs_device ON workflow_runs (device_key, status)',
    'CREATE INDEX ix_workflow_runs_status ON workflow_runs (status, created_at)',
    'CREATE INDEX ix_workflow_runs_campaign ON workflow_runs (campaign_id, campaign_stage)',
    `CREATE TABLE workflow_events (
    id ${t.id},
    device_key ${t.key(255)} NOT NULL,
    session_id ${t.key(64)} NOT NULL,
    time ${t.bigint} NOT NULL,
    kind ${t.key(16)} NOT NULL,
    name ${t.key(64)} NOT NULL,
    command_key ${t.key(255)} NOT NULL,
    detail ${t.bigtext} NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_workflow_events_device ON workflow_events (device_key, time)',
  ];
}

export class WorkflowRuns1765400000000 extends CreateTablesMigration {
  name = 'WorkflowRuns1765400000000';
  protected statements = tables;
  protected dropOrder = ['workflow_events', 'workflow_runs'];
}
