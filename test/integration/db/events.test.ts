import { strict as assert } from 'node:assert';
import { acknowledged, describeEachDriver, newDeviceId, pv, session } from '../../helpers/db';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

describeEachDriver('db pending events and action records', 'acs_test_events', (ctx) => {
  it('an acknowledged Inform stores its events (one row per code and CommandKey, a repeat updates it); the settled commit drops them', async () => {
    const deviceId = newDeviceId();
    const first = session({ deviceId, events: ['0 BOOTSTRAP', '1 BOOT'], time: T0 });
    await acknowledged(ctx.store, first);
    const stored = await ctx.store.pendingEvents(first.deviceKey);
    assert.deepEqual(stored.map((e) => [e.code, e.time]), [['0 BOOTSTRAP', T0], ['1 BOOT', T0]]);
    // Reported again later (a reboot before the first was carried out): still one row, with the new time.
    const again = session({ deviceId, events: ['1 BOOT'], time: T0 + MIN });
    await acknowledged(ctx.store, again);
    const after = await ctx.store.pendingEvents(first.deviceKey);
    assert.deepEqual(after.map((e) => [e.code, e.time]), [['0 BOOTSTRAP', T0], ['1 BOOT', T0 + MIN]]);
    // A session that started before the repeat carried both out: the repeated one is due again and stays.
    await ctx.store.commitSession({ ...first, doneEvents: { ids: after.map((e) => e.id), before: T0 + 1 } });
    assert.deepEqual((await ctx.store.pendingEvents(first.deviceKey)).map((e) => e.code), ['1 BOOT']);
    await ctx.store.commitSession({ ...again, doneEvents: { ids: after.map((e) => e.id), before: T0 + MIN } });
    assert.deepEqual(await ctx.store.pendingEvents(first.deviceKey), []);
  });

  it('CommandKeys tell events apart (M Download fw-1 and fw-2), a VALUE CHANGE keeps its values, and the device detail lists them', async () => {
    const deviceId = newDeviceId();
    const result = session({ deviceId, time: T0 });
    await ctx.store.acknowledgeInform({
      sessionId: 's1', deviceKey: result.deviceKey, inform: result.inform, history: [],
      events: [
        { code: 'M Download', commandKey: 'fw-1' },
        { code: 'M Download', commandKey: 'fw-2' },
        { code: '4 VALUE CHANGE', commandKey: '', detail: [pv('Device.WiFi.SSID.1.SSID', 'x')] },
      ],
    });
    const detail = await ctx.store.getDevice(result.deviceKey);
    assert.deepEqual(detail?.pendingEvents.map((e) => [e.code, e.commandKey]), [['M Download', 'fw-1'], ['M Download', 'fw-2'], ['4 VALUE CHANGE', '']]);
    assert.deepEqual(detail?.pendingEvents[2].detail, [pv('Device.WiFi.SSID.1.SSID', 'x')]);
  });

  it('a BOOTSTRAP clears the cached model but keeps the records of actions (Reboot, FactoryReset, Downloads, Uploads)', async () => {
    const deviceId = newDeviceId();
    const records = ['Reboot', 'FactoryReset', 'Downloads.1.URL', 'Uploads.1.URL'].map((n) => pv(n, n === 'Reboot' || n === 'FactoryReset' ? '2026-12-01T00:00:00.000Z' : 'http://files/x', n.includes('.') ? 'xsd:string' : 'xsd:dateTime'));
    const model = [pv('Device.WiFi.SSID.1.SSID', 'home'), pv('Device.DownloadsX', 'not a record')];
    await ctx.store.commitSession(session({ deviceId, time: T0, ops: [{ op: 'values', parameters: [...records, ...model], time: T0 }] }));
    const reset = await acknowledged(ctx.store, session({ deviceId, events: ['0 BOOTSTRAP', '1 BOOT'], time: T0 + MIN }));
    await ctx.store.commitSession(reset);
    const leaves = (await ctx.store.getParameters(reset.deviceKey)).filter((p) => p.kind === 'leaf').map((p) => p.path);
    assert.deepEqual(leaves, ['Downloads.1.URL', 'FactoryReset', 'Reboot', 'Uploads.1.URL']);
    const facts = await ctx.store.getProvisioningFacts(reset.deviceKey);
    assert.deepEqual([facts.lastBoot, facts.lastBootstrap], [T0 + MIN, T0 + MIN]);
  });
});
