/**
 * The initial schema, written by hand for both dialects. Column types are
 * spelled through a tiny type map so the table definitions are shared and
 * only the dialect words differ.
 *
 * Times are BIGINT epoch ms (MySQL and SQLite agree on integers, not on
 * dates). Paths, keys and tags use a binary collation on MySQL: parameter
 * names are case-sensitive and the prefix-range scans rely on byte order,
 * which is also SQLite's default (BINARY) order.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

interface TypeMap {
  id: string;
  int: string;
  bigint: string;
  /** Case-sensitive, byte-ordered varchar. */
  key: (n: number) => string;
  str: (n: number) => string;
  text: string;
  /** Values and JSON documents that may exceed 64 KB (MySQL TEXT's limit). */
  bigtext: string;
  tinyint: string;
  tableSuffix: string;
}

const MYSQL: TypeMap = {
  id: 'INT NOT NULL AUTO_INCREMENT PRIMARY KEY',
  int: 'INT',
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  str: (n) => `VARCHAR(${n})`,
  text: 'TEXT',
  bigtext: 'MEDIUMTEXT',
  tinyint: 'TINYINT',
  tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
};

const SQLITE: TypeMap = {
  // AUTOINCREMENT: ids are never reused, so a stale request id cannot hit a newer request.
  id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  int: 'INTEGER',
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n})`,
  str: (n) => `VARCHAR(${n})`,
  text: 'TEXT',
  bigtext: 'TEXT',
  tinyint: 'SMALLINT',
  tableSuffix: '',
};

function tables(t: TypeMap): string[] {
  return [
    `CREATE TABLE devices (
      id ${t.id},
      device_key ${t.key(255)} NOT NULL,
      manufacturer ${t.str(255)} NOT NULL,
      oui ${t.str(64)} NOT NULL,
      product_class ${t.str(255)} NOT NULL,
      serial_number ${t.str(255)} NOT NULL,
      software_version ${t.str(255)} NULL,
      hardware_version ${t.str(255)} NULL,
      first_inform ${t.bigint} NULL,
      last_inform ${t.bigint} NULL,
      last_boot ${t.bigint} NULL,
      last_bootstrap ${t.bigint} NULL,
      remote_address ${t.str(255)} NULL,
      cwmp_version ${t.str(16)} NULL,
      history ${t.bigtext} NULL,
      cpe_username ${t.str(255)} NULL,
      cpe_password ${t.str(255)} NULL,
      CONSTRAINT uq_devices_device_key UNIQUE (device_key)
    )${t.tableSuffix}`,
    // Clustered on (device_id, path): a device's model, or a subtree of it, is one range scan.
    `CREATE TABLE device_parameters (
      device_id ${t.int} NOT NULL,
      path ${t.key(512)} NOT NULL,
      kind ${t.str(8)} NOT NULL,
      value ${t.bigtext} NULL,
      type ${t.str(32)} NULL,
      writable ${t.tinyint} NULL,
      notification ${t.tinyint} NULL,
      access_list ${t.str(255)} NULL,
      value_time ${t.bigint} NULL,
      names_time ${t.bigint} NULL,
      attributes_time ${t.bigint} NULL,
      PRIMARY KEY (device_id, path),
      CONSTRAINT fk_device_parameters_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
    )${t === SQLITE ? ' WITHOUT ROWID' : t.tableSuffix}`,
    `CREATE TABLE device_tags (
      device_id ${t.int} NOT NULL,
      tag ${t.key(255)} NOT NULL,
      PRIMARY KEY (device_id, tag),
      CONSTRAINT fk_device_tags_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
    )${t.tableSuffix}`,
    // Keyed by device_key, not device id: requests may be queued before the device ever informs.
    `CREATE TABLE pending_requests (
      id ${t.id},
      device_key ${t.key(255)} NOT NULL,
      request ${t.bigtext} NOT NULL,
      created_at ${t.bigint} NOT NULL
    )${t.tableSuffix}`,
    `CREATE TABLE device_faults (
      id ${t.id},
      device_key ${t.key(255)} NOT NULL,
      request_id ${t.int} NULL,
      request ${t.bigtext} NOT NULL,
      code ${t.int} NOT NULL,
      message ${t.text} NOT NULL,
      detail ${t.bigtext} NULL,
      time ${t.bigint} NOT NULL
    )${t.tableSuffix}`,
  ];
}

const INDEXES = [
  'CREATE INDEX ix_device_tags_tag ON device_tags (tag, device_id)',
  'CREATE INDEX ix_pending_requests_device ON pending_requests (device_key, id)',
  'CREATE INDEX ix_device_faults_device ON device_faults (device_key, id)',
];

const DROP_ORDER = ['device_faults', 'pending_requests', 'device_tags', 'device_parameters', 'devices'];

export class InitialSchema1732600000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'InitialSchema1732600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const types = queryRunner.connection.driver.options.type === 'better-sqlite3' ? SQLITE : MYSQL;
    for (const sql of [...tables(types), ...INDEXES]) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of DROP_ORDER) await queryRunner.query(`DROP TABLE ${table}`);
  }
}
