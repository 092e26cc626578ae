/**
 * A thin raw-SQL layer over TypeORM query runners, hiding the two drivers'
 * different result shapes, plus the transaction and serialization rules.
 */
import { createPool } from 'mysql2';
import { QueryFailedError, type DataSource, type QueryRunner } from 'typeorm';
import { countedDbError } from '../metrics/registry';

export type Driver = 'mysql' | 'sqlite';
export type Row = Record<string, unknown>;

export interface Db {
  driver: Driver;
  select(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<{ affected: number; insertId: number }>;
  /**
   * `run` for a statement whose text comes back often: on MySQL a prepared
   * statement (prepared once per connection and kept there; its values go
   * binary, never formatted into the text: for a many-row INSERT, less CPU
   * on both sides). At most 65,535 parameters; each distinct text is one
   * more statement held per connection, so callers keep their texts few
   * (`fixedChunks`).
   */
  runPrepared(sql: string, params: unknown[]): Promise<{ affected: number; insertId: number }>;
  /**
   * A write whose answer nobody reads: sent with the next statement, or with
   * the transaction's COMMIT (on MySQL in the same packet: one round trip for
   * all of them). Its error fails that statement, and so the transaction.
   */
  later(sql: string, params?: unknown[]): void;
  /**
   * Several statements in one round trip on MySQL (after the deferred writes); their results, in order.
   * `last`: they end the transaction, whose COMMIT goes in the same round trip; the Db takes nothing more.
   */
  batch(statements: Statement[], options?: { last?: boolean }): Promise<StatementResult[]>;
}

/** " FOR UPDATE" where the driver locks rows read in a transaction (SQLite's transactions lock the whole database already). */
export function forUpdate(db: Pick<Db, 'driver'>): string {
  return db.driver === 'mysql' ? ' FOR UPDATE' : '';
}

export interface StatementResult extends Outcome {
  rows: Row[];
}

export interface Statement {
  sql: string;
  params: unknown[];
  /** Sent as a prepared statement where the driver has them (Db.runPrepared). */
  prepared?: boolean;
}

/** A Db whose deferred writes are still to be sent: `end` sends them, with its closing statement (COMMIT) if it has one. */
interface OpenDb extends Db {
  end(): Promise<void>;
}

interface Outcome {
  affected: number;
  insertId: number;
}

/**
 * A Db over `send`, which runs statements in order and answers each one's
 * raw result. `closing` (COMMIT) is the statement that ends it, sent by `end`
 * or with a `last` batch.
 */
function batchingDb<R>(driver: Driver, send: (list: Statement[]) => Promise<R[]>, rows: (r: R) => Row[], outcome: (r: R) => Outcome, closing?: string): OpenDb {
  let queued: Statement[] = [];
  let closed = false;
  /** Sends the deferred writes and `last`; answers the results of `last`. */
  const take = async (last: Statement[]): Promise<R[]> => {
    if (closed) throw new Error('statement after the end of its transaction');
    const list = [...queued, ...last];
    queued = [];
    return (await send(list)).slice(list.length - last.length);
  };
  const close = async (last: Statement[]): Promise<R[]> => {
    const results = await take(closing === undefined ? last : [...last, { sql: closing, params: [] }]);
    closed = true;
    return results.slice(0, last.length);
  };
  return {
    driver,
    select: async (sql, params = []) => rows((await take([{ sql, params }]))[0]),
    run: async (sql, params = []) => outcome((await take([{ sql, params }]))[0]),
    runPrepared: async (sql, params) => outcome((await take([{ sql, params, prepared: true }]))[0]),
    later: (sql, params = []) => void queued.push({ sql, params }),
    batch: async (statements, options) => (await (options?.last ? close : take)(statements)).map((r) => ({ rows: rows(r), ...outcome(r) })),
    async end() {
      if (!closed && queued.length + (closing === undefined ? 0 : 1) > 0) await close([]);
    },
  };
}

interface RunnerResult {
  records?: unknown[];
  affected?: number;
  raw?: unknown;
}

function runnerDb(runner: QueryRunner, driver: Driver): OpenDb {
  const send = async (list: Statement[]): Promise<RunnerResult[]> => {
    const results: RunnerResult[] = [];
    for (const s of list) results.push((await runner.query(s.sql, s.params, true)) as RunnerResult);
    return results;
  };
  return batchingDb(driver, send, (r) => (r.records ?? []) as Row[], (r) => ({ affected: r.affected ?? 0, insertId: insertIdOf(r.raw) }));
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
 * `items` in chunks of `largest` (a power of two), the rest in
 * decreasing powers of two: however many items come, a statement per
 * chunk has one of log2(largest) + 1 texts (prepared statements are kept
 * per text and per connection).
 */
export function fixedChunks<T>(items: T[], largest: number): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (; items.length - i >= largest; i += largest) out.push(items.slice(i, i + largest));
  for (let size = largest / 2; size >= 1; size /= 2) {
    if (items.length - i < size) continue;
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
}

/** MySQL's ER_QUERY_TIMEOUT and MariaDB's ER_STATEMENT_TIMEOUT: a statement stopped at its time bound. */
const STATEMENT_TIMEOUT = new Set([3024, 1969]);

/**
 * `db` whose SELECTs the server stops after `ms`, so a costly read (a regular
 * expression over every device's parameters) cannot hold a connection and a
 * core of the database for as long as it likes. MariaDB runs the
 * `SET STATEMENT max_statement_time` in an executable comment (`/*M!`),
 * which MySQL skips; MySQL reads the MAX_EXECUTION_TIME hint, which MariaDB
 * 10 skips. A stopped SELECT rejects with `late()`. SQLite runs in this
 * process: unbounded.
 */
export function boundedSelects(db: Db, ms: number, late: () => Error): Db {
  if (db.driver !== 'mysql' || !(ms > 0)) return db;
  const ceiling = Math.ceil(ms);
  const head = `/*M! SET STATEMENT max_statement_time=${ceiling / 1000} FOR */ SELECT /*+ MAX_EXECUTION_TIME(${ceiling}) */`;
  return {
    ...db,
    select: async (sql, params) => {
      const text = sql.trimStart();
      if (!/^SELECT\b/i.test(text)) throw new Error(`boundedSelects: not a SELECT: ${text.slice(0, 40)}`);
      try {
        return await db.select(head + text.slice('SELECT'.length), params);
      } catch (err) {
        throw STATEMENT_TIMEOUT.has(errnoOf(err)) ? late() : err;
      }
    },
  };
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

/** Runs `fn` again, up to ATTEMPTS times in all, after an error that re-running cures; `fn` must be safe to run again. */
export async function retryable<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= ATTEMPTS || !RETRYABLE.has(errnoOf(err))) throw err;
    }
  }
}

export function inTransaction<T>(ds: DataSource, driver: Driver, fn: (db: Db) => Promise<T>): Promise<T> {
  return retryable(() => (driver === 'mysql' ? mysqlTransaction(transactionPoolOf(ds), fn) : transactionOnce(ds, driver, fn)));
}

async function transactionOnce<T>(ds: DataSource, driver: Driver, fn: (db: Db) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  try {
    await runner.startTransaction();
    const db = runnerDb(runner, driver);
    const result = await fn(db);
    await db.end();
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
  if (driver === 'mysql') return withMysql(poolOf(ds), fn);
  const runner = ds.createQueryRunner();
  try {
    const db = runnerDb(runner, driver);
    const result = await fn(db);
    await db.end();
    return result;
  } finally {
    await runner.release();
  }
}

/*
 * MySQL goes to mysql2's pool (the one TypeORM opened) without TypeORM's
 * query runner: measured on this machine, a runner costs ~70 µs of CPU per
 * query against ~35 µs for the pool's own connection, and the ACS's hot paths
 * are made of small queries. Errors are wrapped as TypeORM's, so callers see
 * one shape (QueryFailedError with driverError.errno) on both drivers.
 */
type MysqlCallback = (err: Error | null, result: unknown) => void;
interface MysqlConnection {
  query(sql: string, params: unknown[], cb: MysqlCallback): void;
  execute(sql: string, params: unknown[], cb: MysqlCallback): void;
  release(): void;
  destroy(): void;
}
interface MysqlPool {
  query(sql: string, params: unknown[], cb: MysqlCallback): void;
  execute(sql: string, params: unknown[], cb: MysqlCallback): void;
  getConnection(cb: (err: Error | null, connection: MysqlConnection) => void): void;
  end(cb: (err?: Error | null) => void): void;
}

function poolOf(ds: DataSource): MysqlPool {
  return (ds.driver as unknown as { pool: MysqlPool }).pool;
}

/** What datasource.ts gives TypeORM for MySQL, and the transaction pool copies. */
interface MysqlOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  database?: string;
  charset?: string;
  supportBigNumbers?: boolean;
  bigNumberStrings?: boolean;
}

/**
 * Transactions get a pool of their own whose connections run with
 * autocommit off (and READ COMMITTED: fewer gap locks; per-device
 * serialization comes from the device row lock), both set once per
 * connection: a transaction is then its statements and a COMMIT, without the
 * START TRANSACTION round trip. Its connections are never used outside a
 * transaction, so none is ever left holding an open one.
 */
const transactionPools = new WeakMap<DataSource, MysqlPool>();
const prepared = new WeakSet<MysqlConnection>();

function transactionPoolOf(ds: DataSource): MysqlPool {
  let pool = transactionPools.get(ds);
  if (!pool) {
    const o = ds.options as unknown as MysqlOptions;
    const options = {
      host: o.host, port: o.port, user: o.username, password: o.password, database: o.database,
      charset: o.charset, supportBigNumbers: o.supportBigNumbers, bigNumberStrings: o.bigNumberStrings,
      // Deferred writes go with the COMMIT (Db.later); our SQL text never holds values, they travel as escaped parameters.
      multipleStatements: true,
    };
    pool = createPool(options) as unknown as MysqlPool;
    transactionPools.set(ds, pool);
  }
  return pool;
}

/** Ends the transaction pool of `ds` (the store closes; TypeORM ends its own pool). */
export async function closeTransactionPool(ds: DataSource): Promise<void> {
  const pool = transactionPools.get(ds);
  if (!pool) return;
  transactionPools.delete(ds);
  await new Promise<void>((resolve) => pool.end(() => resolve()));
}

function connect(pool: MysqlPool): Promise<MysqlConnection> {
  return new Promise((resolve, reject) => pool.getConnection((err, c) => (err ? reject(countedDbError(err)) : resolve(c))));
}

/** A statement on a connection, or on the pool (any free connection, given back at once); `prepared`: by execute (Db.runPrepared). */
function query(c: Pick<MysqlConnection, 'query' | 'execute'>, sql: string, params: unknown[] = [], prepared = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const done: MysqlCallback = (err, result) => (err ? reject(countedDbError(new QueryFailedError(sql, params, err))) : resolve(result));
    if (prepared) c.execute(sql, params, done);
    else c.query(sql, params, done);
  });
}

type MysqlResult = Row[] | { affectedRows?: number; insertId?: number };

/**
 * Several statements go as one packet where the connection takes them (the
 * transaction pool's); mysql2 then answers one result per statement.
 */
function mysqlDb(c: Pick<MysqlConnection, 'query' | 'execute'>, multiple: boolean, closing?: string): OpenDb {
  const send = async (list: Statement[]): Promise<MysqlResult[]> => {
    if (list.length === 1) return [(await query(c, list[0].sql, list[0].params, list[0].prepared)) as MysqlResult];
    // A prepared statement goes alone: only plain text statements share a packet.
    if (multiple && !list.some((s) => s.prepared)) return (await query(c, list.map((s) => s.sql).join(';\n'), list.flatMap((s) => s.params))) as MysqlResult[];
    const results: MysqlResult[] = [];
    for (const s of list) results.push((await query(c, s.sql, s.params, s.prepared)) as MysqlResult);
    return results;
  };
  const outcome = (r: MysqlResult): Outcome => {
    const header = r as { affectedRows?: number; insertId?: number };
    return { affected: header.affectedRows ?? 0, insertId: Number(header.insertId ?? 0) };
  };
  return batchingDb('mysql', send, (r) => (Array.isArray(r) ? r : []), outcome, closing);
}

/**
 * Autocommit statements go to the pool one by one: holding a connection for
 * the whole of `fn` would deadlock a pool whose connections are all held by
 * callers that, inside `fn`, wait for TypeORM to get one (reads.getDevice).
 */
async function withMysql<T>(pool: MysqlPool, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = mysqlDb(pool, false);
  const result = await fn(db);
  await db.end();
  return result;
}

async function mysqlTransaction<T>(pool: MysqlPool, fn: (db: Db) => Promise<T>): Promise<T> {
  const c = await connect(pool);
  try {
    if (!prepared.has(c)) {
      await query(c, 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await query(c, 'SET SESSION autocommit = 0');
      prepared.add(c);
    }
  } catch (err) {
    c.destroy();
    throw err;
  }
  try {
    const db = mysqlDb(c, true, 'COMMIT');
    const result = await fn(db);
    await db.end();
    c.release();
    return result;
  } catch (err) {
    // A connection that cannot roll back is not given back with a transaction open; a failed rollback must not hide the error that caused it.
    await query(c, 'ROLLBACK').then(() => c.release(), () => c.destroy());
    throw err;
  }
}

function errnoOf(err: unknown): number {
  const driverError = (err as { driverError?: { errno?: unknown } } | null)?.driverError;
  return typeof driverError?.errno === 'number' ? driverError.errno : 0;
}
