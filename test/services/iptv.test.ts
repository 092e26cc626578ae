/**
 * IPTV provisioning end to end (issue 14 §4): the real server (MariaDB,
 * Redis, engine workers) and the shipped `iptv` provision with the shipped
 * preset's args against a simulated TR-181 STB (TR-135): front end, IGMP,
 * service connect URL, AV player languages and main-stream monitoring, read
 * back from the device; a second session sends nothing; the statistics the
 * monitoring turns on move and the ACS reads them.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { generateBbfModel } from '../../src/sim/model/bbf';
import { advanceStbStatistics } from '../../src/sim/model/bbf-stb-stats';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { requestsOf } from '../helpers/sim-sessions';

const REPO = path.resolve(__dirname, '../..');
const SHIPPED = readFileSync(path.join(REPO, 'presets/iptv.yaml'), 'utf8');
const WRITES = new Set(['SetParameterValues', 'SetParameterAttributes', 'AddObject', 'DeleteObject']);
const STB = 'Device.Services.STBService.1.';
const STREAM = `${STB}ServiceMonitoring.MainStream.1.`;

describe('services: IPTV set-top boxes provisioned end to end (simulator, MariaDB, Redis)', function () {
  this.timeout(120_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];

  before(async () => {
    const preset = SHIPPED.replace('precondition: Tags.iptv-example', 'precondition: DeviceID.SerialNumber LIKE "STB181-%"');
    assert.notEqual(preset, SHIPPED);
    // A collection of the main stream's totals (a collection profile's job): read in every session here.
    const collect = `declare('${STREAM}Total.RTPStats.PacketsReceived', { value: Date.now() });\ndeclare('${STREAM}Total.RTPStats.PacketsLost', { value: Date.now() });\n`;
    const presets = dirWith({
      'iptv.yaml': preset,
      'collect.yaml': 'precondition: DeviceID.SerialNumber LIKE "STB181-%"\nchannel: collect\nprovisions:\n  - stb-collect\n',
    });
    const provisions = dirWith({ 'stb-collect.js': collect, 'iptv.js': readFileSync(path.join(REPO, 'provisions/iptv.js'), 'utf8') });
    t = await startTestAcs('services_iptv', { sessionTimeoutMs: 5000, presetsDir: presets, provisionsDir: provisions });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  const writes = (s: CpeRequest[] | undefined): string[] => (s ?? []).map((r) => r.method).filter((m) => WRITES.has(m));

  it('TR-181 STB: front end, IGMP, portal, languages and monitoring as the preset says; nothing sent again; the statistics move and are read', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: generateBbfModel('tr181', { services: ['stb'] }), devices: 1, serialBase: 'STB181-', concurrency: 1 });
    fleets.push(fleet);
    const device = fleet.devices[0];
    const sessions = requestsOf(device);
    const m = device.model;
    // The STB comes with IGMP off and its front end disabled: the provision turns them on.
    m.setValue(m.lookup(`${STB}Components.FrontEnd.1.IP.IGMP.Enable`) as number, 'false');
    m.setValue(m.lookup(`${STB}Components.FrontEnd.1.Enable`) as number, 'false');

    await device.runSession('0 BOOTSTRAP');
    const key = deviceKeyOf(device.deviceId());
    assert.deepEqual(await t.acs.store.getChannelFaults(key), []);
    assert.equal(m.getValue(`${STB}Enable`), 'true');
    assert.equal(m.getValue(`${STB}Components.FrontEnd.1.Enable`), 'true');
    assert.equal(m.getValue(`${STB}Components.FrontEnd.1.IP.IGMP.Enable`), 'true');
    assert.equal(m.getValue(`${STB}Components.FrontEnd.1.IP.ServiceConnect.URI`), 'rtsp://iptv.example.net/portal');
    assert.equal(m.getValue(`${STB}AVPlayers.PreferredAudioLanguage`), 'eng');
    assert.equal(m.getValue(`${STB}AVPlayers.PreferredSubtitlingLanguage`), 'eng');
    assert.equal(m.getValue(`${STB}ServiceMonitoring.SampleInterval`), '300');
    assert.equal(m.getValue(`${STB}ServiceMonitoring.ReportSamples`), '12');
    assert.equal(m.getValue(`${STB}ServiceMonitoring.SampleEnable`), 'true');
    assert.equal(m.getValue(`${STREAM}Enable`), 'true');
    assert.equal(m.getValue(`${STREAM}ServiceType`), 'IPTV');
    assert.deepEqual(writes(sessions[0]), ['SetParameterValues'], 'one SetParameterValues');

    // The STB plays for ten minutes: its counters grow; the next session sets nothing and reads them.
    assert.equal(advanceStbStatistics(m, 600), 1);
    const received = m.getValue(`${STREAM}Total.RTPStats.PacketsReceived`);
    assert.ok(Number(received) > 100_000);
    await device.runSession('2 PERIODIC');
    assert.deepEqual(writes(sessions.at(-1)), [], 'configured: the next session sets nothing');
    assert.deepEqual(sessions.at(-1)?.map((r) => r.method), ['GetParameterValues'], 'only the collection reads');
    const rows = await t.acs.store.getParameters(key, `${STREAM}Total.RTPStats.PacketsReceived`);
    assert.equal(rows.find((r) => r.path === `${STREAM}Total.RTPStats.PacketsReceived`)?.value, received, 'the ACS has the grown counter');
  });

  it('an STB under a TR-098 root, set up by an order with positional args (portal, sample interval, IGMP off)', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: generateBbfModel('tr098', { services: ['stb'] }), devices: 1, serialBase: 'STB098-', concurrency: 1 });
    fleets.push(fleet);
    const device = fleet.devices[0];
    const sessions = requestsOf(device);
    await device.runSession('0 BOOTSTRAP');
    const args = ['http://portal.example.org/stb', 900, false];
    const created = await t.nbi('/orders', { method: 'POST', body: JSON.stringify({ id: 'iptv-098', device: { serialNumber: device.deviceId().SerialNumber }, service: { provision: 'iptv', args } }) });
    assert.equal(created.status, 201, await created.text());
    let status = '';
    for (let i = 0; i < 30 && status !== 'applied' && status !== 'failed'; i++) {
      status = ((await (await t.nbi('/orders/iptv-098')).json()) as { status: string }).status;
      if (status === 'applying') await device.runSession('2 PERIODIC');
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(status, 'applied', JSON.stringify(await t.acs.store.getChannelFaults(deviceKeyOf(device.deviceId()))));
    const stb = 'InternetGatewayDevice.Services.STBService.1.';
    const m = device.model;
    assert.equal(m.getValue(`${stb}Components.FrontEnd.1.IP.ServiceConnect.URI`), 'http://portal.example.org/stb');
    assert.equal(m.getValue(`${stb}Components.FrontEnd.1.IP.IGMP.Enable`), 'false');
    assert.equal(m.getValue(`${stb}ServiceMonitoring.SampleInterval`), '900');
    assert.equal(m.getValue(`${stb}ServiceMonitoring.MainStream.1.Enable`), 'true');
    assert.equal(m.getValue(`${stb}AVPlayers.PreferredAudioLanguage`), '', 'not given: left alone');
    assert.ok(sessions.flat().some((r) => r.method === 'SetParameterValues'));
  });

  it('an STB that measures only VoD: the provision faults naming the types it offers, rather than half-configure', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: generateBbfModel('tr181', { services: ['stb'] }), devices: 1, serialBase: 'STB181-VOD-', concurrency: 1 });
    fleets.push(fleet);
    const device = fleet.devices[0];
    const m = device.model;
    m.setValue(m.lookup(`${STB}Capabilities.ServiceMonitoring.ServiceTypes`) as number, 'VoD');
    await device.runSession('0 BOOTSTRAP');
    const faults = JSON.stringify(await t.acs.store.getChannelFaults(deviceKeyOf(device.deviceId())));
    assert.match(faults, /iptv: this STB measures VoD; not IPTV/);
    assert.equal(m.getValue(`${STREAM}Enable`), 'false', 'the main stream is left off');
    assert.equal(m.getValue(`${STB}ServiceMonitoring.SampleInterval`), '3600', 'sampling untouched');
    assert.equal(m.getValue(`${STB}Components.FrontEnd.1.IP.ServiceConnect.URI`), '', 'front end untouched');
  });
});
