/**
 * Indexes on the devices columns people look devices up by. Before, only
 * device_key was indexed: an order naming its device by serial number
 * (POST /orders, and the support desk's search by serial) read the whole
 * table, as did a search by product class or by last inform ("offline for a
 * day": LastInform < NOW() - 1d) and the device list sorted by last inform.
 * - (serial_number, oui): by serial, or by OUI and serial;
 * - product_class;
 * - last_inform: written by every session (in batches for quiet ones), so
 *   each write also moves an index entry; the periodic storm (bench (a))
 *   checks what that costs.
 * On MariaDB each is built online (no table lock).
 *
 * Self-contained but for ./dialect (frozen).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isSqlite, runAll } from './dialect';

const INDEXES: [name: string, columns: string][] = [
  ['ix_devices_serial', 'serial_number, oui'],
  ['ix_devices_product_class', 'product_class'],
  ['ix_devices_last_inform', 'last_inform'],
];

export class DeviceIdentityIndexes1767000000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'DeviceIdentityIndexes1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runAll(queryRunner, INDEXES.map(([name, columns]) => `CREATE INDEX ${name} ON devices (${columns})`));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const on = isSqlite(queryRunner) ? '' : ' ON devices';
    await runAll(queryRunner, INDEXES.map(([name]) => `DROP INDEX ${name}${on}`));
  }
}
