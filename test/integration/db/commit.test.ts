import assert from 'node:assert/strict';
import type { HistoryEntry } from '../../../src/db/types';
import { deviceKeyOf } from '../../../src/model/device-key';
import { acknowledged, describeEachDriver, newDeviceId, pv, session } from '../../helpers/db';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

const informParams = (sw = '1.0') => [
  pv('Device.DeviceInfo.SoftwareVersion', sw),
  pv('Device.DeviceInfo.HardwareVersion', 'HW-A'),
  pv('Device.ManagementServer.ConnectionRequestURL', 'http://192.0.2.10:7547/'),
  pv('Device.DeviceInfo.UpTime', '100', 'xsd:unsignedInt'),
];

describeEachDriver('db commitSession', 'acs_test_db_commit', (ctx) => {
  it('registers a device on its first commit', async () => {
    const s = session({ events: ['0 BOOTSTRAP', '1 BOOT'], params: informParams(), history: [entry(T0, 's1')] });
    await ctx.store.commitSession(s);
    const d = await ctx.store.getDevice(s.deviceKey);
    assert.ok(d);
    assert.equal(d.deviceKey, s.deviceKey);
    assert.deepEqual([d.manufacturer, d.oui, d.productClass], ['Acme', '00D09E', 'HG8245']);
    assert.equal(d.serialNumber, s.inform.deviceId.SerialNumber);
    assert.deepEqual([d.softwareVersion, d.hardwareVersion], ['1.0', 'HW-A']);
    assert.deepEqual([d.firstInform, d.lastInform, d.lastBoot, d.lastBootstrap], [T0, T0, T0, T0]);
    assert.deepEqual([d.remoteAddress, d.cwmpVersion], ['192.0.2.10', '1.4']);
    assert.deepEqual(d.history, [entry(T0, 's1')]);
    const uptime = d.parameters.find((p) => p.path === 'Device.DeviceInfo.UpTime');
    assert.deepEqual(uptime && [uptime.kind, uptime.value, uptime.type, uptime.valueTime], ['leaf', '100', 'xsd:unsignedInt', T0]);
    // Ancestor objects exist too, so the cache is a tree.
    const objects = d.parameters.filter((p) => p.kind !== 'leaf').map((p) => p.path);
    assert.deepEqual(objects, ['Device.', 'Device.DeviceInfo.', 'Device.ManagementServer.']);
  });

  it('keeps later Informs apart: first_inform stays, last_boot only on BOOT, version from IGD roots', async () => {
    const deviceId = newDeviceId();
    await ctx.store.commitSession(session({ deviceId, events: ['1 BOOT'], time: T0 }));
    const igd = [pv('InternetGatewayDevice.DeviceInfo.SoftwareVersion', '2.0')];
    await ctx.store.commitSession(session({ deviceId, time: T0 + MIN, params: igd }));
    const d = await ctx.store.getDevice(deviceKeyOf(deviceId));
    assert.deepEqual([d?.firstInform, d?.lastInform, d?.lastBoot, d?.lastBootstrap], [T0, T0 + MIN, T0, null]);
    assert.equal(d?.softwareVersion, '2.0');
  });

  it('handles device keys with special characters', async () => {
    const deviceId = { Manufacturer: 'Ünï "co"', OUI: '00-11', ProductClass: 'G-1425G A/b%_', SerialNumber: "ALCL'FC 26*~!" };
    const s = session({ deviceId, params: [pv('Device.X_ALU-COM.Name', 'ü ✓')] });
    await ctx.store.commitSession(s);
    const d = await ctx.store.getDevice(s.deviceKey);
    assert.deepEqual([d?.manufacturer, d?.oui, d?.productClass, d?.serialNumber], Object.values(deviceId));
    assert.equal(d?.parameters.find((p) => p.path === 'Device.X_ALU-COM.Name')?.value, 'ü ✓');
    assert.ok((await ctx.store.listDevices({ limit: 1000 })).some((x) => x.deviceKey === s.deviceKey));
  });

  it('a periodic Inform writes only the rows whose value changed', async () => {
    const deviceId = newDeviceId();
    await ctx.store.commitSession(session({ deviceId, params: informParams(), time: T0 }));
    ctx.logged.length = 0;
    const next = informParams().map((p) => (p.Name.endsWith('UpTime') ? pv(p.Name, '400', p.type) : p));
    await ctx.store.commitSession(session({ deviceId, params: next, time: T0 + 5 * MIN }));
    assert.equal(ctx.logged[0]?.written, 1);
    const params = await ctx.store.getParameters(deviceKeyOf(deviceId), 'Device.DeviceInfo.');
    const time = (name: string) => params.find((p) => p.path === `Device.DeviceInfo.${name}`)?.valueTime;
    assert.equal(time('UpTime'), T0 + 5 * MIN);
    assert.equal(time('SoftwareVersion'), T0, 'unchanged Inform parameter keeps its value_time');
    // A type change alone is a change.
    ctx.logged.length = 0;
    await ctx.store.commitSession(session({ deviceId, params: [pv('Device.DeviceInfo.UpTime', '400', 'xsd:int')], time: T0 + 6 * MIN }));
    assert.equal(ctx.logged[0]?.written, 1);
  });

  it('a BOOTSTRAP Inform clears the cached model when it is acknowledged', async () => {
    const deviceId = newDeviceId();
    const values = { op: 'values' as const, parameters: [pv('Device.WiFi.SSID.1.SSID', 'home')], time: T0 };
    await ctx.store.commitSession(session({ deviceId, params: informParams(), ops: [values], time: T0 }));
    const bootstrap = await acknowledged(ctx.store, session({ deviceId, events: ['0 BOOTSTRAP'], params: [pv('Device.DeviceInfo.SoftwareVersion', '3.0')], time: T0 + MIN }));
    assert.equal(bootstrap.fresh, true);
    await ctx.store.commitSession(bootstrap);
    const paths = (await ctx.store.getParameters(deviceKeyOf(deviceId))).map((p) => p.path);
    assert.deepEqual(paths, ['Device.', 'Device.DeviceInfo.', 'Device.DeviceInfo.SoftwareVersion']);
    assert.equal((await ctx.store.getDevice(deviceKeyOf(deviceId)))?.lastBootstrap, T0 + MIN);
  });

  it('committing the same result twice gives the same data', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    const queued = await ctx.store.enqueueRequest(key, { method: 'Reboot', CommandKey: 'r' });
    const s = session({
      deviceId,
      events: ['1 BOOT'],
      params: informParams(),
      ops: [
        { op: 'names', path: 'Device.IP.', nextLevel: false, parameters: [{ Name: 'Device.IP.', Writable: false }, { Name: 'Device.IP.Enable', Writable: true }], time: T0 },
        { op: 'values', parameters: [pv('Device.IP.Enable', 'true', 'xsd:boolean')], time: T0 },
        { op: 'delete-subtree', path: 'Device.ManagementServer.', time: T0 },
      ],
      tasks: [{ id: queued, status: 'done', result: {} }],
      faults: [{ requestId: 7, request: { method: 'FactoryReset' }, code: 9001, message: 'Request denied', time: T0 }],
      history: [entry(T0, 'idem')],
    });
    await ctx.store.commitSession(s);
    const first = await ctx.store.getDevice(key);
    ctx.logged.length = 0;
    await ctx.store.commitSession(s);
    assert.deepEqual(await ctx.store.getDevice(key), first);
    assert.equal(first?.faults.length, 1);
    assert.equal(first?.history.length, 1);
    assert.deepEqual(await ctx.store.pendingRequests(key), []);
  });

  it('history keeps the last 50 entries', async () => {
    const deviceId = newDeviceId();
    for (let i = 0; i < 3; i++) {
      const history = Array.from({ length: 20 }, (_, j) => entry(T0 + i * 100 + j, `h${i}`));
      await ctx.store.commitSession(session({ deviceId, history, time: T0 + i }));
    }
    const d = await ctx.store.getDevice(deviceKeyOf(deviceId));
    assert.equal(d?.history.length, 50);
    assert.equal(d?.history[0].time, T0 + 10, "the oldest 10 of 60 were dropped");
    assert.equal(d?.history[49].time, T0 + 200 + 19);
  });

  it('never commits half a session: a failing op rolls everything back', async () => {
    const deviceId = newDeviceId();
    const bad = session({ deviceId, params: informParams(), ops: [{ op: 'delete-subtree', path: '', time: T0 }] });
    await assert.rejects(ctx.store.commitSession(bad), /object path/);
    assert.equal(await ctx.store.getDevice(deviceKeyOf(deviceId)), null);
    // The store is still usable after the rollback.
    await ctx.store.commitSession(session({ deviceId }));
    assert.ok(await ctx.store.getDevice(deviceKeyOf(deviceId)));
  });

  it('commits of different devices can run concurrently', async () => {
    const sessions = Array.from({ length: 8 }, (_, i) => session({ params: informParams(`v${i}`), time: T0 + i }));
    await Promise.all(sessions.map((s) => ctx.store.commitSession(s)));
    const versions = await Promise.all(sessions.map(async (s) => (await ctx.store.getDevice(s.deviceKey))?.softwareVersion));
    assert.deepEqual(versions, sessions.map((_, i) => `v${i}`));
  });
});

function entry(time: number, sessionId: string): HistoryEntry {
  return { time, kind: 'inform', detail: ['2 PERIODIC'], sessionId };
}
