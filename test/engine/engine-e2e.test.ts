import { strict as assert } from 'node:assert';
import path from 'node:path';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { deviceKeyOf } from '../../src/model/device-key';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { fileServer, type FileServer } from '../helpers/file-server';
import { until } from '../helpers/wait';
import { dirWith } from '../helpers/files';

const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
const TR181 = path.join(MODELS, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');


describe('provisioning engine end to end (simulator, MariaDB, Redis, BullMQ)', function () {
  this.timeout(60_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];
  const reports: string[] = [];
  before(async () => {
    const presets = dirWith({
      'inform.yaml': 'events: ["0 BOOTSTRAP"]\nchannel: inform\nprovisions:\n  - [inform, 600]\n',
    });
    const provisions = dirWith({
      'inform.js': `
const now = Date.now();
declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: args[0] });
declare('Device.WiFi.SSID.*.SSID', { path: now, value: now });
`,
    });
    t = await startTestAcs('engine_e2e', { sessionTimeoutMs: 2000, presetsDir: presets, provisionsDir: provisions });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  it('sets a value a preset declares, discovering what it needs', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'ENG-', concurrency: 1, report: (k, m) => reports.push(`${k}: ${m}`) });
    fleets.push(fleet);
    await fleet.connectAll();
    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
    const device = fleet.devices[0];
    assert.equal(device.model.getValue('Device.ManagementServer.PeriodicInformInterval'), '600');
    // The configuration applied is named in ParameterKey, which the device reports in its Informs.
    assert.match(device.model.getValue('Device.ManagementServer.ParameterKey') ?? '', /^cfg-[0-9a-f]{20}$/);
    const key = deviceKeyOf(device.deviceId());
    const params = await t.acs.store.getParameters(key, 'Device.WiFi.SSID.');
    assert.ok(params.some((p) => p.path.endsWith('.SSID') && p.value !== null), JSON.stringify(params.slice(0, 5)));
  });
});

describe('virtual parameters end to end', function () {
  this.timeout(60_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];
  before(async () => {
    const presets = dirWith({
      'vp.yaml': 'events: ["0 BOOTSTRAP"]\nchannel: vp\nprecondition: VirtualParameters.Oui = "1C61B4"\nprovisions:\n  - [vp]\n',
    });
    const provisions = dirWith({
      'vp.js': `
const now = Date.now();
const model = declare('VirtualParameters.Model', { value: now });
// A virtual parameter written: the script turns it into the real parameter.
declare('VirtualParameters.Interval', { value: now }, { value: 900 });
if (model.value) declare('Tags.model-' + model.value[0], null, { value: true });
`,
    });
    const virtual = dirWith({
      'Oui.js': `return { value: [declare('DeviceID.OUI').value[0]] };`,
      'Model.js': `
const m = declare('Device.DeviceInfo.ModelName', { value: 1 });
return { value: [m.value ? m.value[0] : '', 'xsd:string'] };
`,
      'Interval.js': `
const t = args[0], v = args[1];
const real = declare('Device.ManagementServer.PeriodicInformInterval', { value: t.value }, v.value ? { value: v.value } : null);
return { writable: true, value: real.value ? [real.value[0], 'xsd:unsignedInt'] : [0, 'xsd:unsignedInt'] };
`,
    });
    t = await startTestAcs('engine_vp', { sessionTimeoutMs: 2000, presetsDir: presets, provisionsDir: provisions, virtualParametersDir: virtual });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  it('reads, writes and matches preconditions through virtual parameters', async () => {
    const reports: string[] = [];
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'VP-', concurrency: 1, report: (k, m) => reports.push(`${k}: ${m}`) });
    fleets.push(fleet);
    await fleet.connectAll();
    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
    const device = fleet.devices[0];
    assert.equal(device.model.getValue('Device.ManagementServer.PeriodicInformInterval'), '900');
    const key = deviceKeyOf(device.deviceId());
    const detail = await t.acs.store.getDevice(key);
    assert.deepEqual(detail?.channelFaults, []);
    assert.ok(detail?.tags.some((x) => x.startsWith('model-')), JSON.stringify(detail?.tags));
  });
});

describe('a later session loads only what its presets look at', function () {
  this.timeout(60_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];
  before(async () => {
    const presets = dirWith({
      'discover.yaml': 'events: ["0 BOOTSTRAP"]\nchannel: a\nprovisions:\n  - [discover]\n',
      'refresh.yaml': 'events: ["2 PERIODIC"]\nchannel: b\nprovisions:\n  - [refresh]\n',
    });
    const provisions = dirWith({
      'discover.js': "const now = Date.now();\ndeclare('Device.WiFi.SSID.*.SSID', { path: now, value: now });\ndeclare('Device.ManagementServer.PeriodicInformInterval', { value: now });\n",
      // Anything cached will do: a periodic session needs no RPC, if the stored rows are found.
      'refresh.js': "const ssids = declare('Device.WiFi.SSID.*.SSID', { path: 1, value: 1 });\ndeclare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: 1200 });\nlog('ssids', ssids.size);\n",
    });
    t = await startTestAcs('engine_lazy', { sessionTimeoutMs: 2000, presetsDir: presets, provisionsDir: provisions });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  it('plans a periodic session from the stored rows it needs: no reads, one write', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'LAZY-', concurrency: 1 });
    fleets.push(fleet);
    await fleet.connectAll();
    const device = fleet.devices[0];
    const outcome = await device.runSession('2 PERIODIC');
    assert.equal(outcome.result, 'completed');
    assert.equal(outcome.rpcs, 1, 'only the SetParameterValues');
    assert.equal(device.model.getValue('Device.ManagementServer.PeriodicInformInterval'), '1200');
    const detail = await t.acs.store.getDevice(deviceKeyOf(device.deviceId()));
    const log = detail?.history.find((h) => h.kind === 'provision-log');
    assert.deepEqual(log?.detail, { 'refresh/refresh': ['ssids 14'] });
  });
});

describe('actions as desired state: Uploads and Reboot', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let files: FileServer;
  const fleets: Fleet[] = [];
  const since = Date.now();
  before(async () => {
    files = await fileServer();
    const presets = dirWith({
      'backup.yaml': `events: ["1 BOOT"]\nchannel: backup\nprovisions:\n  - [backup, "${files.url}/backups/"]\n`,
      'restart.yaml': `channel: restart\nprecondition: Tags.restart-me = true\nprovisions:\n  - [restart, ${since}]\n`,
    });
    const provisions = dirWith({
      // Once per device: the record of the Upload (Uploads.N.*) says it was done.
      'backup.js': "const serial = declare('DeviceID.SerialNumber').value[0];\ndeclare('Uploads.[FileType:1 Vendor Configuration File,URL:' + args[0] + serial + ']', { path: 1 }, { instances: 1 });\n",
      // Rebooted at or after the time given: once, whatever the number of sessions.
      'restart.js': "declare('Reboot', null, { value: args[0] });\n",
    });
    t = await startTestAcs('engine_actions', { sessionTimeoutMs: 2000, presetsDir: presets, provisionsDir: provisions });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
    await files?.close();
  });

  it('uploads the configuration once, and records it in the cache', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'UPL-', concurrency: 1 });
    fleets.push(fleet);
    const device = fleet.devices[0];
    await fleet.connectAll();
    await until('the upload', async () => files.uploads.size === 1, 10_000);
    const [[urlPath]] = [...files.uploads];
    assert.equal(urlPath, `/backups/${device.deviceId().SerialNumber}`);
    await fleet.idle(); // TransferComplete
    const key = deviceKeyOf(device.deviceId());
    const record = await t.acs.store.getParameters(key, 'Uploads.');
    assert.ok(record.some((r) => r.path === 'Uploads.1.FileType' && r.value === '1 Vendor Configuration File'), JSON.stringify(record));
    const again = await device.runSession('1 BOOT');
    assert.equal(again.rpcs, 0, 'no second Upload');
    assert.equal(files.uploads.size, 1);
  });

  it('reboots once when wanted rebooted since a time, then is content with the boot', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'RBT-', concurrency: 1, registered: true });
    fleets.push(fleet);
    const device = fleet.devices[0];
    await device.runSession('2 PERIODIC');
    const key = deviceKeyOf(device.deviceId());
    await t.acs.store.setTags(key, ['restart-me'], []);
    const first = await device.runSession('2 PERIODIC');
    assert.equal(first.rpcs, 1);
    assert.ok(first.effects.some((e) => e.kind === 'reboot'), JSON.stringify(first.effects));
    await fleet.idle(); // the reboot's own session (1 BOOT, M Reboot)
    const later = await device.runSession('2 PERIODIC');
    assert.equal(later.rpcs, 0, 'rebooted since the time asked: nothing more');
  });
});
