/**
 * device_events: the events of answered Informs (and the CPE's own requests)
 * whose provisioning is not done yet, one row per (device, event code,
 * CommandKey). Written before the InformResponse goes out, deleted by the
 * commit of the session that carried their provisioning out (see
 * src/db/events.ts). Only creates a table: existing rows are kept.
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
  bigtext: string;
  tableSuffix: string;
}

/** Keys compare every byte, trailing spaces included: the NO PAD binary collation (see 1765000000000). */
const mysql = (noPad: string): TypeMap => ({
  id: 'INT NOT NULL AUTO_INCREMENT PRIMARY KEY',
  int: 'INT',
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE ${noPad}`,
  bigtext: 'MEDIUMTEXT',
  tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
});

/** MariaDB's name for it, or MySQL's (the identity-collation migration made sure one exists). */
async function noPadCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(`SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME = 'utf8mb4_nopad_bin'`)) as unknown[];
  return rows.length > 0 ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

const SQLITE: TypeMap = {
  id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  int: 'INTEGER',
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n})`,
  bigtext: 'TEXT',
  tableSuffix: '',
};

// Reads are "one device's events"; (device, code, command key) is unique so a repeated event updates its row.
function table(t: TypeMap): string[] {
  return [
    `CREATE TABLE device_events (
    id ${t.id},
    device_id ${t.int} NOT NULL,
    code ${t.key(64)} NOT NULL,
    command_key ${t.key(255)} NOT NULL,
    detail ${t.bigtext} NULL,
    time ${t.bigint} NOT NULL,
    session_id ${t.key(64)} NOT NULL,
    CONSTRAINT fk_device_events_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX uq_device_events ON device_events (device_id, code, command_key)',
  ];
}

export class DeviceEvents1765100000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'DeviceEvents1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const types = queryRunner.connection.driver.options.type === 'better-sqlite3' ? SQLITE : mysql(await noPadCollation(queryRunner));
    for (const sql of table(types)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE device_events');
  }
}
