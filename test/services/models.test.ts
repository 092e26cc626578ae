/**
 * The BBF service models (issue 14 §4-5): generated simulator models with
 * STB (TR-135) and voice (TR-104 issue 2 on TR-181, issue 1 on TR-098)
 * objects, writable as the standards say and wired together; STB
 * statistics that move; `acs lint` checking service paths.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lint } from '../../src/lint/cli';
import { createDevice, type DeviceModel } from '../../src/sim/model';
import { generateBbfModel } from '../../src/sim/model/bbf';
import { parseBbfModelName } from '../../src/sim/model/bbf-services';
import { advanceStbStatistics } from '../../src/sim/model/bbf-stb-stats';

const REPO = path.resolve(__dirname, '../..');
const identity = (serial: string) => ({ Manufacturer: 'ACS Simulator', OUI: '000000', ProductClass: 'SIM', SerialNumber: serial });

function device(root: 'tr181' | 'tr098', services: ('stb' | 'voice')[], serial = 'SVC0001'): DeviceModel {
  return createDevice(generateBbfModel(root, { services }), identity(serial));
}

function writable(m: DeviceModel, p: string): boolean {
  const ref = m.lookup(p);
  assert.ok(ref !== undefined, `${p} exists`);
  return m.isWritable(ref);
}

describe('services: BBF service models in the simulator and in acs lint', function () {
  this.timeout(60_000);

  it('parses model names with services, and names the services there are for an unknown one', () => {
    assert.deepEqual(parseBbfModelName('tr181+voice+stb'), { root: 'tr181', services: ['stb', 'voice'] });
    assert.deepEqual(parseBbfModelName('tr098'), { root: 'tr098', services: [] });
    assert.equal(parseBbfModelName('models/XX230v.csv'), null);
    assert.throws(() => parseBbfModelName('tr181+fax'), /no service "fax" \(services: stb, voice\)/);
  });

  it('TR-181 + STB: TR-135 objects with the spec\'s access, an IP front end tuned to a multicast group, monitoring off', () => {
    const m = device('tr181', ['stb']);
    const stb = 'Device.Services.STBService.1.';
    assert.equal(m.getValue('Device.Services.STBServiceNumberOfEntries'), '1');
    assert.equal(m.getValue(`${stb}Components.FrontEnd.1.IP.IGMP.Enable`), 'true');
    assert.equal(writable(m, `${stb}Components.FrontEnd.1.IP.IGMP.Enable`), true);
    assert.equal(writable(m, `${stb}Components.FrontEnd.1.IP.IGMP.ClientVersion`), false, 'read-only in TR-135');
    assert.equal(writable(m, `${stb}Components.FrontEnd.1.IP.ServiceConnect.URI`), true);
    assert.equal(m.getValue(`${stb}Components.FrontEnd.1.IP.Inbound.1.DestinationAddress`), '239.1.1.1');
    assert.equal(m.getValue(`${stb}Components.FrontEnd.1.IP.InboundNumberOfEntries`), '1');
    assert.equal(writable(m, `${stb}ServiceMonitoring.MainStream.`), false, 'the STB owns its main streams');
    assert.equal(writable(m, `${stb}ServiceMonitoring.MainStream.1.Enable`), true);
    assert.equal(m.getValue(`${stb}ServiceMonitoring.MainStream.1.Enable`), 'false');
    assert.equal(m.getValue(`${stb}ServiceMonitoring.MainStream.1.Total.RTPStats.PacketsReceived`), '0');
    assert.equal(m.lookup('Device.Services.VoiceService.'), undefined, 'no voice unless asked');
  });

  it('TR-098 + STB: TR-135 mounts under InternetGatewayDevice.Services the same way', () => {
    const m = device('tr098', ['stb']);
    assert.equal(m.getValue('InternetGatewayDevice.Services.STBService.1.Components.FrontEnd.1.IP.IGMP.Enable'), 'true');
    assert.equal(m.getValue('InternetGatewayDevice.Services.STBServiceNumberOfEntries'), '1');
    assert.equal(m.lookup('InternetGatewayDevice.Services.VoiceService.'), undefined);
  });

  it('the plain generated models are unchanged: no service objects', () => {
    for (const [root, prefix] of [['tr181', 'Device'], ['tr098', 'InternetGatewayDevice']] as const) {
      const m = device(root, []);
      assert.ok(m.lookup(`${prefix}.Services.`) !== undefined);
      assert.deepEqual(m.children(m.lookup(`${prefix}.Services.`) as number).map((r) => m.pathOf(r)).filter((p) => /STB|Voice/.test(p)), []);
    }
  });

  it('TR-181 + voice: TR-104 issue 2, the line wired to its SIP client, the client to its network, four codec profiles in CodecList', () => {
    const m = device('tr181', ['voice']);
    const vs = 'Device.Services.VoiceService.1.';
    assert.equal(m.getValue(`${vs}CallControl.Line.1.Provider`), `${vs}SIP.Client.1`);
    assert.equal(m.getValue(`${vs}SIP.Client.1.Network`), `${vs}SIP.Network.1`);
    assert.equal(writable(m, `${vs}CallControl.Line.`), true, 'lines can be added');
    assert.equal(writable(m, `${vs}SIP.Network.1.RegistrarServer`), true);
    assert.equal(writable(m, `${vs}SIP.Client.1.Status`), false);
    assert.equal(m.getValue(`${vs}CodecProfile.3.Codec`), `${vs}Capabilities.Codec.3`);
    assert.equal(m.getValue(`${vs}Capabilities.Codec.3.Codec`), 'G.729');
    assert.equal(m.getValue(`${vs}SIP.Network.1.CodecList`)?.split(',').length, 4);
    assert.equal(m.getValue(`${vs}CodecProfileNumberOfEntries`), '4');
    // Secrets read back as "" (GetParameterValues), and are stored.
    assert.equal(m.parameterValue(`${vs}SIP.Client.1.AuthPassword`)?.Value, '');
  });

  it('TR-098 + voice: TR-104 issue 1 as gateways have it, two lines on two FXS ports, each with a four-codec list', () => {
    const m = device('tr098', ['voice']);
    const vp = 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.';
    assert.equal(m.getValue('InternetGatewayDevice.Services.VoiceServiceNumberOfEntries'), '1');
    assert.equal(m.getValue(`${vp}NumberOfLines`), '2');
    assert.equal(m.getValue(`${vp}Line.2.PhyReferenceList`), '2');
    assert.equal(m.getValue(`${vp}Line.1.Enable`), 'Disabled');
    assert.deepEqual(m.constraintOf(m.lookup(`${vp}Line.1.Enable`) as number)?.enumeration, ['Disabled', 'Quiescent', 'Enabled']);
    assert.equal(writable(m, `${vp}SIP.UserAgentDomain`), true);
    assert.equal(writable(m, `${vp}Line.1.Codec.List.2.Codec`), false);
    assert.equal(writable(m, `${vp}Line.1.Codec.List.2.Priority`), true);
    assert.equal(m.getValue(`${vp}Line.1.Codec.List.2.Codec`), 'G.711MuLaw');
    assert.equal(m.parameterValue(`${vp}Line.1.SIP.AuthPassword`)?.Value, '', 'hidden');
    assert.equal(m.lookup('InternetGatewayDevice.Services.VoiceService.1.CallControl.'), undefined, 'no issue 2 objects');
  });

  it('main-stream statistics move only on an enabled stream; devices lose packets at their own rates', () => {
    const total = 'Device.Services.STBService.1.ServiceMonitoring.MainStream.1.Total.';
    const a = device('tr181', ['stb'], 'STB-A');
    assert.equal(advanceStbStatistics(a, 60), 0, 'monitoring off: nothing moves');
    assert.equal(a.getValue(`${total}RTPStats.PacketsReceived`), '0');
    a.setValue(a.lookup('Device.Services.STBService.1.ServiceMonitoring.MainStream.1.Enable') as number, 'true');
    assert.equal(advanceStbStatistics(a, 60), 1);
    const first = Number(a.getValue(`${total}RTPStats.PacketsReceived`));
    assert.ok(first > 10_000, `~570 packets/s: ${first}`);
    advanceStbStatistics(a, 60);
    assert.equal(Number(a.getValue(`${total}RTPStats.PacketsReceived`)), 2 * first, 'counters grow');
    assert.equal(Number(a.getValue(`${total}MPEG2TSStats.TSPacketsReceived`)), 14 * first, 'seven TS packets per RTP packet');
    assert.equal(a.getValue(`${total}TotalSeconds`), '120');
    assert.equal(a.getValue(`${total}VideoDecoderStats.DecodedFrames`), String(120 * 25), '25 frames a second');
    const lost = new Set<number>();
    for (const serial of ['STB-A', 'STB-B', 'STB-C', 'STB-D', 'STB-E', 'STB-F', 'STB-G', 'STB-H', 'STB-I']) {
      const d = device('tr181', ['stb'], serial);
      d.setValue(d.lookup('Device.Services.STBService.1.ServiceMonitoring.MainStream.1.Enable') as number, 'true');
      advanceStbStatistics(d, 3600);
      const n = Number(d.getValue(`${total}RTPStats.PacketsLost`));
      assert.ok(n > 0, `${serial} loses some packets in an hour`);
      lost.add(n);
    }
    assert.ok(lost.size > 1, 'not every device loses the same number');
  });

  describe('acs lint', () => {
    it('accepts the shipped provisions and presets, iptv and voip included', async () => {
      const out = await lint(path.join(REPO, 'presets'), path.join(REPO, 'provisions'));
      assert.equal(out.ok, true, out.lines.join('\n'));
      assert.match(out.lines.join('\n'), / 0 error\(s\), 0 warning\(s\)/);
    });

    it('rejects a typo in an STBService or VoiceService path, naming the service model\'s parameter', async () => {
      const root = mkdtempSync(path.join(tmpdir(), 'acs-services-lint-'));
      const presets = path.join(root, 'presets');
      const provisions = path.join(root, 'provisions');
      for (const d of [presets, provisions]) mkdirSync(d);
      copyFileSync(path.join(REPO, 'provisions/index.d.ts'), path.join(provisions, 'index.d.ts'));
      writeFileSync(path.join(provisions, 'typo.js'), [
        "declare('Device.Services.STBService.*.ServiceMonitoring.MainStream.*.Enabel', { value: 1 }, { value: true });",
        "declare('InternetGatewayDevice.Services.VoiceService.*.VoiceProfile.*.Line.*.SIP.AuthUserNam', null, { value: 'x' });",
        "declare('Device.Services.VoiceService.*.SIP.Network.*.RegistrarServer', { value: 1 }, { value: 'sip.example.net' });",
        "declare('Device.Services.VoiceService.*.VoiceProfile.*.Line.*.DirectoryNumber', { value: 1 }, { value: '123' });",
        '',
      ].join('\n'));
      const out = await lint(presets, provisions);
      const text = out.lines.join('\n');
      assert.equal(out.ok, false);
      assert.match(text, /typo\.js:1:\d+: .*MainStream\.\{i\}\. has no "Enabel" in TR-135 STBService:1\.4; did you mean "Enable"\?/);
      assert.match(text, /typo\.js:2:\d+: .*has no "AuthUserNam" in TR-104 VoiceService:2\.0 \(with issue 1's VoiceProfile\); did you mean "AuthUserName"\?/);
      assert.doesNotMatch(text, /typo\.js:[34]:/, 'issue 2 and issue 1 paths under Device. are both valid');
      assert.match(text, /2 error\(s\)/);
    });
  });
});
