/**
 * The migration that gives tasks their idempotency key and progress, on both
 * databases: applied over tasks that exist (they keep everything), undone
 * (the columns and the index go, the tasks stay), applied again.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { openDataSource } from '../../src/db/datasource';
import { MIGRATIONS } from '../../src/db/migrations';
import { DRIVERS, dropMysqlDatabase, mysqlUrl } from '../helpers/db';

const NAME = 'TaskKeysProgress1765710000000';

async function columns(ds: DataSource): Promise<string[]> {
  const rows = ds.options.type === 'better-sqlite3'
    ? ((await ds.query(`SELECT name FROM pragma_table_info('tasks')`)) as { name: string }[])
    : ((await ds.query(`SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'tasks'`)) as { name: string }[]);
  return rows.map((r) => r.name);
}

const insert = (ds: DataSource, key: string | null) =>
  ds.query(`INSERT INTO tasks (device_key, name, args, status, created_at, updated_at${key === null ? '' : ', idempotency_key'}) VALUES ('D', 'reboot', '{}', 'queued', 1, 1${key === null ? '' : ', ?'})`, key === null ? [] : [key]);

for (const driver of DRIVERS) {
  describe(`migration ${NAME} [${driver}]`, function () {
    this.timeout(60_000);
    let dir = '';
    let ds: DataSource;

    before(async () => {
      let url: string;
      if (driver === 'mysql') {
        url = mysqlUrl('acs_test_tasks_migration');
        await dropMysqlDatabase(url);
      } else {
        dir = mkdtempSync(join(tmpdir(), 'acs-tasks-migration-'));
        url = `sqlite:${join(dir, 'store.sqlite')}`;
      }
      // Up to this migration only: later ones may come, the tests undo this one.
      const { dataSource } = await openDataSource(url);
      await dataSource.destroy();
      const upTo = MIGRATIONS.findIndex((m) => m.name === NAME);
      ds = new DataSource({ ...dataSource.options, migrations: MIGRATIONS.slice(0, upTo + 1) });
      await ds.initialize();
    });
    after(async () => {
      await ds?.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('applied over existing tasks, it keeps them and adds the columns and the unique key', async () => {
      assert.ok(MIGRATIONS.some((m) => m.name === NAME), 'listed in MIGRATIONS');
      await ds.runMigrations();
      await ds.undoLastMigration();
      await insert(ds, null);
      await ds.runMigrations();
      assert.ok((await columns(ds)).includes('idempotency_key'));
      assert.ok((await columns(ds)).includes('progress'));
      assert.equal(Number((await ds.query('SELECT COUNT(*) AS n FROM tasks'))[0].n), 1);
      await insert(ds, null);
      await insert(ds, 'k');
      await assert.rejects(insert(ds, 'k'), /Duplicate entry|UNIQUE constraint failed/);
    });

    it('reverts: the columns go, the tasks stay; and applies again', async () => {
      await ds.undoLastMigration();
      const after = await columns(ds);
      assert.ok(!after.includes('idempotency_key') && !after.includes('progress'), after.join(', '));
      assert.equal(Number((await ds.query('SELECT COUNT(*) AS n FROM tasks'))[0].n), 3);
      await ds.runMigrations();
      assert.ok((await columns(ds)).includes('progress'));
    });
  });
}
