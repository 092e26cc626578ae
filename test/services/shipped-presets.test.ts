/**
 * The shipped example presets presets/voip.yaml and presets/iptv.yaml, as
 * they are: a device with voice and an STB that nobody tagged is left
 * alone (shipping them changes nothing); once tagged `voip-example` /
 * `iptv-example`, its next Inform applies them, and the one after costs
 * nothing.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { generateBbfModel } from '../../src/sim/model/bbf';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { requestsOf } from '../helpers/sim-sessions';

const REPO = path.resolve(__dirname, '../..');
const WRITES = new Set(['SetParameterValues', 'SetParameterAttributes', 'AddObject', 'DeleteObject']);
const shipped = (name: string) => readFileSync(path.join(REPO, 'presets', name), 'utf8');

describe('services: the shipped voip and iptv example presets', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let fleet: Fleet | undefined;

  before(async () => {
    const presets = dirWith({ 'voip.yaml': shipped('voip.yaml'), 'iptv.yaml': shipped('iptv.yaml') });
    t = await startTestAcs('services_shipped', { sessionTimeoutMs: 5000, presetsDir: presets, provisionsDir: path.join(REPO, 'provisions') });
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  it('leave an untagged device alone, and configure it at the Inform after it is tagged', async () => {
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: generateBbfModel('tr181', { services: ['stb', 'voice'] }), devices: 1, serialBase: 'SHIP-', concurrency: 1 });
    const device = fleet.devices[0];
    const sessions = requestsOf(device);
    const writes = (s: CpeRequest[] | undefined) => (s ?? []).map((r) => r.method).filter((m) => WRITES.has(m));
    const m = device.model;
    const line = 'Device.Services.VoiceService.1.CallControl.Line.1.DirectoryNumber';
    const portal = 'Device.Services.STBService.1.Components.FrontEnd.1.IP.ServiceConnect.URI';

    await device.runSession('0 BOOTSTRAP');
    await device.runSession('2 PERIODIC');
    assert.deepEqual(sessions.map((s) => s.map((r) => r.method)), [[], []], 'untagged: not a single RPC');
    assert.equal(m.getValue(line), '');
    assert.equal(m.getValue(portal), '');

    const id = encodeURIComponent(deviceKeyOf(device.deviceId()));
    for (const tag of ['voip-example', 'iptv-example']) assert.equal((await t.nbi(`/devices/${id}/tags/${tag}`, { method: 'POST' })).status, 204);
    await device.runSession('2 PERIODIC');
    assert.deepEqual(await t.acs.store.getChannelFaults(deviceKeyOf(device.deviceId())), []);
    assert.equal(m.getValue(line), '+3215551234');
    assert.equal(m.getValue('Device.Services.VoiceService.1.SIP.Network.1.RegistrarServer'), 'sip.example.net');
    assert.equal(m.getValue(portal), 'rtsp://iptv.example.net/portal');
    assert.equal(m.getValue('Device.Services.STBService.1.ServiceMonitoring.SampleInterval'), '300');
    assert.ok(writes(sessions.at(-1)).length > 0);

    await device.runSession('2 PERIODIC');
    assert.deepEqual(sessions.at(-1), [], 'configured: the next Inform costs no RPC');
  });
});
