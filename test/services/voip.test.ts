/**
 * VoIP provisioning end to end (issue 14 §4): the real server (MariaDB,
 * Redis, engine workers) and the shipped `voip` provision against simulated
 * devices: TR-181 with TR-104 issue 2, TR-098 with issue 1 (generated and
 * the captured Huawei EG8145V5), configured from the shipped preset's args;
 * an order carrying a SIP account applied at first contact. The values are
 * read back from the simulated devices; a second session sends nothing.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import type { SimDevice } from '../../src/sim/device';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import type { BaseModel } from '../../src/sim/model';
import { generateBbfModel } from '../../src/sim/model/bbf';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { requestsOf } from '../helpers/sim-sessions';
import { until } from '../helpers/wait';

const REPO = path.resolve(__dirname, '../..');
const EG8145V5 = path.resolve(REPO, '../shared/samples/device-models/device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv');
const SHIPPED = readFileSync(path.join(REPO, 'presets/voip.yaml'), 'utf8');
const WRITES = new Set(['SetParameterValues', 'SetParameterAttributes', 'AddObject', 'DeleteObject']);

/** The shipped preset for the devices whose serial number starts with `prefix`, its args extended with `extra`. */
function presetFor(prefix: string, extra = ''): string {
  const text = SHIPPED.replace('precondition: Tags.voip-example', `precondition: DeviceID.SerialNumber LIKE "${prefix}%"`).replace(/"transport=UDP"\]/, `"transport=UDP"${extra}]`);
  assert.notEqual(text, SHIPPED);
  assert.match(text, new RegExp(prefix));
  return text;
}

describe('services: VoIP lines provisioned end to end (simulator, MariaDB, Redis)', function () {
  this.timeout(120_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];

  before(async () => {
    const presets = dirWith({
      'voip-181.yaml': presetFor('PV181-'),
      'voip-098.yaml': presetFor('PV098-', ', "codecs=G.729,G.711ALaw"'),
      'voip-eg.yaml': presetFor('PVEG-', ', "codecs=G.722,G.711ALaw", "uri=sip:+3215551234@example.net"'),
    });
    t = await startTestAcs('services_voip', { sessionTimeoutMs: 5000, presetsDir: presets, provisionsDir: path.join(REPO, 'provisions') });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  async function simulated(model: BaseModel, serialBase: string): Promise<{ fleet: Fleet; device: SimDevice; sessions: CpeRequest[][] }> {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model, devices: 1, serialBase, concurrency: 1 });
    fleets.push(fleet);
    const device = fleet.devices[0];
    return { fleet, device, sessions: requestsOf(device) };
  }

  const writes = (s: CpeRequest[] | undefined): string[] => (s ?? []).map((r) => r.method).filter((m) => WRITES.has(m));
  const faults = async (d: SimDevice) => t.acs.store.getChannelFaults(deviceKeyOf(d.deviceId()));

  async function secondSessionSendsNothing(device: SimDevice, sessions: CpeRequest[][]): Promise<void> {
    await device.runSession('2 PERIODIC');
    assert.deepEqual(writes(sessions.at(-1)), [], 'configured: the next session sets nothing');
  }

  it('TR-181, TR-104 issue 2: registrar, proxy and domain on the SIP network, the account on the client, the number on the line', async () => {
    const { device, sessions } = await simulated(generateBbfModel('tr181', { services: ['voice'] }), 'PV181-');
    const m = device.model;
    const vs = 'Device.Services.VoiceService.1.';
    await device.runSession('0 BOOTSTRAP');
    assert.deepEqual(await faults(device), []);
    assert.equal(m.getValue(`${vs}CallControl.Line.1.DirectoryNumber`), '+3215551234');
    assert.equal(m.getValue(`${vs}CallControl.Line.1.Enable`), 'true');
    assert.equal(m.getValue(`${vs}SIP.Client.1.AuthUserName`), 'sip3215551234');
    assert.equal(m.getValue(`${vs}SIP.Client.1.AuthPassword`), 'sip-s3cret');
    assert.equal(m.getValue(`${vs}SIP.Client.1.Enable`), 'true');
    assert.equal(m.getValue(`${vs}SIP.Network.1.RegistrarServer`), 'sip.example.net');
    assert.equal(m.getValue(`${vs}SIP.Network.1.RegistrarServerPort`), '5060');
    assert.equal(m.getValue(`${vs}SIP.Network.1.ProxyServer`), 'sip.example.net');
    assert.equal(m.getValue(`${vs}SIP.Network.1.UserAgentDomain`), 'example.net');
    assert.equal(m.getValue(`${vs}SIP.Network.1.RegistrarServerTransport`), 'UDP');
    assert.equal(m.getValue(`${vs}SIP.Network.1.Enable`), 'true');
    assert.deepEqual(writes(sessions[0]), ['SetParameterValues'], 'one SetParameterValues: nothing to add');
    const history = JSON.stringify((await t.acs.store.getDevice(deviceKeyOf(device.deviceId())))?.history ?? []);
    assert.doesNotMatch(history, /sip-s3cret/, 'the password is never logged');
    await secondSessionSendsNothing(device, sessions);
  });

  it('TR-098, TR-104 issue 1: servers on the voice profile, the account on its first line, codecs by priority', async () => {
    const { device, sessions } = await simulated(generateBbfModel('tr098', { services: ['voice'] }), 'PV098-');
    const m = device.model;
    const vp = 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.';
    await device.runSession('0 BOOTSTRAP');
    assert.deepEqual(await faults(device), []);
    assert.equal(m.getValue(`${vp}SIP.RegistrarServer`), 'sip.example.net');
    assert.equal(m.getValue(`${vp}SIP.ProxyServer`), 'sip.example.net');
    assert.equal(m.getValue(`${vp}SIP.UserAgentDomain`), 'example.net');
    assert.equal(m.getValue(`${vp}Line.1.Enable`), 'Enabled');
    assert.equal(m.getValue(`${vp}Line.1.DirectoryNumber`), '+3215551234');
    assert.equal(m.getValue(`${vp}Line.1.SIP.AuthUserName`), 'sip3215551234');
    assert.equal(m.getValue(`${vp}Line.1.SIP.AuthPassword`), 'sip-s3cret');
    assert.equal(m.getValue(`${vp}Line.2.DirectoryNumber`), '', 'the second line is left alone');
    // codecs=G.729,G.711ALaw: those two first and enabled, the others off.
    const codecs = [1, 2, 3, 4].map((n) => `${vp}Line.1.Codec.List.${n}.`);
    const byName = new Map(codecs.map((c) => [m.getValue(`${c}Codec`), c]));
    assert.equal(m.getValue(`${byName.get('G.729')}Priority`), '1');
    assert.equal(m.getValue(`${byName.get('G.711ALaw')}Priority`), '2');
    assert.equal(m.getValue(`${byName.get('G.729')}Enable`), 'true');
    assert.equal(m.getValue(`${byName.get('G.722')}Enable`), 'false');
    assert.equal(m.getValue(`${byName.get('G.711MuLaw')}Enable`), 'false');
    await secondSessionSendsNothing(device, sessions);
  });

  it('TR-098 as a real gateway has it (Huawei EG8145V5): line, URI and codecs set from the preset', async () => {
    const { device, sessions } = await simulated(loadModel(EG8145V5), 'PVEG-');
    const m = device.model;
    const vp = 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.';
    await device.runSession('0 BOOTSTRAP');
    assert.deepEqual(await faults(device), []);
    assert.equal(m.getValue(`${vp}Line.1.DirectoryNumber`), '+3215551234');
    assert.equal(m.getValue(`${vp}Line.1.SIP.URI`), 'sip:+3215551234@example.net');
    assert.equal(m.getValue(`${vp}SIP.RegistrarServer`), 'sip.example.net');
    assert.equal(m.getValue(`${vp}Line.1.Enable`), 'Enabled');
    const g722 = [1, 2, 3, 4].map((n) => `${vp}Line.1.Codec.List.${n}.`).find((c) => m.getValue(`${c}Codec`) === 'G.722');
    assert.equal(m.getValue(`${g722}Priority`), '1');
    await secondSessionSendsNothing(device, sessions);
  });

  it('an order carrying a SIP account, applied at the device\'s first contact, configures the line', async () => {
    const order = (id: string) => t.nbi(`/orders/${id}`).then(async (r) => (await r.json()) as { status: string; reason: string | null });
    const account = ['number=+3225550000', 'user=acc-3225550000', 'password=order-pass-1', 'registrar=registrar.example.org:5070', 'outboundProxy=[2001:db8::5]:5060', 'codecs=G.722,G.711ALaw', 'line=2'];
    const created = await t.nbi('/orders', { method: 'POST', body: JSON.stringify({ id: 'voip-ord-1', device: { serialNumber: 'ORD181-000000' }, service: { provision: 'voip', args: account } }) });
    assert.equal(created.status, 201, await created.text());
    assert.equal((await order('voip-ord-1')).status, 'pending');

    const { device, sessions } = await simulated(generateBbfModel('tr181', { services: ['voice'] }), 'ORD181-');
    assert.equal(device.deviceId().SerialNumber, 'ORD181-000000');
    await device.runSession('0 BOOTSTRAP');
    await until('the order applied', async () => {
      const { status } = await order('voip-ord-1');
      if (status === 'applying') await device.runSession('2 PERIODIC');
      return status === 'applied' || status === 'failed';
    }, 60_000);
    const final = await order('voip-ord-1');
    assert.equal(final.status, 'applied', final.reason ?? '');

    const m = device.model;
    const vs = 'Device.Services.VoiceService.1.';
    // line=2: the model has one line; a second is added, with its own SIP client (added too), on the shared network.
    assert.equal(m.getValue(`${vs}CallControl.Line.2.DirectoryNumber`), '+3225550000');
    assert.equal(m.getValue(`${vs}CallControl.Line.2.Enable`), 'true');
    assert.equal(m.getValue(`${vs}CallControl.Line.2.Provider`), `${vs}SIP.Client.2`);
    assert.equal(m.getValue(`${vs}SIP.Client.2.AuthUserName`), 'acc-3225550000');
    assert.equal(m.getValue(`${vs}SIP.Client.2.AuthPassword`), 'order-pass-1');
    assert.equal(m.getValue(`${vs}SIP.Client.2.Network`), `${vs}SIP.Network.1`);
    assert.equal(m.getValue(`${vs}SIP.Client.1.AuthUserName`), '', 'line 1\'s client is left alone');
    assert.equal(m.getValue(`${vs}SIP.Network.1.RegistrarServer`), 'registrar.example.org');
    assert.equal(m.getValue(`${vs}SIP.Network.1.RegistrarServerPort`), '5070');
    assert.equal(m.getValue(`${vs}SIP.Network.1.OutboundProxy`), '2001:db8::5', 'an IPv6 address without brackets');
    assert.equal(m.getValue(`${vs}SIP.Network.1.OutboundProxyPort`), '5060');
    const profiles = (m.getValue(`${vs}SIP.Network.1.CodecList`) ?? '').split(',');
    assert.deepEqual(profiles.map((p) => m.getValue(m.getValue(`${p}.Codec`) + '.Codec')), ['G.722', 'G.711ALaw']);
    const adds = sessions.flat().filter((r) => r.method === 'AddObject').map((r) => (r.method === 'AddObject' ? r.ObjectName : ''));
    assert.deepEqual(adds, [`${vs}CallControl.Line.`, `${vs}SIP.Client.`]);
    await secondSessionSendsNothing(device, sessions);
  });

  /** Places an order for a device that has been in touch, and runs its sessions until the order is done. */
  async function orderNow(id: string, device: SimDevice, args: (string | number | boolean)[]): Promise<{ status: string; reason: string | null; seen: string }> {
    const created = await t.nbi('/orders', { method: 'POST', body: JSON.stringify({ id, device: { serialNumber: device.deviceId().SerialNumber }, service: { provision: 'voip', args } }) });
    assert.equal(created.status, 201, await created.text());
    let last = { status: '', reason: null as string | null, seen: '' };
    await until(`order ${id} done`, async () => {
      const r = (await (await t.nbi(`/orders/${id}`)).json()) as { status: string; reason: string | null };
      last = { ...r, seen: `${JSON.stringify(await faults(device))} ${r.reason ?? ''}` };
      if (r.status === 'applied' || r.status === 'failed' || /voip: /.test(last.seen)) return true;
      await device.runSession('2 PERIODIC');
      return false;
    }, 30_000);
    return last;
  }

  it('takes the account as positional args or as one JSON object (what an order system builds from a subscriber record)', async () => {
    const { device } = await simulated(generateBbfModel('tr098', { services: ['voice'] }), 'ARGS098-');
    await device.runSession('0 BOOTSTRAP');
    const vp = 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.';
    const positional = await orderNow('voip-pos', device, ['+3225550010', 'pos-user', 'pos-pass', 'reg.example.com', 'proxy.example.com:5080', '', 'example.com']);
    assert.equal(positional.status, 'applied', positional.seen);
    assert.equal(device.model.getValue(`${vp}Line.1.DirectoryNumber`), '+3225550010');
    assert.equal(device.model.getValue(`${vp}SIP.ProxyServerPort`), '5080');
    assert.equal(device.model.getValue(`${vp}SIP.UserAgentDomain`), 'example.com');
    const record = JSON.stringify({ number: '+3225550011', user: 'json-user', password: 'json-pass', registrar: 'reg2.example.com', line: 2, enable: true });
    const json = await orderNow('voip-json', device, [record]);
    assert.equal(json.status, 'applied', json.seen);
    assert.equal(device.model.getValue(`${vp}Line.2.DirectoryNumber`), '+3225550011');
    assert.equal(device.model.getValue(`${vp}Line.2.SIP.AuthUserName`), 'json-user');
    assert.equal(device.model.getValue(`${vp}Line.2.SIP.AuthPassword`), 'json-pass');
    assert.equal(device.model.getValue(`${vp}Line.2.Enable`), 'Enabled');
    assert.equal(device.model.getValue(`${vp}Line.1.DirectoryNumber`), '+3225550010', 'line 1 kept');
    assert.equal(device.model.getValue(`${vp}SIP.RegistrarServer`), 'reg2.example.com');
  });

  it('a codec the device does not offer faults the provision naming the ones it has, and configures nothing', async () => {
    const { device } = await simulated(generateBbfModel('tr181', { services: ['voice'] }), 'CODEC181-');
    await device.runSession('0 BOOTSTRAP');
    const r = await orderNow('voip-codec', device, ['number=+3225550020', 'user=u', 'password=p', 'registrar=reg.example.com', 'codecs=G.711ALaw,AMR']);
    assert.match(r.seen, /voip: codec AMR is not one this device offers \(G\.711ALaw, G\.711MuLaw, G\.729, G\.722\)/);
    const vs = 'Device.Services.VoiceService.1.';
    assert.equal(device.model.getValue(`${vs}CallControl.Line.1.DirectoryNumber`), '');
    assert.equal(device.model.getValue(`${vs}SIP.Network.1.RegistrarServer`), '');
  });

  it('bad order arguments fault the provision naming the setting, and configure nothing', async () => {
    const created = await t.nbi('/orders', {
      method: 'POST',
      body: JSON.stringify({ id: 'voip-ord-bad', device: { serialNumber: 'BAD181-000000' }, service: { provision: 'voip', args: ['number=+3225550001', 'registrar=sip.example.net:99999'] } }),
    });
    assert.equal(created.status, 201);
    const { device } = await simulated(generateBbfModel('tr181', { services: ['voice'] }), 'BAD181-');
    await device.runSession('0 BOOTSTRAP');
    // The provision's error reaches the operator: as the device's channel fault, or as the failed order's reason.
    const wanted = /voip: registrar must be host or host:port, not \\?"sip\.example\.net:99999\\?"/;
    let seen = '';
    await until('the provision faulted', async () => {
      const r = (await (await t.nbi('/orders/voip-ord-bad')).json()) as { status: string; reason: string | null };
      seen = `${JSON.stringify(await faults(device))} ${r.reason ?? ''}`;
      if (wanted.test(seen)) return true;
      if (r.status === 'applying') await device.runSession('2 PERIODIC');
      return r.status === 'failed';
    }, 30_000);
    assert.match(seen, wanted);
    assert.equal(device.model.getValue('Device.Services.VoiceService.1.CallControl.Line.1.DirectoryNumber'), '', 'nothing set');
  });
});
