/**
 * Indexes on the devices' times a search names besides the last Inform:
 * first_inform (GenieACS's _registered, our Registered: "devices new this
 * week"), last_boot and last_bootstrap (_lastBoot, _lastBootstrap). Unlike
 * last_inform they change rarely (once, or at a boot), so their entries
 * cost sessions almost nothing.
 * On MariaDB each is built online (no table lock).
 *
 * Self-contained but for ./dialect (frozen).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isSqlite, runAll } from './dialect';

const INDEXES: [name: string, column: string][] = [
  ['ix_devices_first_inform', 'first_inform'],
  ['ix_devices_last_boot', 'last_boot'],
  ['ix_devices_last_bootstrap', 'last_bootstrap'],
];

export class DeviceTimeIndexes1767100000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'DeviceTimeIndexes1767100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runAll(queryRunner, INDEXES.map(([name, column]) => `CREATE INDEX ${name} ON devices (${column})`));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const on = isSqlite(queryRunner) ? '' : ' ON devices';
    await runAll(queryRunner, INDEXES.map(([name]) => `DROP INDEX ${name}${on}`));
  }
}
