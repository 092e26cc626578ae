/**
 * Runs the pending migrations. On MySQL, several ACS processes may start at
 * once against one database: a named lock makes them take turns, so the
 * second finds the schema done instead of failing on CREATE TABLE.
 */
import type { DataSource } from 'typeorm';
import type { Driver } from './sql';

const LOCK_NAME = 'acs_device_store_migrations';
const LOCK_TIMEOUT_S = 120;

export async function runMigrations(ds: DataSource, driver: Driver): Promise<void> {
  if (driver !== 'mysql') {
    await ds.runMigrations({ transaction: 'each' });
    return;
  }
  // GET_LOCK belongs to a connection: hold one for the duration.
  const runner = ds.createQueryRunner();
  try {
    const [row] = (await runner.query('SELECT GET_LOCK(?, ?) AS locked', [LOCK_NAME, LOCK_TIMEOUT_S])) as { locked: unknown }[];
    if (Number(row?.locked) !== 1) throw new Error(`Timed out waiting for the migration lock "${LOCK_NAME}"`);
    try {
      // MySQL DDL commits implicitly: a transaction would not make a migration atomic anyway.
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await runner.release();
  }
}
