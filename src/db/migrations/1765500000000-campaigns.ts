/**
 * campaigns: one row per campaign (its checked spec as JSON, status, current
 * stage, rate-limit bucket, the tick lease); campaign_devices: the devices it
 * selected when it started (snapshot), each with its stage, position, outcome
 * and workflow run id. Only creates tables.
 *
 * Self-contained on purpose (its own small type map): a migration must keep
 * meaning what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

interface TypeMap {
  int: string;
  bigint: string;
  real: string;
  key: (n: number) => string;
  str: (n: number) => string;
  text: string;
  bigtext: string;
  tableSuffix: string;
}

/** Keys compare every byte: the NO PAD binary collation (see 1765000000000). */
const mysql = (noPad: string): TypeMap => ({
  int: 'INT',
  bigint: 'BIGINT',
  real: 'DOUBLE',
  key: (n) => `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE ${noPad}`,
  str: (n) => `VARCHAR(${n})`,
  text: 'TEXT',
  bigtext: 'MEDIUMTEXT',
  tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
});

async function noPadCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(`SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME = 'utf8mb4_nopad_bin'`)) as unknown[];
  return rows.length > 0 ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

const SQLITE: TypeMap = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  real: 'REAL',
  key: (n) => `VARCHAR(${n})`,
  str: (n) => `VARCHAR(${n})`,
  text: 'TEXT',
  bigtext: 'TEXT',
  tableSuffix: '',
};

// A tick reads one stage's devices by status in order, and counts starts of the last minute.
function tables(t: TypeMap): string[] {
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

export class Campaigns1765500000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'Campaigns1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const types = queryRunner.connection.driver.options.type === 'better-sqlite3' ? SQLITE : mysql(await noPadCollation(queryRunner));
    for (const sql of tables(types)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE campaign_devices');
    await queryRunner.query('DROP TABLE campaigns');
  }
}
