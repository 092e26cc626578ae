/**
 * channel_faults: the provisioning faults of each device, one row per
 * (device, channel) (see ChannelFault in ../types.ts). Only creates a table:
 * an existing store keeps every row it had.
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { padSpaceKeyTypes, type ColumnTypes } from './dialect';

// Keyed by device id like device_tags: a fault only exists for a device that had a session.
// The primary key is the only index: every read and write is "one device" or "one device, one channel".
function table(t: ColumnTypes): string {
  return `CREATE TABLE channel_faults (
    device_id ${t.int} NOT NULL,
    channel ${t.key(255)} NOT NULL,
    code ${t.str(255)} NOT NULL,
    message ${t.bigtext} NOT NULL,
    preset ${t.text} NULL,
    script ${t.text} NULL,
    script_line ${t.int} NULL,
    script_column ${t.int} NULL,
    retries ${t.int} NOT NULL,
    first_time ${t.bigint} NOT NULL,
    time ${t.bigint} NOT NULL,
    next_retry ${t.bigint} NOT NULL,
    PRIMARY KEY (device_id, channel),
    CONSTRAINT fk_channel_faults_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
  )${t.tableSuffix}`;
}

export class ChannelFaults1764000000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'ChannelFaults1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(table(padSpaceKeyTypes(queryRunner)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE channel_faults');
  }
}
