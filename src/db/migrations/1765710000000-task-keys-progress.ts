/**
 * tasks gain two nullable columns:
 * - idempotency_key: the caller's key for a task (a retried POST, a redone
 *   workflow job); unique per device, so two creates with one key race to one
 *   row. NULLs never collide, on both drivers: tasks without a key are free.
 * - progress: how far a task of several RPCs got (the next request and the
 *   earlier answers its result needs), so a session cut between two of its
 *   RPCs does not make the next one start it over (a second AddObject).
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isSqlite, noPadKeyTypes } from './dialect';

export class TaskKeysProgress1765710000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'TaskKeysProgress1765710000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = await noPadKeyTypes(queryRunner);
    await queryRunner.query(`ALTER TABLE tasks ADD COLUMN idempotency_key ${t.key(128)} NULL`);
    await queryRunner.query(`ALTER TABLE tasks ADD COLUMN progress ${t.bigtext} NULL`);
    await queryRunner.query('CREATE UNIQUE INDEX ux_tasks_idempotency ON tasks (device_key, idempotency_key)');
  }

  /** Keys and progress are lost: a task cut between two RPCs starts over. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(isSqlite(queryRunner) ? 'DROP INDEX ux_tasks_idempotency' : 'DROP INDEX ux_tasks_idempotency ON tasks');
    await queryRunner.query('ALTER TABLE tasks DROP COLUMN progress');
    await queryRunner.query('ALTER TABLE tasks DROP COLUMN idempotency_key');
  }
}
