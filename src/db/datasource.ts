/**
 * Builds the TypeORM DataSource for a store URL: creates the MySQL database
 * or the SQLite file's folder first, so a fresh install needs no manual step.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { createConnection } from 'mysql2/promise';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { parseStoreUrl, type MysqlTarget, type SqliteTarget, type StoreTarget } from './url';

export async function openDataSource(url: string): Promise<{ dataSource: DataSource; target: StoreTarget }> {
  const target = parseStoreUrl(url);
  const options = target.driver === 'mysql' ? await mysqlOptions(target) : await sqliteOptions(target);
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  return { dataSource, target };
}

const COMMON = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false } as const;

async function mysqlOptions(target: MysqlTarget): Promise<DataSourceOptions> {
  await ensureDatabase(target);
  return {
    ...COMMON,
    type: 'mysql',
    host: target.host,
    port: target.port,
    username: target.user,
    password: target.password,
    database: target.database,
    charset: 'utf8mb4',
    // Numbers stay numbers (epoch ms fit in 2^53); only unsafe ones come back as strings.
    supportBigNumbers: true,
    bigNumberStrings: false,
  };
}

async function ensureDatabase(target: MysqlTarget): Promise<void> {
  const { host, port, user, password, database } = target;
  const connection = await createConnection({ host, port, user, password });
  try {
    // The name was validated by parseStoreUrl (letters, digits, _ and $), so quoting is enough.
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

async function sqliteOptions(target: SqliteTarget): Promise<DataSourceOptions> {
  const memory = target.file === ':memory:';
  if (!memory) await mkdir(dirname(resolve(target.file)), { recursive: true });
  return {
    ...COMMON,
    type: 'better-sqlite3',
    database: target.file,
    // WAL lets readers (an operator's sqlite3 shell, a backup) run beside the ACS.
    enableWAL: !memory,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      // With WAL, NORMAL cannot corrupt the file; a power cut may only lose the last commits.
      db.pragma('synchronous = NORMAL');
    },
  };
}
