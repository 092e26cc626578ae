/**
 * The delivery log's write: prepared INSERTs (Db.runPrepared) in chunks of a
 * few fixed sizes (fixedChunks), so a coalesced write of any size stays
 * under a statement's 65,535 parameters and prepares few texts per connection.
 */
import { strict as assert } from 'node:assert';
import { openDataSource } from '../../src/db/datasource';
import { MIGRATIONS } from '../../src/db/migrations';
import { fixedChunks } from '../../src/db/sql';
import { staleSql, WebhookStore, type LogRow } from '../../src/webhooks/store';
import { describeEachDriver } from '../helpers/db';

describe('webhooks: fixedChunks', () => {
  it('keeps every item in order, in chunks of the largest size then decreasing powers of two', () => {
    for (const n of [0, 1, 2, 3, 127, 128, 129, 255, 256, 1000, 6001]) {
      const items = Array.from({ length: n }, (_, i) => i);
      const parts = fixedChunks(items, 128);
      assert.deepEqual(parts.flat(), items, `n=${n}`);
      const sizes = parts.map((p) => p.length);
      assert.ok(sizes.every((s) => [128, 64, 32, 16, 8, 4, 2, 1].includes(s)), `n=${n}: ${sizes}`);
      const rest = sizes.filter((s) => s < 128);
      assert.deepEqual(rest, [...new Set(rest)].sort((a, b) => b - a), `n=${n}: each smaller size at most once, largest first: ${sizes}`);
    }
    assert.deepEqual(fixedChunks([1, 2, 3, 4, 5, 6, 7], 4).map((p) => p.length), [4, 2, 1]);
  });
});

describeEachDriver('webhooks: the delivery log written in prepared chunks', 'webhooks_log_write', (ctx) => {
  const row = (webhook: number, i: number, status: LogRow['status'], attempts: number): LogRow => ({
    id: `00000000-0000-8000-8000-${String(i).padStart(12, '0')}`, webhook, event: 'device.boot', device: `D${i % 7}`, time: 1_700_000_000_000 + i,
    body: JSON.stringify({ n: i }), status, attempts, lastStatus: attempts > 0 ? 500 : null, lastError: attempts > 0 ? 'boom' : null, deliveredAt: null,
  });

  it('stores 6,001 rows (66,011 values: more than one statement takes) in their order, and updates them on a second write', async () => {
    const store = new WebhookStore(ctx.store.sql);
    const s = await store.create({ url: 'http://127.0.0.1:1/', events: ['device.boot'], secret: 'x', filter: null, parameters: null, createdBy: 'test' });
    const count = async (name: string): Promise<number> => {
      if (ctx.driver !== 'mysql') return 0;
      const [r] = await ctx.store.sql.autocommit((db) => db.select(`SHOW GLOBAL STATUS LIKE '${name}'`));
      return Number(r.Value);
    };
    const [prepares, executes] = [await count('Com_stmt_prepare'), await count('Com_stmt_execute')];
    const rows = Array.from({ length: 6001 }, (_, i) => row(s.id, i, 'pending', 1));
    await store.writeLog(rows);
    const stored = await ctx.store.sql.autocommit((db) => db.select('SELECT uuid, status, attempts, last_error FROM webhook_deliveries WHERE webhook_id = ? ORDER BY seq', [s.id]));
    assert.deepEqual(stored.map((r) => r.uuid), rows.map((r) => r.id), 'every row, in the order given');
    if (ctx.driver === 'mysql') {
      // 46 chunks of 128 and 64 + 16 + 1: 49 executes; at most 3 texts prepared per pool connection (other suites may prepare too, on a shared server).
      assert.ok((await count('Com_stmt_execute')) - executes >= 49, 'sent as prepared statements');
      assert.ok((await count('Com_stmt_prepare')) - prepares <= 3 * 10 + 20, 'a few texts prepared, not one per statement');
    }
    // Attempted again (a job run again): the outcome replaces the row's, the attempts add up.
    await store.writeLog(rows.slice(0, 300).map((r) => ({ ...r, status: 'delivered', attempts: 1, lastStatus: 204, lastError: null, deliveredAt: r.time })));
    const again = await ctx.store.sql.autocommit((db) => db.select('SELECT status, attempts, COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ? GROUP BY status, attempts ORDER BY status', [s.id]));
    assert.deepEqual(again.map((r) => [r.status, Number(r.attempts), Number(r.n)]), [['delivered', 2, 300], ['pending', 1, 5701]]);
  });

  it('the pending-only index (migration 1766900000000) keys the rows pending when it ran, and follows later changes', async () => {
    // Undone with the migrations after it, then all run again.
    const undo = MIGRATIONS.length - MIGRATIONS.findIndex((m) => new m().name === 'WebhookPendingOnlyIndex1766900000000');
    assert.ok(undo >= 1 && undo <= MIGRATIONS.length, 'the migration is listed');
    const store = new WebhookStore(ctx.store.sql);
    const s = await store.create({ url: 'http://127.0.0.1:1/', events: ['device.boot'], secret: 'x', filter: null, parameters: null, createdBy: 'test' });
    const at = (device: string, i: number, status: LogRow['status'], attempts: number): LogRow => ({ ...row(s.id, i, status, attempts), device });
    let old: LogRow[] = [];
    const { dataSource } = await openDataSource(ctx.url);
    try {
      for (let i = 0; i < undo; i++) await dataSource.undoLastMigration();
      // Rows stored before it: D0 pending, D1 delivered, D2 pending and failed.
      old = [at('D0', 10_000, 'pending', 1), at('D1', 10_001, 'delivered', 1), at('D2', 10_002, 'pending', 0), at('D2', 10_003, 'failed', 1)];
      for (const r of old) {
        await dataSource.query('INSERT INTO webhook_deliveries (uuid, webhook_id, event, device, time, body, status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [r.id, r.webhook, r.event, r.device, r.time, r.body, r.status, r.attempts]);
      }
      await dataSource.runMigrations();
    } finally {
      await dataSource.destroy();
    }
    const pairs = ['D0', 'D1', 'D2', 'D3'].map((device) => ({ webhook: s.id, device }));
    assert.deepEqual([...(await store.pendingPairs(pairs))].sort(), [`${s.id} D0`, `${s.id} D2`]);
    await store.settle(old[0].id, 'delivered');
    const later = at('D3', 10_004, 'pending', 1);
    await store.writeLog([later]);
    assert.deepEqual([...(await store.pendingPairs(pairs))].sort(), [`${s.id} D2`, `${s.id} D3`]);
    // The first test left 5,701 rows pending: only this one's are looked at.
    const mine = new Set([...old, later].map((r) => r.id));
    const stale = await ctx.store.sql.autocommit((db) => db.select(staleSql(db.driver, 10_000), [Date.now()]));
    assert.deepEqual(stale.map((r) => String(r.uuid)).filter((id) => mine.has(id)).sort(), [old[2].id, later.id]);
  });
});
