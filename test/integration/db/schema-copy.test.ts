/**
 * The suites' MySQL databases are copies of a migrated one
 * (freshMigratedMysqlDatabase, test/helpers/db.ts): a copy must be what
 * running the migrations on an empty database leaves, table for table and
 * row for row, or every suite would test another schema than production's.
 */
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { openStore } from '../../../src/db';
import { databaseOf, dropMysqlDatabase, freshMigratedMysqlDatabase, mysqlUrl, TEST_DATABASE_URL } from '../../helpers/db';

const MIGRATED_URL = mysqlUrl('acs_test_schema_copy_migrated');
const COPIED_URL = mysqlUrl('acs_test_schema_copy_copied');
// The names mysqlUrl gave this test process (suffixed with its slot: test/helpers/worker-slot.ts).
const MIGRATED = databaseOf(MIGRATED_URL);
const COPIED = databaseOf(COPIED_URL);

/** Each table's SHOW CREATE TABLE (the AUTO_INCREMENT counter aside: the copy's rows set it) and its rows, by table name. */
async function describeDatabase(connection: mysql.Connection, database: string): Promise<Record<string, { ddl: string; rows: unknown[] }>> {
  const [tables] = (await connection.query(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name", [database],
  )) as [{ name: string }[], unknown];
  const out: Record<string, { ddl: string; rows: unknown[] }> = {};
  for (const { name } of tables) {
    const [[create]] = (await connection.query(`SHOW CREATE TABLE \`${database}\`.\`${name}\``)) as [Record<string, string>[], unknown];
    const [rows] = (await connection.query(`SELECT * FROM \`${database}\`.\`${name}\``)) as [unknown[], unknown];
    out[name] = { ddl: create['Create Table'].replace(/ AUTO_INCREMENT=\d+/, ''), rows };
  }
  return out;
}

describe('suite databases copied from a migrated one [mysql]', function () {
  this.timeout(120_000);
  let connection: mysql.Connection;

  before(async () => {
    await dropMysqlDatabase(MIGRATED_URL);
    const store = await openStore(MIGRATED_URL);
    await store.migrate();
    await store.close();
    const server = new URL(TEST_DATABASE_URL);
    server.pathname = '/';
    connection = await mysql.createConnection(server.toString());
  });
  after(async () => {
    await connection?.end();
  });

  it('have the tables, columns, keys, collations and rows the migrations leave', async () => {
    await freshMigratedMysqlDatabase(COPIED_URL);
    const migrated = await describeDatabase(connection, MIGRATED);
    assert.ok(Object.keys(migrated).length > 20, `tables: ${Object.keys(migrated).join(', ')}`);
    assert.deepEqual(await describeDatabase(connection, COPIED), migrated);
    const [schemata] = (await connection.query(
      'SELECT schema_name AS name, default_character_set_name AS charset, default_collation_name AS collation FROM information_schema.schemata WHERE schema_name IN (?, ?)',
      [MIGRATED, COPIED],
    )) as [{ name: string; charset: string; collation: string }[], unknown];
    const defaults = (name: string) => schemata.filter((s) => s.name === name).map(({ charset, collation }) => ({ charset, collation }));
    assert.deepEqual(defaults(COPIED), defaults(MIGRATED));
    assert.equal(defaults(COPIED).length, 1);
  });

  it('is made again from nothing: rows written before are gone, and migrate() finds nothing to apply', async () => {
    const url = COPIED_URL;
    const names = async (database: string) => ((await connection.query(`SELECT name FROM \`${database}\`.migrations ORDER BY id`)) as [{ name: string }[], unknown])[0];
    await freshMigratedMysqlDatabase(url);
    await connection.query(`INSERT INTO \`${COPIED}\`.migrations (timestamp, name) VALUES (1, 'Written1')`);
    await freshMigratedMysqlDatabase(url);
    assert.deepEqual(await names(COPIED), await names(MIGRATED));
    const store = await openStore(url);
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    assert.deepEqual(await names(COPIED), await names(MIGRATED));
  });
});
