import { strict as assert } from 'node:assert';
import { RunStore, type StoredRun } from '../../src/workflows/run-store';
import { describeEachDriver } from '../helpers/db';

function runOf(id: string, device: string, createdAt: number): StoredRun {
  return {
    id, device, workflow: 'w', args: { a: 1 }, status: 'running', step: 's', reason: null, output: {},
    campaignId: 'c1', campaignStage: 2, createdAt, updatedAt: createdAt, version: 0,
    definition: { name: 'w', description: '', args: {}, vars: {}, steps: [], compensate: [], compensateFrom: null },
    state: { index: 0, compensating: false, failure: null, vars: null, tasks: {}, mark: createdAt, wait: null, moves: 0, armed: true },
  };
}

describeEachDriver('workflows: workflow_runs and workflow_events', 'acs_test_wf_store', (ctx) => {
  it('stores runs, lists them by device/status/campaign, and writes only with the version it read', async () => {
    const runs = new RunStore(ctx.store.sql);
    await runs.insert(runOf('r1', 'dev-A', 1000));
    await runs.insert(runOf('r2', 'dev-A', 2000));
    await runs.insert(runOf('r3', 'dev-B', 3000));
    const r1 = await runs.get('r1');
    assert.deepEqual(r1?.args, { a: 1 });
    assert.equal(r1?.campaignStage, 2);
    assert.deepEqual((await runs.list({ device: 'dev-A' })).map((r) => r.id), ['r2', 'r1']);
    assert.deepEqual((await runs.active('dev-B')).map((r) => r.id), ['r3']);
    assert.equal(await runs.update({ ...(r1 as StoredRun), status: 'done', step: null }, 5000), true);
    assert.equal(await runs.update({ ...(r1 as StoredRun), status: 'failed' }, 6000), false, 'a stale version changes nothing');
    const after = await runs.get('r1');
    assert.equal(after?.status, 'done');
    assert.equal(after?.version, 1);
    assert.deepEqual((await runs.list({ status: 'done' })).map((r) => r.id), ['r1']);
    const counts = await ctx.store.sql.autocommit((db) => db.select('SELECT campaign_stage, status, COUNT(*) AS n FROM workflow_runs WHERE campaign_id = ? GROUP BY campaign_stage, status ORDER BY status', ['c1']));
    assert.deepEqual(counts.map((c) => [Number(c.campaign_stage), c.status, Number(c.n)]), [[2, 'done', 1], [2, 'running', 2]]);
  });

  it('keeps a device\'s news, reads it since a time, and drops what is older than kept', async () => {
    const runs = new RunStore(ctx.store.sql);
    await runs.addNews('dev-N', [{ sessionId: 's1', time: 100, kind: 'event', name: '1 BOOT', commandKey: '', detail: null }], 0);
    await runs.addNews('dev-N', [{ sessionId: 's2', time: 200, kind: 'request', name: 'TransferComplete', commandKey: 'k', detail: { FaultStruct: { FaultCode: 0 } } }], 150);
    const news = await runs.newsSince('dev-N', 0);
    assert.deepEqual(news.map((n) => [n.name, n.commandKey]), [['TransferComplete', 'k']], 'the 1 BOOT older than 150 was dropped');
    assert.deepEqual(news[0].detail, { FaultStruct: { FaultCode: 0 } });
    assert.deepEqual(await runs.newsSince('dev-N', 201), []);
  });
});
