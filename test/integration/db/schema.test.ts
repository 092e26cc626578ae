import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { openStore, parseStoreUrl } from '../../../src/db';
import { DataSource } from 'typeorm';
import { openDataSource } from '../../../src/db/datasource';
import { MIGRATIONS } from '../../../src/db/migrations';
import { InitialSchema1732600000000 } from '../../../src/db/migrations/1732600000000-initial-schema';
import { SqlDeviceStore } from '../../../src/db/store';
import { deviceKeyOf } from '../../../src/model/device-key';
import { DRIVERS, databaseOf, dropMysqlDatabase, mysqlUrl, newDeviceId, pv, session } from '../../helpers/db';

const TABLES = ['devices', 'device_parameters', 'device_tags', 'tasks', 'device_faults', 'channel_faults'];

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
      else assert.ok(await mysqlDatabaseExists(url));
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
        assert.equal(applied.length, MIGRATIONS.length);
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

    it('the migrations revert one at a time, down to an empty database, and re-apply to the same tables', async () => {
      const { dataSource } = await openDataSource(url);
      try {
        await dataSource.runMigrations();
        const all = await tablesOf(dataSource);
        for (const table of [...TABLES, 'device_events']) assert.ok(all.includes(table), table);
        for (let left = MIGRATIONS.length; left > 0; left--) {
          await dataSource.undoLastMigration();
          assert.equal((await dataSource.query('SELECT name FROM migrations')).length, left - 1);
          // The tasks migration undone: the queue it replaced is back.
          if (MIGRATIONS[left - 1].name === 'Tasks1765200000000') assert.ok((await tablesOf(dataSource)).includes('pending_requests'));
        }
        assert.deepEqual(await tablesOf(dataSource), ['migrations']);
        await dataSource.runMigrations();
        assert.deepEqual(await tablesOf(dataSource), all);
      } finally {
        await dataSource.destroy();
      }
    });

    it('upgrades a store created by the initial schema without losing anything', async () => {
      // The store as an earlier release left it: only the first migration applied, with data in every table.
      const { dataSource: created } = await openDataSource(url);
      await created.destroy();
      const old = new DataSource({ ...created.options, migrations: [InitialSchema1732600000000] });
      await old.initialize();
      const deviceId = newDeviceId('UPG');
      const key = deviceKeyOf(deviceId);
      try {
        await old.runMigrations();
        const store = new SqlDeviceStore(old, driver);
        const faults = [{ requestId: 1, request: { method: 'Reboot' as const, CommandKey: '' }, code: 9001, message: 'no', time: 5 }];
        await store.commitSession(session({ deviceId, params: [pv('Device.DeviceInfo.SoftwareVersion', '1.0')], faults }));
        await store.setTags(key, ['lab'], []);
        await store.setCpeCredentials(key, { username: 'u', password: 'p' });
        // The queue as it was before tasks: a request row of its own table.
        await old.query('INSERT INTO pending_requests (device_key, request, created_at) VALUES (?, ?, ?)', [key, JSON.stringify({ method: 'FactoryReset' }), 5]);
        const runner = old.createQueryRunner();
        assert.equal(await runner.hasTable('channel_faults'), false);
        await runner.release();
      } finally {
        await old.destroy();
      }

      const store = await openStore(url);
      try {
        await store.migrate();
        const d = await store.getDevice(key);
        assert.equal(d?.softwareVersion, '1.0');
        assert.deepEqual(d?.parameters.map((p) => p.path), ['Device.', 'Device.DeviceInfo.', 'Device.DeviceInfo.SoftwareVersion']);
        assert.deepEqual(d?.tags, ['lab']);
        assert.equal(d?.faults.length, 1);
        assert.deepEqual(d?.channelFaults, []);
        assert.deepEqual(await store.getCpeCredentials(key), { username: 'u', password: 'p' });
        const open = await store.pendingRequests(key);
        assert.deepEqual(open.map((r) => [r.request?.method, r.task.name, r.createdAt]), [['FactoryReset', 'factoryReset', 5]]);
        const fault = { channel: 'default', code: 'script.error', message: 'x', retries: 1, firstTime: 1, time: 1, nextRetry: 2 };
        await store.commitSession({ ...session({ deviceId, time: 1_700_000_060_000 }), channelFaults: { set: [fault], cleared: [] } });
        assert.deepEqual(await store.getChannelFaults(key), [fault]);
      } finally {
        await store.close();
      }
    });

    it('looks devices up by serial (and OUI), product class and their times through an index, not the whole table', async () => {
      const { dataSource } = await openDataSource(url);
      try {
        await dataSource.runMigrations();
        const t = (i: number) => 1_700_000_000_000 + i * 1000;
        const rows = Array.from({ length: 2000 }, (_, i) => [`K-${i}`, 'Acme', `00AA${i % 10}`, `PC-${i % 50}`, `SN-${i}`, t(i), t(i), t(i), t(i)]);
        const columns = 'device_key, manufacturer, oui, product_class, serial_number, last_inform, first_inform, last_boot, last_bootstrap';
        await dataSource.query(`INSERT INTO devices (${columns}) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`, rows.flat());
        if (driver === 'mysql') await dataSource.query('ANALYZE TABLE devices');
        const lookups: [string, unknown[], string][] = [
          ['serial_number = ?', ['SN-1234'], 'ix_devices_serial'],
          ['serial_number = ? AND oui = ?', ['SN-1234', '00AA4'], 'ix_devices_serial'],
          ['product_class = ?', ['PC-7'], 'ix_devices_product_class'],
          ['last_inform < ?', [t(5)], 'ix_devices_last_inform'],
          ['first_inform >= ?', [t(1995)], 'ix_devices_first_inform'],
          ['last_boot > ?', [t(1995)], 'ix_devices_last_boot'],
          ['last_bootstrap < ?', [t(5)], 'ix_devices_last_bootstrap'],
        ];
        for (const [where, params, index] of lookups) {
          const sql = `SELECT id FROM devices WHERE ${where}`;
          const plan = driver === 'mysql'
            ? ((await dataSource.query(`EXPLAIN ${sql}`, params)) as { key: string | null }[]).map((r) => r.key ?? '').join(' ')
            : ((await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, params)) as { detail: string }[]).map((r) => r.detail).join(' ');
          assert.match(plan, new RegExp(index), `${where}: ${plan}`);
        }
      } finally {
        await dataSource.destroy();
      }
    });

    if (driver === 'mysql') {
      it('paths, keys and tags compare every byte: case and trailing spaces (a NO PAD binary collation)', async () => {
        const { dataSource } = await openDataSource(url);
        try {
          await dataSource.runMigrations();
          const rows: { COLUMN_NAME: string; COLLATION_NAME: string }[] = await dataSource.query(
            `SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IN ('path', 'device_key', 'tag')`,
          );
          assert.ok(rows.length >= 5);
          for (const r of rows) assert.match(r.COLLATION_NAME, /^utf8mb4_(nopad|0900)_bin$/, r.COLUMN_NAME);
        } finally {
          await dataSource.destroy();
        }
      });
    }
  });
}

async function mysqlDatabaseExists(url: string): Promise<boolean> {
  const name = databaseOf(url);
  const u = new URL(url);
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

/** The database's tables, sorted (TypeORM's own bookkeeping included; SQLite's internal ones not). */
async function tablesOf(ds: DataSource): Promise<string[]> {
  const sql = ds.options.type === 'better-sqlite3'
    ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    : 'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()';
  return ((await ds.query(sql)) as { name: string }[]).map((r) => r.name).sort();
}
