/**
 * Statements of concurrent callers sent together (db/coalesce.ts batched):
 * each caller gets its own result, one bad statement fails only its caller,
 * and deferred writes (Db.later) and batched reads (Db.batch) keep their order.
 */
import assert from 'node:assert/strict';
import { batched } from '../../../src/db/coalesce';
import { isDuplicateKey, storedTask, taskInsert, getTask, type NewTask } from '../../../src/db/tasks';
import { deviceKeyOf } from '../../../src/model/device-key';
import { describeEachDriver, newDeviceId } from '../../helpers/db';

const T0 = 1_700_000_000_000;

function newTask(device: string, key: string | null): NewTask {
  return { device, spec: { name: 'reboot', args: {}, request: { method: 'Reboot', CommandKey: 'k' } }, timing: {}, idempotencyKey: key, now: T0 };
}

describeEachDriver('batched statements of concurrent callers', 'acs_test_db_coalesce', (ctx) => {
  it('gives each caller its own insert id and rows', async () => {
    const device = deviceKeyOf(newDeviceId());
    const tasks = Array.from({ length: 12 }, () => newTask(device, null));
    const ids = await Promise.all(tasks.map(async (t) => (await batched(ctx.store.sql, 'test-inserts', taskInsert(t))).insertId));
    assert.equal(new Set(ids).size, 12, 'twelve distinct ids');
    for (const [i, id] of ids.entries()) {
      const read = await ctx.store.sql.autocommit((db) => getTask(db, id));
      assert.deepEqual(read, storedTask(tasks[i], id), `task ${i} reads back as stored`);
    }
    const reads = await Promise.all(ids.map((id) => batched(ctx.store.sql, 'test-reads', { sql: 'SELECT id FROM tasks WHERE id = ?', params: [id] })));
    assert.deepEqual(reads.map((r) => Number(r.rows[0].id)), ids);
  });

  it('fails only the caller whose statement failed; the others are stored', async () => {
    const device = deviceKeyOf(newDeviceId());
    await batched(ctx.store.sql, 'test-inserts', taskInsert(newTask(device, 'taken')));
    const tries = ['a', 'taken', 'b', 'c'].map((key) => batched(ctx.store.sql, 'test-inserts', taskInsert(newTask(device, key))));
    const settled = await Promise.allSettled(tries);
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.ok(settled[1].status === 'rejected' && isDuplicateKey(settled[1].reason), 'the duplicate key error reaches its caller as such');
    const keys = await ctx.store.sql.autocommit((db) => db.select('SELECT idempotency_key AS k FROM tasks WHERE device_key = ? ORDER BY id', [device]));
    // Once the lot failed, its statements rerun alone and concurrently: stored, in no particular order.
    assert.deepEqual(keys.map((r) => String(r.k)).sort(), ['a', 'b', 'c', 'taken']);
  });

  it('sends deferred writes before a later read of the same transaction, and with its commit', async () => {
    const device = deviceKeyOf(newDeviceId());
    const { insertId: id } = await batched(ctx.store.sql, 'test-inserts', taskInsert(newTask(device, null)));
    const seen = await ctx.store.sql.transaction(async (db) => {
      db.later('UPDATE tasks SET status = ? WHERE id = ?', ['sent', id]);
      const [a, b] = await db.batch([{ sql: 'SELECT status FROM tasks WHERE id = ?', params: [id] }, { sql: 'SELECT COUNT(*) AS n FROM tasks WHERE device_key = ?', params: [device] }]);
      db.later('UPDATE tasks SET status = ? WHERE id = ?', ['done', id]);
      return [a.rows[0].status, Number(b.rows[0].n)];
    });
    assert.deepEqual(seen, ['sent', 1]);
    assert.equal((await ctx.store.sql.autocommit((db) => getTask(db, id)))?.status, 'done', 'the last deferred write went with the commit');
  });

  it('a deferred write that fails fails its transaction: nothing of it is kept', async () => {
    const device = deviceKeyOf(newDeviceId());
    const { insertId: id } = await batched(ctx.store.sql, 'test-inserts', taskInsert(newTask(device, 'k1')));
    await batched(ctx.store.sql, 'test-inserts', taskInsert(newTask(device, 'k2')));
    await assert.rejects(
      ctx.store.sql.transaction(async (db) => {
        db.later('UPDATE tasks SET status = ? WHERE id = ?', ['cancelled', id]);
        db.later('UPDATE tasks SET idempotency_key = ? WHERE id = ?', ['k2', id]);
      }),
      (err: unknown) => isDuplicateKey(err),
    );
    assert.equal((await ctx.store.sql.autocommit((db) => getTask(db, id)))?.status, 'queued');
  });
});
