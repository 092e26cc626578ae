import assert from 'node:assert/strict';
import { describeEachDriver, newDeviceId, session } from '../helpers/db';

const T0 = 1_700_000_000_000;

/**
 * Review of first contact's fewer round trips (issue 15 (b)), cases
 * test/db/first-contact.test.ts leaves out: first Informs of one new device
 * with events racing (the deferred INSERT of the loser fails with the events
 * and the read that ride with it, and its transaction runs again), and a
 * BOOTSTRAP of a known device whose row UPDATE is deferred behind the
 * clearing and the events.
 */
describeEachDriver('db first contact (review)', 'acs_test_review_first_contact', (ctx) => {
  const deviceRows = async (deviceKey: string) => Number((await ctx.store.sql.autocommit((db) => db.select('SELECT COUNT(*) AS n FROM devices WHERE device_key = ?', [deviceKey])))[0].n);

  it('first Informs of one new device with events, acknowledged at once, make one row and each sees its events pending', async () => {
    const deviceId = newDeviceId('RV');
    const acks = [0, 1, 2].map((i) => {
      const result = session({ deviceId, events: ['1 BOOT', 'M Reboot'], time: T0 + i });
      const events = [{ code: '1 BOOT', commandKey: '' }, { code: 'M Reboot', commandKey: `k${i}` }];
      const entry = { time: T0 + i, kind: 'inform', detail: ['1 BOOT'], sessionId: `rv-${i}` };
      return ctx.store.acknowledgeInform({ sessionId: `rv-${i}`, deviceKey: result.deviceKey, inform: result.inform, events, history: [entry] });
    });
    const done = await Promise.all(acks);
    assert.equal(done.filter((a) => a.model === 'new').length, 1);
    const key = session({ deviceId }).deviceKey;
    assert.equal(await deviceRows(key), 1);
    done.forEach((a, i) => assert.ok(a.pending?.some((e) => e.code === 'M Reboot' && e.commandKey === `k${i}`), `ack ${i} reads its own event back`));
    const pending = await ctx.store.pendingEvents(key);
    assert.deepEqual(pending.filter((e) => e.code === '1 BOOT').length, 1, 'one row per code and CommandKey');
    assert.deepEqual(pending.filter((e) => e.code === 'M Reboot').map((e) => e.commandKey).sort(), ['k0', 'k1', 'k2']);
    assert.deepEqual((await ctx.store.getDevice(key))?.history.map((h) => h.sessionId).sort(), ['rv-0', 'rv-1', 'rv-2']);
  });

  it('a BOOTSTRAP of a known device clears its model, updates its row and records its events in one transaction', async () => {
    const deviceId = newDeviceId('RV');
    const first = session({ deviceId, events: ['0 BOOTSTRAP'], time: T0 });
    await ctx.store.commitSession({ ...first, ops: [{ op: 'values', parameters: [{ Name: 'Device.DeviceInfo.SoftwareVersion', Value: '1.0', type: 'xsd:string' }], time: T0 }] });
    assert.equal((await ctx.store.getParameters(first.deviceKey)).filter((p) => p.kind === 'leaf').length, 1, 'a model to clear');
    const again = session({ deviceId, events: ['0 BOOTSTRAP'], time: T0 + 1000 });
    const ack = await ctx.store.acknowledgeInform({ sessionId: 'rv-b', deviceKey: again.deviceKey, inform: again.inform, events: [{ code: '0 BOOTSTRAP', commandKey: '' }], history: [] });
    assert.equal(ack.model, 'cleared');
    assert.deepEqual(ack.pending?.map((e) => [e.code, e.time]), [['0 BOOTSTRAP', T0 + 1000]]);
    assert.deepEqual((await ctx.store.getParameters(again.deviceKey)).filter((p) => p.kind === 'leaf'), []);
    assert.equal(await deviceRows(again.deviceKey), 1);
  });
});
