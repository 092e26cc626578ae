/**
 * workflow_runs: durable workflow runs (src/workflows), one row per run with
 * its status, working state (JSON) and a version for compare-and-set writes;
 * workflow_events: the events and CPE requests of committed sessions of
 * devices some run watches, read by waiting runs. Only creates tables.
 *
 * Self-contained on purpose (its own small type map): a migration must keep
 * meaning what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

interface TypeMap {
  id: string;
  int: string;
  bigint: string;
  key: (n: number) => string;
  text: string;
  bigtext: string;
  tableSuffix: string;
}

const mysql = (noPad: string): TypeMap => ({
  id: 'INT NOT NULL AUTO_INCREMENT PRIMARY KEY',
  int: 'INT',
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE ${noPad}`,
  text: 'TEXT',
  bigtext: 'MEDIUMTEXT',
  tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
});

async function noPadCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(`SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME = 'utf8mb4_nopad_bin'`)) as unknown[];
  return rows.length > 0 ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

const SQLITE: TypeMap = {
  id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  int: 'INTEGER',
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n})`,
  text: 'TEXT',
  bigtext: 'TEXT',
  tableSuffix: '',
};

// Runs are read by id, by device (the REST API, the session-committed consumer) and by campaign (its counts).
function tables(t: TypeMap): string[] {
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

export class WorkflowRuns1765400000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'WorkflowRuns1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const types = queryRunner.connection.driver.options.type === 'better-sqlite3' ? SQLITE : mysql(await noPadCollation(queryRunner));
    for (const sql of tables(types)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE workflow_events');
    await queryRunner.query('DROP TABLE workflow_runs');
  }
}
