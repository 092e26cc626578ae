import assert from 'node:assert/strict';
import type { FaultRecord } from '../../../src/db/types';
import { deviceKeyOf } from '../../../src/model/device-key';
import { finishTasks, getTask, insertTask, markSentMany, moveTask, sweepTasks } from '../../../src/db/tasks';
import { lastConnectionRequest, recordAttempt } from '../../../src/connreq/credentials';
import { tagMany } from '../../../src/db/tags';
import { describeEachDriver, newDeviceId, session } from '../../helpers/db';

const T0 = 1_700_000_000_000;
const DAY = 24 * 3600_000;

const fault = (i: number): FaultRecord => ({
  requestId: i,
  request: { method: 'GetParameterValues', ParameterNames: [`Device.X.${i}`] },
  code: 9005,
  message: 'Invalid parameter name',
  time: T0 + i,
  ...(i === 0 ? { detail: [{ ParameterName: 'Device.X.0', FaultCode: 9005, FaultString: 'no' }] } : {}),
});

describeEachDriver('db queue, faults, tags, credentials', 'acs_test_db_queue', (ctx) => {
  it('enqueues, lists oldest first, and finishes answered tasks of that device only', async () => {
    const a = deviceKeyOf(newDeviceId());
    const b = deviceKeyOf(newDeviceId());
    const first = await ctx.store.enqueueRequest(a, { method: 'Reboot', CommandKey: 'k1' });
    const second = await ctx.store.enqueueRequest(a, { method: 'GetParameterNames', ParameterPath: 'Device.', NextLevel: true });
    const other = await ctx.store.enqueueRequest(b, { method: 'FactoryReset' });
    assert.ok(second > first);
    const queue = await ctx.store.pendingRequests(a);
    assert.deepEqual(queue.map((q) => [q.id, q.deviceKey, q.request?.method]), [
      [first, a, 'Reboot'], [second, a, 'GetParameterNames'],
    ]);
    assert.ok(Math.abs(queue[0].createdAt - Date.now()) < 60_000);
    // The session of device a reports both of its requests done, plus (wrongly) b's.
    const done = (id: number) => ({ id, status: 'done' as const, result: { id } });
    await ctx.store.commitSession({ ...session(), deviceKey: a, tasks: [done(first), done(other)] });
    assert.deepEqual((await ctx.store.pendingRequests(a)).map((q) => q.id), [second]);
    assert.deepEqual((await ctx.store.pendingRequests(b)).map((q) => q.id), [other]);
  });

  it('the sweep expires open tasks past their expiry and deletes finished ones past the retention, and nothing else', async () => {
    const key = deviceKeyOf(newDeviceId());
    const spec = { name: 'reboot' as const, args: {}, request: { method: 'Reboot' as const, CommandKey: 'k' } };
    const now = T0 + 10 * DAY;
    const add = (timing: { expiry?: number }, at: number) => ctx.store.sql.transaction((db) => insertTask(db, key, spec, timing, at));
    const overdue = await add({ expiry: now - 1 }, now - DAY);
    const open = await add({ expiry: now + DAY }, now - 8 * DAY);
    const oldDone = await add({}, now - 8 * DAY);
    const recentDone = await add({}, now - DAY);
    await ctx.store.sql.transaction(async (db) => finishTasks(db, key, 's', [{ id: oldDone, status: 'done' }], now - 8 * DAY));
    await ctx.store.sql.transaction(async (db) => finishTasks(db, key, 's', [{ id: recentDone, status: 'done' }], now - DAY));
    // (The sweep is fleet-wide: other tests' old tasks go too, so only this device's tasks are checked by id.)
    const swept = await ctx.store.sql.transaction((db) => sweepTasks(db, now, 7 * DAY));
    assert.ok(swept.expired.some((t) => t.id === overdue && t.deviceKey === key) && swept.deleted >= 1, JSON.stringify(swept));
    const status = async (id: number) => (await ctx.store.sql.autocommit((db) => getTask(db, id)))?.status ?? 'gone';
    assert.deepEqual([await status(overdue), await status(open), await status(oldDone), await status(recentDone)], ['expired', 'queued', 'gone', 'done']);
    // A week after they finished or expired, the next sweep deletes them too; the open one has expired meanwhile.
    await ctx.store.sql.transaction((db) => sweepTasks(db, now + 8 * DAY, 7 * DAY));
    assert.deepEqual([await status(overdue), await status(open), await status(recentDone)], ['gone', 'expired', 'gone']);
  });

  it('keeps the newest 100 faults per device', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    await ctx.store.commitSession(session({ deviceId, faults: [0, 1, 2, 3, 4].map(fault) }));
    const more = Array.from({ length: 100 }, (_, i) => fault(i + 5));
    await ctx.store.commitSession(session({ deviceId, faults: more, time: T0 + 1 }));
    const d = await ctx.store.getDevice(key);
    assert.equal(d?.faults.length, 100);
    assert.equal(d?.faults[0].requestId, 5);
    assert.deepEqual(d?.faults[99], fault(104));
    const other = newDeviceId();
    await ctx.store.commitSession(session({ deviceId: other, faults: [fault(0)] }));
    assert.deepEqual((await ctx.store.getDevice(deviceKeyOf(other)))?.faults, [fault(0)]);
  });

  it('tags: add, remove, sorted, idempotent', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    await ctx.store.commitSession(session({ deviceId }));
    await ctx.store.setTags(key, ['lab', 'Lab', 'fw-beta'], []);
    await ctx.store.setTags(key, ['lab', 'east'], ['fw-beta', 'not-there']);
    assert.deepEqual((await ctx.store.getDevice(key))?.tags, ['Lab', 'east', 'lab']);
    await assert.rejects(ctx.store.setTags(key, [''], []), /Invalid tag/);
  });

  it('credentials for a device that never informed create a bare device row', async () => {
    const deviceId = { Manufacturer: 'x', OUI: '9075BC', ProductClass: 'G-1425G-A', SerialNumber: 'ALCL FC26%' };
    const key = deviceKeyOf(deviceId);
    assert.equal(await ctx.store.getCpeCredentials(key), null);
    await ctx.store.setCpeCredentials(key, { username: 'cpe', password: 's3cr3t:é' });
    assert.deepEqual(await ctx.store.getCpeCredentials(key), { username: 'cpe', password: 's3cr3t:é' });
    const bare = await ctx.store.getDevice(key);
    assert.deepEqual([bare?.oui, bare?.productClass, bare?.serialNumber, bare?.lastInform], ['9075BC', 'G-1425G-A', 'ALCL FC26%', null]);
    // Its first Inform fills in the rest and keeps the credentials.
    await ctx.store.commitSession(session({ deviceId, time: T0 }));
    assert.equal((await ctx.store.getDevice(key))?.firstInform, T0);
    assert.deepEqual(await ctx.store.getCpeCredentials(key), { username: 'cpe', password: 's3cr3t:é' });
    await ctx.store.setCpeCredentials(key, null);
    assert.equal(await ctx.store.getCpeCredentials(key), null);
    await assert.rejects(ctx.store.setCpeCredentials('not-a-valid-key-here', null), /Invalid device key/);
  });

  it('lists devices by key with limit and offset', async () => {
    const all = await ctx.store.listDevices({ limit: 1000 });
    assert.ok(all.length >= 4);
    assert.deepEqual(all.map((d) => d.deviceKey), [...all.map((d) => d.deviceKey)].sort(byBytes));
    assert.deepEqual(await ctx.store.listDevices({ limit: 2, offset: 1 }), all.slice(1, 3));
    assert.equal((await ctx.store.listDevices({ limit: 0 })).length, 1);
    assert.equal((await ctx.store.listDevices({ limit: 5000 })).length, all.length);
  });

  it('marks several sessions\' tasks sent in one statement, each with its own session, and leaves finished ones alone', async () => {
    const key = deviceKeyOf(newDeviceId());
    const spec = { name: 'reboot' as const, args: {}, request: { method: 'Reboot' as const, CommandKey: 'k' } };
    const add = () => ctx.store.sql.transaction((db) => insertTask(db, key, spec, {}, T0));
    const [a, b, done, retried] = [await add(), await add(), await add(), await add()];
    await ctx.store.sql.transaction(async (db) => finishTasks(db, key, 's0', [{ id: done, status: 'done' }, { id: retried, status: 'fault' }], T0 + 1));
    // Queued again after the session that the late mark below belongs to took it.
    assert.ok(await ctx.store.sql.transaction((db) => moveTask(db, retried, ['fault'], 'queued', T0 + 50, true)));
    const marks = [
      { id: a, sessionId: 's1', now: T0 + 10 }, { id: b, sessionId: 's2', now: T0 + 20 },
      { id: done, sessionId: 's3', now: T0 + 30 }, { id: retried, sessionId: 's4', now: T0 + 40 },
    ];
    await ctx.store.sql.autocommit((db) => markSentMany(db, marks));
    const tasks = await Promise.all([a, b, done, retried].map((id) => ctx.store.sql.autocommit((db) => getTask(db, id))));
    assert.deepEqual(tasks.map((t) => [t?.status, t?.sessionId, t?.updatedAt]), [
      ['sent', 's1', T0 + 10], ['sent', 's2', T0 + 20], ['done', 's0', T0 + 1], ['queued', null, T0 + 50],
    ]);
  });

  it('records connection-request attempts coalesced: many devices at once, the latest attempt per device', async () => {
    const [a, b] = [deviceKeyOf(newDeviceId()), deviceKeyOf(newDeviceId())];
    const attempt = (deviceKey: string, time: number, message: string) =>
      recordAttempt(ctx.store.sql, { deviceKey, time, outcome: 'ok', via: 'http', message });
    await Promise.all([attempt(a, T0 + 1, 'first'), attempt(b, T0 + 2, 'b'), attempt(a, T0 + 3, 'second'), attempt(a, T0 + 4, 'x'.repeat(2000))]);
    const la = await lastConnectionRequest(ctx.store.sql, a);
    assert.equal(la?.time, T0 + 4);
    assert.equal(la?.message.length, 1024, 'messages are cut to the column');
    assert.deepEqual(await lastConnectionRequest(ctx.store.sql, b), { time: T0 + 2, outcome: 'ok', via: 'http', message: 'b' });
  });

  it('tags many devices in one statement, counting only those that changed; unknown keys are skipped', async () => {
    const [a, b] = [deviceKeyOf(newDeviceId()), deviceKeyOf(newDeviceId())];
    await ctx.store.setTags(a, ['bulk'], []);
    await ctx.store.setTags(b, ['other'], []);
    const many = (add: boolean) => ctx.store.sql.autocommit((db) => tagMany(db, [a, b, '00AA11-X-NOPE'], 'bulk', add));
    assert.equal(await many(true), 1);
    assert.deepEqual([await ctx.store.getTags(a), await ctx.store.getTags(b)], [['bulk'], ['bulk', 'other']]);
    assert.equal(await many(false), 2);
    assert.deepEqual([await ctx.store.getTags(a), await ctx.store.getTags(b)], [[], ['other']]);
  });
});

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
