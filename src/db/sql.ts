/**
 * A thin raw-SQL layer over TypeORM query runners, hiding the two drivers'
 * different result shapes, plus the transaction and serialization rules.
 */
import type { DataSource, QueryRunner } from 'typeorm';

export type Driver = 'mysql' | 'sqlite';
export type Row = Record<string, unknown>;

export interface Db {
  driver: Driver;
  select(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<{ affected: number; insertId: number }>;
}

export function dbOf(runner: QueryRunner, driver: Driver): Db {
  return {
    driver,
    async select(sql, params = []) {
      const result = await runner.query(sql, params, true);
      return (result.records ?? []) as Row[];
    },
    async run(sql, params = []) {
      const result = await runner.query(sql, params, true);
      return { affected: result.affected ?? 0, insertId: insertIdOf(result.raw) };
    },
  };
}

/** mysql2 answers a ResultSetHeader; better-sqlite3 (through TypeORM) the lastInsertRowid itself. */
function insertIdOf(raw: unknown): number {
  if (typeof raw === 'number' || typeof raw === 'bigint') return Number(raw);
  if (raw !== null && typeof raw === 'object' && 'insertId' in raw) return Number(raw.insertId);
  return 0;
}

/** "(?,?,?)" for n values. */
export function placeholders(n: number): string {
  return `(${new Array<string>(n).fill('?').join(',')})`;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * better-sqlite3 is one connection shared by every query runner: two
 * interleaved transactions would nest ("cannot start a transaction within a
 * transaction") and a reader would see another call's uncommitted rows. So
 * on SQLite every store call runs alone, in arrival order.
 */
export class Serializer {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** MySQL errors after which re-running the whole (idempotent) transaction is the cure. */
const RETRYABLE = new Set([1213 /* ER_LOCK_DEADLOCK */, 1062 /* ER_DUP_ENTRY: two first Informs raced */]);
const ATTEMPTS = 3;

export async function inTransaction<T>(ds: DataSource, driver: Driver, fn: (db: Db) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transactionOnce(ds, driver, fn);
    } catch (err) {
      if (attempt >= ATTEMPTS || !RETRYABLE.has(errnoOf(err))) throw err;
    }
  }
}

async function transactionOnce<T>(ds: DataSource, driver: Driver, fn: (db: Db) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  try {
    // READ COMMITTED on MySQL: fewer gap locks; per-device serialization comes from the device row lock.
    await runner.startTransaction(driver === 'mysql' ? 'READ COMMITTED' : undefined);
    const result = await fn(dbOf(runner, driver));
    await runner.commitTransaction();
    return result;
  } catch (err) {
    // A failed rollback (connection gone) must not hide the error that caused it.
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await runner.release();
  }
}

export async function withDb<T>(ds: DataSource, driver: Driver, fn: (db: Db) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  try {
    return await fn(dbOf(runner, driver));
  } finally {
    await runner.release();
  }
}

function errnoOf(err: unknown): number {
  const driverError = (err as { driverError?: { errno?: unknown } } | null)?.driverError;
  return typeof driverError?.errno === 'number' ? driverError.errno : 0;
}
