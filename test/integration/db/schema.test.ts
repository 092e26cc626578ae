import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { openStore, parseStoreUrl } from '../../../src/db';
import { openDataSource } from '../../../src/db/datasource';
import { DRIVERS, dropMysqlDatabase, mysqlUrl } from '../../helpers/db';

const TABLES = ['devices', 'device_parameters', 'device_tags', 'pending_requests', 'device_faults'];

for (const driver of DRIVERS) {
  describe(`db schema [${driver}]`, function () {
    this.timeout(60_000);
    let dir = '';
    let url = '';

    beforeEach(async () => {
      if (driver === 'mysql') {
        url = mysqlUrl('acs_test_db_schema');
        await dropMysqlDatabase(url);
      } else {
        dir = mkdtempSync(join(tmpdir(), 'acs-schema-'));
        url = `sqlite:${join(dir, 'a', 'b', 'store.sqlite')}`;
      }
    });
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('creates the database (or the SQLite file and its folders) if missing', async () => {
      const store = await openStore(url);
      await store.close();
      if (driver === 'sqlite') assert.ok(existsSync(join(dir, 'a', 'b', 'store.sqlite')));
      else assert.ok(await mysqlDatabaseExists('acs_test_db_schema'));
    });

    it('migrations create every table on an empty database, and re-run as a no-op', async () => {
      const store = await openStore(url);
      await store.migrate();
      await store.migrate();
      await store.close();
      const { dataSource } = await openDataSource(url);
      try {
        const runner = dataSource.createQueryRunner();
        for (const table of TABLES) assert.ok(await runner.hasTable(table), `table ${table}`);
        const applied = await dataSource.query('SELECT name FROM migrations');
        assert.equal(applied.length, 1);
        assert.equal(await dataSource.showMigrations(), false);
        await runner.release();
      } finally {
        await dataSource.destroy();
      }
    });

    it('concurrent migrations (two ACS processes, or one store twice on SQLite) take turns', async () => {
      const first = await openStore(url);
      // SQLite is embedded in one process: its store serializes calls instead.
      const second = driver === 'mysql' ? await openStore(url) : first;
      await Promise.all([first.migrate(), second.migrate(), first.migrate()]);
      assert.deepEqual(await second.listDevices(), []);
      await first.close();
      if (second !== first) await second.close();
    });

    it('the migration reverts and re-applies', async () => {
      const { dataSource } = await openDataSource(url);
      try {
        await dataSource.runMigrations();
        await dataSource.undoLastMigration();
        const runner = dataSource.createQueryRunner();
        assert.equal(await runner.hasTable('devices'), false);
        await dataSource.runMigrations();
        assert.equal(await runner.hasTable('device_parameters'), true);
        await runner.release();
      } finally {
        await dataSource.destroy();
      }
    });

    if (driver === 'mysql') {
      it('paths, keys and tags are case-sensitive (utf8mb4_bin)', async () => {
        const { dataSource } = await openDataSource(url);
        try {
          await dataSource.runMigrations();
          const rows: { COLUMN_NAME: string; COLLATION_NAME: string }[] = await dataSource.query(
            `SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IN ('path', 'device_key', 'tag')`,
          );
          assert.ok(rows.length >= 5);
          for (const r of rows) assert.equal(r.COLLATION_NAME, 'utf8mb4_bin', r.COLUMN_NAME);
        } finally {
          await dataSource.destroy();
        }
      });
    }
  });
}

async function mysqlDatabaseExists(name: string): Promise<boolean> {
  const u = new URL(mysqlUrl(name));
  u.pathname = '/';
  const connection = await mysql.createConnection(u.toString());
  try {
    const [rows] = await connection.query('SHOW DATABASES LIKE ?', [name]);
    return Array.isArray(rows) && rows.length === 1;
  } finally {
    await connection.end();
  }
}

describe('db store URL', () => {
  it('parses MySQL and SQLite URLs', () => {
    assert.deepEqual(parseStoreUrl('mysql://u:p%40ss@db.local:3307/acs'), {
      driver: 'mysql', host: 'db.local', port: 3307, user: 'u', password: 'p@ss', database: 'acs',
    });
    assert.deepEqual(parseStoreUrl('sqlite:./data/acs.sqlite'), { driver: 'sqlite', file: './data/acs.sqlite' });
    assert.deepEqual(parseStoreUrl('sqlite::memory:'), { driver: 'sqlite', file: ':memory:' });
  });

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['postgres://h/db', /scheme/],
    ['mysql://root:secret@host:3306/', /database name is missing/],
    ['mysql://root@host:99999/acs', /invalid port|not a valid URL/],
    ['mysql://root@host/acs;drop', /invalid database name/],
    ['sqlite:', /file path is missing/],
  ];
  for (const [url, message] of bad) {
    it(`rejects ${JSON.stringify(url)}`, async () => {
      await assert.rejects(openStore(url), message);
    });
  }

  it('never echoes the password', async () => {
    await assert.rejects(openStore('mysql://root:hunter2@host:3306/'), (err: Error) => !err.message.includes('hunter2'));
  });

  it('an in-memory SQLite store works', async () => {
    const store = await openStore('sqlite::memory:');
    await store.migrate();
    assert.deepEqual(await store.listDevices(), []);
    await store.close();
  });
});
