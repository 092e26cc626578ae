import { strict as assert } from 'node:assert';
import path from 'node:path';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import type { SimDevice } from '../../src/sim/device';
import { deviceKeyOf } from '../../src/model/device-key';
import { fileServer } from '../helpers/file-server';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';

const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
const TR181 = path.join(MODELS, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const TR098 = path.join(MODELS, 'device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv');

describe('end to end: the simulator against the real server (MariaDB + Redis)', function () {
  this.timeout(60_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];
  const reports: string[] = [];
  before(async () => {
    // Short, so a dropped session is found quickly; not so short that 200 first contacts on a loaded 2-core host time out between their InformResponse and empty POST.
    t = await startTestAcs('sim_e2e', { sessionTimeoutMs: 3000 });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  async function fleetOf(model: string, devices: number, serialBase: string, concurrency = 50): Promise<Fleet> {
    const fleet = await Fleet.create({
      acsUrl: t.cwmpUrl, model: loadModel(model), devices, serialBase, concurrency,
      report: (key, message) => reports.push(`${key}: ${message}`),
    });
    fleets.push(fleet);
    return fleet;
  }

  async function session(fleet: Fleet, device: SimDevice): Promise<void> {
    fleet.connect(device);
    await fleet.idle();
  }

  it('registers devices on first contact and stores their Inform parameters (TR-181 and TR-098 models)', async () => {
    for (const [model, base] of [[TR181, 'E2E181-'], [TR098, 'E2E098-']]) {
      const fleet = await fleetOf(model, 3, base);
      await fleet.connectAll();
      assert.equal(fleet.stats.completed, 3, reports.join('\n'));
      assert.equal(fleet.stats.violations, 0, reports.join('\n'));
      for (const device of fleet.devices) {
        const stored = await t.acs.store.getDevice(stripKey(device));
        assert.ok(stored, `${device.key} registered`);
        assert.equal(stored.serialNumber, device.deviceId().SerialNumber);
        const root = device.model.root;
        assert.equal(stored.softwareVersion, device.model.getValue(`${root}DeviceInfo.SoftwareVersion`));
        assert.ok(stored.lastBootstrap, 'first contact is a 0 BOOTSTRAP');
      }
    }
  });

  it('delivers a queued SetParameterValues and AddObject, and stores what the device answered', async () => {
    const fleet = await fleetOf(TR181, 1, 'E2ESET-');
    await fleet.connectAll();
    const device = fleet.devices[0];
    const key = stripKey(device);
    await t.acs.store.enqueueRequest(key, {
      method: 'SetParameterValues',
      ParameterList: [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '3600', type: 'xsd:unsignedInt' }],
      ParameterKey: 'cfg-1',
    });
    await t.acs.store.enqueueRequest(key, { method: 'AddObject', ObjectName: 'Device.NAT.PortMapping.', ParameterKey: 'cfg-2' });
    await session(fleet, device);
    assert.equal(device.model.getValue('Device.ManagementServer.PeriodicInformInterval'), '3600', 'the device applied it');
    assert.equal(device.model.getValue('Device.ManagementServer.ParameterKey'), 'cfg-2');
    const cached = await t.acs.store.getParameters(key, 'Device.ManagementServer.PeriodicInformInterval');
    assert.equal(cached[0]?.value, '3600', 'the ACS cached it');
    const instance = await t.acs.store.getParameters(key, 'Device.NAT.PortMapping.1.');
    assert.equal(instance[0]?.kind, 'instance');
    assert.ok(device.model.lookup('Device.NAT.PortMapping.1.') !== undefined);
    assert.deepEqual(await t.acs.store.pendingRequests(key), []);
  });

  it('records the fault of a device that refuses a write (read-only parameter: 9003 with 9008)', async () => {
    const fleet = await fleetOf(TR181, 1, 'E2EFAULT-');
    await fleet.connectAll();
    const device = fleet.devices[0];
    const key = stripKey(device);
    await t.acs.store.enqueueRequest(key, {
      method: 'SetParameterValues',
      ParameterList: [{ Name: 'Device.DeviceInfo.SoftwareVersion', Value: 'hacked', type: 'xsd:string' }],
      ParameterKey: 'x',
    });
    await session(fleet, device);
    const stored = await t.acs.store.getDevice(key);
    assert.equal(stored?.faults[0]?.code, 9003);
    assert.equal(stored?.faults[0]?.detail?.[0]?.FaultCode, 9008);
    assert.notEqual(device.model.getValue('Device.DeviceInfo.SoftwareVersion'), 'hacked');
  });

  it('downloads firmware from a file server, reports TransferComplete, reboots into the new version', async () => {
    const image = Buffer.alloc(64 * 1024, 7);
    const files = await fileServer({ '/fw/XX230v-2.0.1.bin': image });
    try {
      const fleet = await fleetOf(TR181, 1, 'E2EFW-');
      await fleet.connectAll();
      const device = fleet.devices[0];
      const key = stripKey(device);
      await t.acs.store.enqueueRequest(key, {
        method: 'Download', CommandKey: 'fw-201', FileType: '1 Firmware Upgrade Image', URL: `${files.url}/fw/XX230v-2.0.1.bin`,
        Username: '', Password: '', FileSize: image.length, TargetFileName: 'XX230v-2.0.1.bin', DelaySeconds: 0, SuccessURL: '', FailureURL: '',
      });
      await session(fleet, device);
      await until('the TransferComplete session', async () => (await t.acs.store.getDevice(key))?.softwareVersion === '2.0.1');
      const stored = await t.acs.store.getDevice(key);
      const tc = stored?.history.find((h) => h.kind === 'TransferComplete');
      assert.equal((tc?.detail as { CommandKey: string }).CommandKey, 'fw-201');
      assert.equal((tc?.detail as { FaultStruct: { FaultCode: number } }).FaultStruct.FaultCode, 0);
      const informs = stored?.history.filter((h) => h.kind === 'inform').map((h) => h.detail as string[]) ?? [];
      assert.ok(informs.some((e) => e.includes('7 TRANSFER COMPLETE') && e.includes('M Download')), JSON.stringify(informs));
    } finally {
      files.server.close();
    }
  });

  it('reboots on a queued Reboot: the next Inform carries 1 BOOT and M Reboot with the CommandKey', async () => {
    const fleet = await fleetOf(TR181, 1, 'E2EBOOT-');
    await fleet.connectAll();
    const device = fleet.devices[0];
    const key = stripKey(device);
    await t.acs.store.enqueueRequest(key, { method: 'Reboot', CommandKey: 'rb-7' });
    await session(fleet, device);
    await until('the boot Inform', async () => {
      const h = (await t.acs.store.getDevice(key))?.history ?? [];
      return h.some((e) => e.kind === 'inform' && (e.detail as string[]).includes('M Reboot'));
    });
    assert.ok((await t.acs.store.getDevice(key))?.lastBoot);
  });

  it('survives a device dropping the connection mid-session: the unanswered request is sent again', async () => {
    const fleet = await fleetOf(TR181, 1, 'E2EDROP-');
    await fleet.connectAll();
    const device = fleet.devices[0];
    const key = stripKey(device);
    await t.acs.store.enqueueRequest(key, { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.UpTime'] });
    await t.acs.store.enqueueRequest(key, { method: 'ScheduleInform', DelaySeconds: 30, CommandKey: 'si' });
    device.dropAtRequest = 2;
    await session(fleet, device);
    assert.equal(fleet.stats.failed, 1);
    fleet.cancel(device, 'retry');
    device.dropAtRequest = null;
    await session(fleet, device); // RetryCount > 0: takes over the stale session at once
    assert.deepEqual(await t.acs.store.pendingRequests(key), []);
    const stored = await t.acs.store.getDevice(key);
    assert.ok(stored?.history.some((h) => h.kind === 'session-replaced' || h.kind === 'session-timeout'));
    assert.equal((await t.acs.store.getParameters(key, 'Device.DeviceInfo.UpTime'))[0]?.type, 'xsd:unsignedInt');
  });

  it('serves 200 devices informing at once', async () => {
    const fleet = await fleetOf(TR181, 200, 'E2E200-', 200);
    await fleet.connectAll();
    assert.equal(fleet.stats.completed, 200, [...fleet.stats.errors].join('\n'));
    assert.equal(fleet.stats.violations, 0);
    const listed = await t.acs.store.listDevices({ limit: 1000 });
    assert.equal(listed.filter((d) => d.serialNumber.startsWith('E2E200-')).length, 200);
  });
});

/** The ACS's device id for a simulated device. */
function stripKey(device: SimDevice): string {
  return deviceKeyOf(device.deviceId());
}
