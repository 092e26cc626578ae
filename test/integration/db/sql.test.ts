import assert from 'node:assert/strict';
import { QueryFailedError } from 'typeorm';
import { describeEachDriver } from '../../helpers/db';
import { retryable } from '../../../src/db/sql';

/**
 * The raw SQL layer (src/db/sql.ts): on MySQL, transactions run on their own
 * pool with autocommit off (a COMMIT ends them, no START TRANSACTION) and
 * everything else on TypeORM's pool without its query runner. What must hold
 * whatever the pool: a transaction commits all or nothing, a connection never
 * goes back to its pool with a transaction open, errors keep TypeORM's shape,
 * and a deadlock is retried.
 */
describeEachDriver('db raw SQL layer', 'acs_test_db_sql', (ctx) => {
  const sql = () => ctx.store.sql;
  const count = async (k: string) => Number((await sql().autocommit((db) => db.select('SELECT COUNT(*) AS n FROM sql_layer WHERE k = ?', [k])))[0].n);

  before(async () => {
    await sql().autocommit((db) => db.run('CREATE TABLE sql_layer (k VARCHAR(32) PRIMARY KEY, v INTEGER NOT NULL)'));
  });

  it('a transaction is committed once it resolves: another connection sees its rows at once', async () => {
    await sql().transaction(async (db) => {
      await db.run('INSERT INTO sql_layer (k, v) VALUES (?, ?)', ['committed-1', 1]);
      await db.run('INSERT INTO sql_layer (k, v) VALUES (?, ?)', ['committed-2', 2]);
    });
    assert.equal(await count('committed-1'), 1);
    assert.equal(await count('committed-2'), 1);
  });

  it('a transaction that throws leaves nothing, and the connections it used carry no open transaction afterwards', async () => {
    // More failing transactions than the pool has connections: each one's connection is reused below.
    for (let i = 0; i < 12; i++) {
      await assert.rejects(
        sql().transaction(async (db) => {
          await db.run('INSERT INTO sql_layer (k, v) VALUES (?, ?)', [`rolled-${i}`, i]);
          throw new Error('boom');
        }),
        /boom/,
      );
    }
    for (let i = 0; i < 12; i++) assert.equal(await count(`rolled-${i}`), 0);
    // Were a rollback missing, these inserts would join a stale transaction and vanish with it.
    await Promise.all(Array.from({ length: 12 }, (_, i) => sql().transaction((db) => db.run('INSERT INTO sql_layer (k, v) VALUES (?, ?)', [`after-${i}`, i]))));
    for (let i = 0; i < 12; i++) assert.equal(await count(`after-${i}`), 1);
  });

  it('more concurrent device reads than the pool has connections all finish (an autocommit call holds no connection while TypeORM waits for one)', async () => {
    const reads = Promise.all(Array.from({ length: 40 }, (_, i) => ctx.store.getDevice(`000000-NONE-${i}`)));
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('device reads still waiting after 10 s: the pool is deadlocked')), 10_000)));
    try {
      assert.deepEqual(await Promise.race([reads, stuck]), new Array(40).fill(null));
    } finally {
      clearTimeout(timer);
    }
  });

  it('a failing statement throws TypeORM\'s QueryFailedError naming the query, with the driver\'s error inside', async () => {
    const err = await sql()
      .autocommit((db) => db.select('SELECT no_such_column FROM sql_layer'))
      .then(() => null, (e: unknown) => e);
    assert.ok(err instanceof QueryFailedError, String(err));
    assert.match(err.message, /no_such_column/);
    assert.match(err.query, /SELECT no_such_column/);
    if (ctx.driver === 'mysql') assert.equal((err.driverError as { errno?: number }).errno, 1054);
  });

  it('a duplicate key inside a transaction rejects with errno 1062 on MySQL and rolls the whole transaction back', async () => {
    const err = await sql()
      .transaction(async (db) => {
        await db.run('INSERT INTO sql_layer (k, v) VALUES (?, ?)', ['dup-other', 1]);
        await db.run('INSERT INTO sql_layer (k, v) VALUES (?, ?)', ['committed-1', 1]);
      })
      .then(() => null, (e: unknown) => e);
    assert.ok(err instanceof QueryFailedError, String(err));
    if (ctx.driver === 'mysql') assert.equal((err.driverError as { errno?: number }).errno, 1062);
    assert.equal(await count('dup-other'), 0);
  });

  // SQLite runs one store call at a time: it cannot deadlock.
  if (ctx.driver === 'mysql') it('a deadlock between two transactions is retried: both end committed', async () => {
    await sql().transaction(async (db) => {
      await db.run('INSERT INTO sql_layer (k, v) VALUES (?, 0), (?, 0)', ['lock-a', 'lock-b']);
    });
    let attempts = 0;
    // Each locks one row, waits for the other to lock its row, then asks for the other's row: MariaDB kills one with 1213.
    const barrier = twoPartyBarrier();
    const cross = (first: string, second: string) =>
      sql().transaction(async (db) => {
        attempts++;
        await db.run('UPDATE sql_layer SET v = v + 1 WHERE k = ?', [first]);
        await barrier();
        await db.run('UPDATE sql_layer SET v = v + 1 WHERE k = ?', [second]);
      });
    await Promise.all([cross('lock-a', 'lock-b'), cross('lock-b', 'lock-a')]);
    assert.equal(attempts, 3, 'one of the two ran again after the deadlock');
    const rows = await sql().autocommit((db) => db.select("SELECT k, v FROM sql_layer WHERE k IN ('lock-a', 'lock-b') ORDER BY k"));
    assert.deepEqual(rows.map((r) => [r.k, Number(r.v)]), [['lock-a', 2], ['lock-b', 2]]);
  });

  it('retryable runs a call again after a deadlock (an autocommit write InnoDB picked as its victim), at most 3 times, and nothing else', async () => {
    // The error as the SQL layer throws it: TypeORM's shape, the driver's errno inside.
    const failure = (errno: number) => new QueryFailedError('UPDATE sql_layer', [], Object.assign(new Error(`errno ${errno}`), { errno }));
    let calls = 0;
    await retryable(async () => {
      calls++;
      if (calls === 1) throw failure(1213);
      await sql().autocommit((db) => db.run('INSERT INTO sql_layer (k, v) VALUES (?, ?)', ['retried', calls]));
    });
    assert.equal(calls, 2);
    const rows = await sql().autocommit((db) => db.select("SELECT v FROM sql_layer WHERE k = 'retried'"));
    assert.deepEqual(rows.map((r) => Number(r.v)), [2]);
    for (const [errno, expected] of [[1213, 3], [1054, 1]]) {
      calls = 0;
      await assert.rejects(retryable(async () => {
        calls++;
        throw failure(errno);
      }), new RegExp(`errno ${errno}`));
      assert.equal(calls, expected, `errno ${errno}`);
    }
  });
});

/** Resolves for both callers once both arrived; later calls pass at once (the retried transaction runs alone). */
function twoPartyBarrier(): () => Promise<void> {
  let waiting: (() => void) | null = null;
  let open = false;
  return () => {
    if (open) return Promise.resolve();
    if (waiting) {
      open = true;
      waiting();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => (waiting = resolve));
  };
}
