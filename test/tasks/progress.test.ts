/**
 * A task's progress in the tasks table, on both databases: kept by a commit,
 * read back as the request to send next (with the answers the result needs),
 * not written when the same commit finished the task, never written to a
 * task no longer open, and dropped by a retry.
 */
import { strict as assert } from 'node:assert';
import type { AddObjectResponse, CpeRequest } from '../../src/cwmp/soap/types';
import { getTask, insertTask, moveTask } from '../../src/db/tasks';
import type { TaskOutcome } from '../../src/db/types';
import { taskSpec } from '../../src/tasks/build';
import { describeEachDriver, newDeviceId, session } from '../helpers/db';

const ADD = taskSpec({ name: 'addObject', objectName: 'Device.NAT.PortMapping.', parameterValues: [['Enable', true, 'xsd:boolean']] });
const ADDED: AddObjectResponse = { method: 'AddObjectResponse', InstanceNumber: 3, Status: 1 };
const SPV: CpeRequest = { method: 'SetParameterValues', ParameterList: [{ Name: 'Device.NAT.PortMapping.3.Enable', Value: 'true', type: 'xsd:boolean' }], ParameterKey: '' };
const step = (id: number): TaskOutcome => ({ id, status: 'sent', progress: { next: SPV, earlier: [ADDED] } });

describeEachDriver('task progress in the tasks table', 'acs_test_tasks_progress', (ctx) => {
  async function device(): Promise<string> {
    const result = session({ deviceId: newDeviceId('TP') });
    await ctx.store.commitSession(result);
    return result.deviceKey;
  }
  const add = (dev: string) => ctx.store.sql.transaction((db) => insertTask(db, dev, ADD, {}, Date.now()));
  const commit = (dev: string, tasks: TaskOutcome[]) => ctx.store.commitSession({ ...session(), deviceKey: dev, tasks });

  it('a commit keeps the progress: the next session sends the follow-up, with the answers the result needs; the task stays open', async () => {
    const dev = await device();
    const id = await add(dev);
    assert.equal((await ctx.store.pendingRequests(dev))[0].request?.method, 'AddObject');
    await commit(dev, [step(id)]);
    const [pending] = await ctx.store.pendingRequests(dev);
    assert.deepEqual([pending.id, pending.request, pending.earlier], [id, SPV, [ADDED]]);
    assert.equal((await ctx.store.sql.autocommit((db) => getTask(db, id)))?.status, 'queued');
  });

  it('progress and end in one commit: done, and the progress not written', async () => {
    const dev = await device();
    const id = await add(dev);
    await commit(dev, [step(id), { id, status: 'done', result: { InstanceNumber: 3, Status: 1, setStatus: 0 } }]);
    const rows = await ctx.store.sql.autocommit((db) => db.select('SELECT status, progress FROM tasks WHERE id = ?', [id]));
    assert.deepEqual(rows.map((r) => [r.status, r.progress]), [['done', null]]);
  });

  it('a cancelled task keeps no progress; a retried one starts over from its first request', async () => {
    const dev = await device();
    const cancelled = await add(dev);
    await ctx.store.sql.transaction((db) => moveTask(db, cancelled, ['queued'], 'cancelled', Date.now()));
    await commit(dev, [step(cancelled)]);
    assert.equal((await ctx.store.sql.autocommit((db) => db.select('SELECT progress FROM tasks WHERE id = ?', [cancelled])))[0].progress, null);

    const faulted = await add(dev);
    await commit(dev, [step(faulted)]);
    await commit(dev, [{ id: faulted, status: 'fault', fault: { code: 9002, message: 'Internal error' } }]);
    await ctx.store.sql.transaction((db) => moveTask(db, faulted, ['fault'], 'queued', Date.now(), true));
    const [pending] = await ctx.store.pendingRequests(dev);
    assert.equal(pending.id, faulted);
    assert.equal(pending.request?.method, 'AddObject');
    assert.equal(pending.earlier, undefined);
  });
});
