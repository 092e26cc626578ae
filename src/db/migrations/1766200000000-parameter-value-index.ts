/**
 * An index to find devices by a parameter's value: (path, value_prefix),
 * value_prefix a virtual column holding the first 64 characters of the value.
 * A search for `path = "text"` (device-query-sql.ts) reads only this index:
 * the entries of one path and prefix, each with its device id (the primary
 * key's first column, which every secondary index carries). Before it, a
 * search for a value few devices have read every device's row of the path:
 * 17 s over 100,000 devices with 500 parameters each (bench (q)).
 *
 * A prefix, not the value: values are MEDIUMTEXT, and a virtual column (not a
 * prefix index) because MariaDB reads the row behind every prefix-index entry
 * to check it, thousands of random reads for a common value. The prefix only
 * widens a search; the evaluator checks the whole value.
 *
 * Self-contained but for ./dialect (frozen): a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isSqlite, runAll } from './dialect';

export class ParameterValueIndex1766200000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'ParameterValueIndex1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const column = isSqlite(queryRunner)
      ? 'ALTER TABLE device_parameters ADD COLUMN value_prefix TEXT GENERATED ALWAYS AS (SUBSTR(value, 1, 64)) VIRTUAL'
      : 'ALTER TABLE device_parameters ADD COLUMN value_prefix VARCHAR(64) AS (SUBSTR(value, 1, 64)) VIRTUAL';
    await runAll(queryRunner, [column, 'CREATE INDEX ix_device_parameters_value ON device_parameters (path, value_prefix)']);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const dropIndex = isSqlite(queryRunner) ? 'DROP INDEX ix_device_parameters_value' : 'DROP INDEX ix_device_parameters_value ON device_parameters';
    await runAll(queryRunner, [dropIndex, 'ALTER TABLE device_parameters DROP COLUMN value_prefix']);
  }
}
