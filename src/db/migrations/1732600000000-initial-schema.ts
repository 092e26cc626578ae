/**
 * The initial schema, written by hand for both dialects. Column types are
 * spelled through the type map of ./dialect (frozen) so the table
 * definitions are shared and only the dialect words differ.
 *
 * Times are BIGINT epoch ms (MySQL and SQLite agree on integers, not on
 * dates). Paths, keys and tags use a binary collation on MySQL: parameter
 * names are case-sensitive and the prefix-range scans rely on byte order,
 * which is also SQLite's default (BINARY) order.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTables, padSpaceKeyTypes, runAll, SQLITE_TYPES, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
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
    )${t === SQLITE_TYPES ? ' WITHOUT ROWID' : t.tableSuffix}`,
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
    await runAll(queryRunner, [...tables(padSpaceKeyTypes(queryRunner)), ...INDEXES]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropTables(queryRunner, DROP_ORDER);
  }
}
