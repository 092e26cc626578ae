/**
 * tasks: the device's persisted request queue becomes the task list. A task
 * is kept after it finished (done, fault, expired, cancelled) with its result
 * or fault, until the retention sweep deletes it. The rows of pending_requests
 * move over as queued tasks (named after their request's method), then that
 * table goes.
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { noPadKeyTypes, runAll, type ColumnTypes } from './dialect';

// Keyed by device_key, not device id: tasks may be created before the device ever informs (zero touch).
function table(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE tasks (
    id ${t.id},
    device_key ${t.key(255)} NOT NULL,
    name ${t.key(32)} NOT NULL,
    args ${t.bigtext} NOT NULL,
    request ${t.bigtext} NULL,
    status ${t.key(16)} NOT NULL,
    created_at ${t.bigint} NOT NULL,
    updated_at ${t.bigint} NOT NULL,
    due_at ${t.bigint} NULL,
    expires_at ${t.bigint} NULL,
    session_id ${t.key(64)} NULL,
    result ${t.bigtext} NULL,
    fault ${t.bigtext} NULL,
    retries ${t.int} NOT NULL DEFAULT 0
  )${t.tableSuffix}`,
    // A session reads its device's open tasks; the API lists by status; the retention sweep deletes old finished ones.
    'CREATE INDEX ix_tasks_device ON tasks (device_key, status, id)',
    'CREATE INDEX ix_tasks_status ON tasks (status, updated_at)',
  ];
}

/** "GetParameterValues" → "getParameterValues": the task name of a request queued before tasks existed. */
const COPY = `INSERT INTO tasks (device_key, name, args, request, status, created_at, updated_at)
  SELECT device_key, '', '{}', request, 'queued', created_at, created_at FROM pending_requests ORDER BY id`;

export class Tasks1765200000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'Tasks1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runAll(queryRunner, table(await noPadKeyTypes(queryRunner)));
    await queryRunner.query(COPY);
    const rows = (await queryRunner.query(`SELECT id, request FROM tasks WHERE name = ''`)) as { id: number; request: string }[];
    for (const row of rows) {
      const method = String((JSON.parse(row.request) as { method?: unknown }).method ?? 'request');
      await queryRunner.query('UPDATE tasks SET name = ? WHERE id = ?', [method.charAt(0).toLowerCase() + method.slice(1), row.id]);
    }
    await queryRunner.query('DROP TABLE pending_requests');
  }

  /** Back to a queue: open tasks with a request return to pending_requests; finished ones and provision tasks are lost. */
  async down(queryRunner: QueryRunner): Promise<void> {
    const t = await noPadKeyTypes(queryRunner);
    await queryRunner.query(`CREATE TABLE pending_requests (
      id ${t.id},
      device_key ${t.key(255)} NOT NULL,
      request ${t.bigtext} NOT NULL,
      created_at ${t.bigint} NOT NULL
    )${t.tableSuffix}`);
    await queryRunner.query('CREATE INDEX ix_pending_requests_device ON pending_requests (device_key, id)');
    await queryRunner.query(`INSERT INTO pending_requests (device_key, request, created_at)
      SELECT device_key, request, created_at FROM tasks WHERE status IN ('queued', 'sent') AND request IS NOT NULL ORDER BY id`);
    await queryRunner.query('DROP TABLE tasks');
  }
}
