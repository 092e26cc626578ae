import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lint, type LintOptions, type LintResult } from '../../../src/lint/cli';
import { DataModels, dataModelDirs, dataModelFromXml } from '../../../src/lint/datamodel';
import { walkModel } from '../../../src/lint/check-path';

interface Fixture {
  presets?: Record<string, string>;
  provisions: Record<string, string>;
  virtualParameters?: string[];
}

/** Writes the fixture into a temporary folder and lints it. */
async function lintFixture(f: Fixture, options: LintOptions = {}): Promise<LintResult & { text: string; problems: string[] }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'acs-lint-dm-'));
  const dirs = { presets: path.join(root, 'presets'), provisions: path.join(root, 'provisions'), vp: path.join(root, 'virtual-parameters') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  for (const [name, text] of Object.entries(f.presets ?? {})) writeFileSync(path.join(dirs.presets, name), text);
  for (const [name, text] of Object.entries(f.provisions)) writeFileSync(path.join(dirs.provisions, name), text);
  for (const name of f.virtualParameters ?? []) writeFileSync(path.join(dirs.vp, name), 'return { value: [1] };\n');
  const out = await lint(dirs.presets, dirs.provisions, { virtualParametersDir: dirs.vp, ...options });
  const problems = out.lines.filter((l) => /:\d+:\d+: /.test(l)).map((l) => l.slice(l.indexOf('provisions' + path.sep) + 'provisions/'.length));
  return { ...out, text: out.lines.join('\n'), problems };
}

/** One provision's lines, numbered as in the file. */
const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('acs lint: declarations against the BBF data model', function () {
  this.timeout(20_000);

  it('passes good paths on TR-181 and TR-098, with the args of each preset', async function () {
    const out = await lintFixture({
      presets: { 'wifi.yaml': 'events: ["1 BOOT"]\nprovisions:\n  - [wifi, "HomeNet", 600]\n' },
      provisions: {
        'wifi.js': lines(
          'const now = Date.now();',
          "declare('Device.WiFi.SSID.*.SSID', { value: now }, { value: args[0] });",
          "declare('Device.WiFi.SSID.[SSID:guest].Enable', null, { value: false });",
          "declare('Device.WiFi.AccessPoint.[SSIDReference:Device.WiFi.SSID.1].Security.ModeEnabled', { value: now });",
          "declare('Device.ManagementServer.PeriodicInformInterval', null, { value: [args[1], 'xsd:unsignedInt'] });",
          "declare('Device.ManagementServer.PeriodicInformTime', null, { value: '2024-01-01T00:00:00Z' });",
          "declare('Device.IP.Interface.*', { path: Date.now(3600000) }, { instances: [1, 4] });",
          "declare('Device.IP.Interface.[Name:wan].IPv4Address.*', { path: Date.now(3600000) }, { instances: 1 });",
          "declare('Device.DeviceInfo.SoftwareVersion', { value: now });",
          "declare('Device.Ethernet.Interface.2.Enable.', null, { value: 1 });",
        ),
        'igd.js': lines(
          "declare('InternetGatewayDevice.LANDevice.1.WLANConfiguration.*.SSID', null, { value: 'home' });",
          "declare('InternetGatewayDevice.WANDevice.*.WANConnectionDevice.*.WANIPConnection.[Name:wan].Enable', null, { value: true });",
          "declare('InternetGatewayDevice.ManagementServer.PeriodicInformInterval', null, { value: '300' });",
          "declare('InternetGatewayDevice.X_ACME_Feature.Enable', null, { value: 'anything' });",
          "declare('InternetGatewayDevice.LANDevice.*.WLANConfiguration.[X_ACME_Band:5GHz].Enable', null, { value: true });",
          "declare('Tags.configured', null, { value: true });",
          "declare('Reboot', null, { value: Date.now() });",
          "declare('Downloads.[FileType:1 Firmware Upgrade Image]', { path: 1 }, { instances: 1 });",
          "declare('VirtualParameters.wanIp', { value: Date.now() });",
          "if (declare('DeviceID.SerialNumber', { value: 1 }).value[0] === '') throw new Error('no serial');",
        ),
      },
      virtualParameters: ['wanIp.ts'],
    });
    assert.equal(out.ok, true, out.text);
    assert.deepEqual(out.problems, []);
    assert.match(out.lines.at(-1) ?? '', /^1 preset\(s\), 2 provision\(s\): 0 error\(s\), 0 warning\(s\)$/);
  });

  it('names the file, line and column of a typo, with a suggestion', async function () {
    const out = await lintFixture({
      provisions: { 'typo.js': lines('// a comment', '', "  declare('Device.WiFi.SSD.1.SSID', null, { value: 'x' });") },
    });
    assert.equal(out.ok, false);
    assert.deepEqual(out.problems, [
      'typo.js:3:3: Device.WiFi.SSD.1.SSID: Device.WiFi. has no "SSD" in TR-181 Device:2.17; did you mean "SSID"?',
    ]);
    assert.match(out.lines.at(-1) ?? '', /: 1 error\(s\), 0 warning\(s\)$/);
  });

  it('refuses *, alias filters and numbers on a single-instance object, and names after a table', async function () {
    const out = await lintFixture({
      provisions: {
        'star.js': lines(
          "declare('Device.DeviceInfo.*.Foo', { value: 1 });",
          "declare('Device.ManagementServer.[URL:x].URL', { value: 1 });",
          "declare('Device.ManagementServer.1', { value: 1 });",
          "declare('Device.WiFi.SSID.SSID', { value: 1 });",
          "declare('Device.DeviceInfo.SoftwareVersion.Major', { value: 1 });",
        ),
      },
    });
    assert.equal(out.errors, 5, out.text);
    assert.match(out.problems[0], /^star\.js:1:1: .*"\*" needs a multi-instance object, and Device\.DeviceInfo\. is not one/);
    assert.match(out.problems[1], /^star\.js:2:1: .*"\[URL:x\]" needs a multi-instance object/);
    assert.match(out.problems[2], /^star\.js:3:1: .*"1" needs a multi-instance object/);
    assert.match(out.problems[3], /^star\.js:4:1: .*Device\.WiFi\.SSID\. is a multi-instance object: "SSID" must be an instance number/);
    assert.match(out.problems[4], /^star\.js:5:1: .*SoftwareVersion is a parameter: nothing is below it/);
  });

  it('alias filter keys must be parameters of the instance', async function () {
    const out = await lintFixture({
      provisions: {
        'alias.js': lines(
          "declare('Device.WiFi.SSID.[Nme:guest].Enable', null, { value: false });",
          "declare('Device.IP.Interface.[Stats:x].Enable', { value: 1 });",
          "declare('Device.IP.Interface.[Stats.BytesSent:0].Enable', { value: 1 });",
        ),
      },
    });
    assert.deepEqual(out.problems.map((p) => p.split(': ').slice(0, 2).join(': ')), [
      'alias.js:1:1: Device.WiFi.SSID.[Nme:guest].Enable',
      'alias.js:2:1: Device.IP.Interface.[Stats:x].Enable',
    ]);
    assert.match(out.problems[0], /alias filter key "Nme" is not a parameter of Device\.WiFi\.SSID\.\{i\}\..*did you mean "Name"/);
    assert.match(out.problems[1], /alias filter key "Stats" is not a parameter .*names an object/);
  });

  it('checks values against the model type: booleans, integer ranges, string length, dateTime, xsi:type', async function () {
    const out = await lintFixture({
      provisions: {
        'values.js': lines(
          "declare('Device.WiFi.SSID.1.Enable', null, { value: 'yes' });",
          "declare('Device.ManagementServer.PeriodicInformInterval', null, { value: 0 });",
          "declare('Device.ManagementServer.PeriodicInformInterval', null, { value: 1.5 });",
          "declare('Device.ManagementServer.PeriodicInformInterval', null, { value: 300 });",
          "declare('Device.WiFi.Radio.1.Channel', null, { value: 256 });",
          "declare('Device.WiFi.SSID.1.SSID', null, { value: 'x'.repeat(33) });",
          "declare('Device.ManagementServer.PeriodicInformTime', null, { value: 'tomorrow' });",
          "declare('Device.ManagementServer.PeriodicInformInterval', null, { value: [300, 'xsd:int'] });",
          "declare('Device.WiFi.SSID.1', null, { value: 1 });",
          "declare('Device.IP.Interface', { path: 1 }, { instances: 2 });",
          "declare('Device.IP.Interface.1', { path: 1 }, { instances: 1 });",
          "declare('Device.ManagementServer.PeriodicInformTime', null, { value: Date.UTC(2026, 0, 1, 5) });",
        ),
      },
    });
    const byLine = new Map(out.problems.map((p) => [Number(p.split(':')[1]), p]));
    assert.equal(out.errors, 10, out.text);
    assert.match(byLine.get(1) ?? '', /value "yes" does not fit xsd:boolean: not a boolean/);
    assert.match(byLine.get(2) ?? '', /value 0 does not fit xsd:unsignedInt, 1\.\.: outside the allowed range/);
    assert.match(byLine.get(3) ?? '', /value 1\.5 .*not an integer/);
    assert.equal(byLine.get(4), undefined);
    assert.match(byLine.get(5) ?? '', /value 256 does not fit xsd:unsignedInt, 1\.\.255: outside the allowed range/);
    assert.match(byLine.get(6) ?? '', /at most 32 characters: longer than 32 characters/);
    assert.match(byLine.get(7) ?? '', /does not fit xsd:dateTime: not an xsd:dateTime/);
    assert.match(byLine.get(8) ?? '', /declared as xsd:int, but it is xsd:unsignedInt in TR-181 Device:2\.17/);
    assert.match(byLine.get(9) ?? '', /Device\.WiFi\.SSID\.1: names an object, which has no value/);
    assert.match(byLine.get(10) ?? '', /values\.instances needs a path ending at the "\*" or alias filter/);
    assert.match(byLine.get(11) ?? '', /values\.instances needs/);
    assert.equal(byLine.get(12), undefined, 'a number for an xsd:dateTime is epoch ms, as the engine sends it (issue 11)');
  });

  it('declaring the value of a read-only parameter is a warning (exit status 0)', async function () {
    const out = await lintFixture({
      provisions: { 'ro.js': lines("declare('Device.DeviceInfo.UpTime', null, { value: 5 });", "declare('InternetGatewayDevice.DeviceInfo.SerialNumber', null, { value: 'x' });") },
    });
    assert.equal(out.ok, true);
    assert.deepEqual(out.problems, [
      'ro.js:1:1: warning: Device.DeviceInfo.UpTime: read-only in TR-181 Device:2.17: its value cannot be set',
      'ro.js:2:1: warning: InternetGatewayDevice.DeviceInfo.SerialNumber: read-only in TR-098 InternetGatewayDevice:1.14: its value cannot be set',
    ]);
    assert.match(out.lines.at(-1) ?? '', /: 0 error\(s\), 2 warning\(s\)$/);
  });

  it('special roots: unknown roots, tags, virtual parameters, Reboot', async function () {
    const out = await lintFixture({
      provisions: {
        'special.js': lines(
          "declare('device.WiFi.SSID.1.SSID', null, { value: 'x' });",
          "declare('Foo.Bar', { value: 1 });",
          "declare('Tags.ok', null, { value: 'true' });",
          "declare('Tags.a.b', null, { value: true });",
          "declare('VirtualParameters.missing', { value: 1 });",
          "declare('VirtualParameters.present', { value: 1 });",
          "declare('Reboot.Now', null, { value: 1 });",
        ),
      },
      virtualParameters: ['present.js'],
    });
    const byLine = new Map(out.problems.map((p) => [Number(p.split(':')[1]), p]));
    assert.equal(out.errors, 6, out.text);
    assert.match(byLine.get(1) ?? '', /unknown root "device"; did you mean "Device"\?/);
    assert.match(byLine.get(2) ?? '', /unknown root "Foo" \(expected Device, InternetGatewayDevice, Tags/);
    assert.match(byLine.get(3) ?? '', /the value of a tag must be true or false, not "true"/);
    assert.match(byLine.get(4) ?? '', /a tag is Tags\.<name>/);
    assert.match(byLine.get(5) ?? '', /no virtual parameter "missing" \(missing\.js or missing\.ts in /);
    assert.equal(byLine.get(6), undefined);
    assert.match(byLine.get(7) ?? '', /Reboot has nothing below it/);
  });

  it('reports the .ts line of a TypeScript provision', async function () {
    const out = await lintFixture({
      provisions: {
        'typed.ts': lines(
          '/// <reference path="./index.d.ts" />',
          'interface Settings {',
          '  interval: number;',
          '}',
          'const s: Settings = { interval: 60 };',
          '',
          "declare('Device.ManagementServer.PeriodicInformInterval', null, { value: s.interval });",
          'type Later = string;',
          "    declare('Device.ManagementServer.PeriodicInformIntervall' as string, null, { value: s.interval });",
          'export {};',
        ),
      },
    });
    assert.deepEqual(out.problems, [
      'typed.ts:9:5: Device.ManagementServer.PeriodicInformIntervall: Device.ManagementServer. has no "PeriodicInformIntervall" in TR-181 Device:2.17; did you mean "PeriodicInformInterval"?',
    ]);
  });

  it('answers ext() with null and runs on; follows loops over stand-in instances', async function () {
    const out = await lintFixture({
      provisions: {
        'ext.js': lines(
          "const plan = ext('billing', 'plan');",
          "const ssid = (plan && plan.ssid) || 'default';",
          "for (const s of declare('Device.WiFi.SSID.*', { path: 1 })) {",
          "  declare(s.path + '.SSDI', null, { value: ssid });",
          '}',
          "const second = ext('billing', 'other');",
          "declare('Device.WiFi.SSID.1.Enable', null, { value: second === null ? 'no' : true });",
        ),
      },
    });
    assert.deepEqual(out.problems.map((p) => p.split(': ')[0]), ['ext.js:4:3', 'ext.js:7:1']);
    assert.match(out.problems[0], /Device\.WiFi\.SSID\.1\.SSDI: .*did you mean "SSID"/);
  });

  it('runs a provision once per preset call, each with its args; problems are reported once', async function () {
    const out = await lintFixture({
      presets: {
        'a.yaml': 'provisions:\n  - [set, "Device.WiFi.SSID.1.SSID"]\n  - [set, "Device.WiFi.SSID.1.SSIDD"]\n',
        'b.yaml': 'events: ["1 BOOT"]\nprovisions:\n  - [set, "Device.WiFi.SSID.1.SSIDD"]\n  - [set, "Device.Nope"]\n',
      },
      provisions: { 'set.js': "declare(args[0], null, { value: 'x' });\n", 'unused.js': "declare('Device.Unused', { value: 1 });\n" },
    });
    assert.deepEqual(out.problems.map((p) => p.split(': ').slice(0, 2).join(': ')), [
      'set.js:1:1: Device.WiFi.SSID.1.SSIDD',
      'set.js:1:1: Device.Nope',
      'unused.js:1:1: Device.Unused',
    ]);
  });

  it('API misuse is an error; a fault that may come from stand-in data is a warning', async function () {
    const out = await lintFixture({
      provisions: {
        'misuse.js': lines('', "declare('Device..X', { value: 1 });"),
        'fault.js': lines("const v = ext('x');", 'v.name;'),
      },
    });
    assert.equal(out.errors, 1, out.text);
    assert.equal(out.warnings, 1, out.text);
    assert.match(out.problems.find((p) => p.startsWith('misuse.js')) ?? '', /^misuse\.js:2:1: TypeError: declare\(\): empty segment/);
    assert.match(out.problems.find((p) => p.startsWith('fault.js')) ?? '', /^fault\.js:2:\d+: warning: script\.error: TypeError: .*stand-in device/);
  });

  it('without the data model: says once that the check is skipped, still checks other roots', async function () {
    const out = await lintFixture(
      { provisions: { 'a.js': "declare('Device.Nope', { value: 1 });\ndeclare('InternetGatewayDevice.Nope', { value: 1 });\ndeclare('Nope.X', { value: 1 });\n" } },
      { dataModelDirs: [path.join(os.tmpdir(), 'acs-lint-no-such-dir')] },
    );
    assert.equal(out.errors, 1, out.text);
    assert.match(out.problems[0], /unknown root "Nope"/);
    const notes = out.lines.filter((l) => l.startsWith('note: '));
    assert.equal(notes.length, 1);
    assert.match(notes[0], /data-model check skipped for Device\. and InternetGatewayDevice\. paths: tr-181-2-17-0-cwmp-full\.xml, tr-098-1-8-0-full\.xml not found/);
  });

  describe('the model', function () {
    it('is found in ../shared/spec/datamodel; retired paths are a warning', async function () {
      const models = new DataModels(dataModelDirs());
      assert.equal(models.missing(), null);
      const tr181 = models.get('tr181');
      assert.ok(tr181);
      const walk = walkModel(tr181, 'Device.WiFi.MultiAP.APDevice.1.MACAddress');
      assert.ok(walk.ok === true);
      assert.deepEqual([walk.retired?.path, walk.retired?.status], ['Device.WiFi.MultiAP.', 'obsoleted']);
      const out = await lintFixture({ provisions: { 'old.js': "declare('Device.WiFi.MultiAP.APDevice.*.MACAddress', { value: 1 });\n" } });
      assert.equal(out.ok, true);
      assert.match(out.problems[0], /warning: .*Device\.WiFi\.MultiAP\. is obsoleted in TR-181 Device:2\.17/);
    });

    it('reads a document given as text', function () {
      const m = dataModelFromXml(`<dm:document xmlns:dm="urn:broadband-forum-org:cwmp:datamodel-1-14"><model name="Device:2.99">
        <object name="Device." access="readOnly"><parameter name="X" access="readWrite"><syntax><boolean/></syntax></parameter></object>
        <object name="Device.T.{i}." access="readWrite"><parameter name="N" access="readOnly"><syntax><int><range minInclusive="1"/></int><default type="object" value="3"/></syntax></parameter></object>
      </model></dm:document>`, 'tr181');
      assert.equal(m.label, 'TR-181 Device:2.99');
      const walk = walkModel(m, 'Device.T.*.N');
      assert.ok(walk.ok === true && walk.node.kind === 'param');
      assert.equal(walk.concrete, 'Device.T.1.N');
      assert.deepEqual([walk.node.type, walk.node.value, walk.node.access], ['xsd:int', '3', 'readOnly']);
      assert.equal(walk.endsAtInstances, false);
      const t = walkModel(m, 'Device.T.[N:3]');
      assert.ok(t.ok === true && t.endsAtInstances);
      assert.deepEqual(walkModel(m, 'Device.T.1.X_ACME_Extra.Y'), { ok: 'vendor', at: 'Device.T.1.X_ACME_Extra' });
    });
  });
});
