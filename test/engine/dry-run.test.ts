import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { openStore } from '../../src/db';
import { deviceKeyOf } from '../../src/model/device-key';
import { dryRun, DryRunInputError, type DryRunOptions, type DryRunResult } from '../../src/engine/dry-run';

const ROOT = path.resolve(__dirname, '../..');
const XX230V = path.resolve(ROOT, '../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const run = promisify(execFile);

const PRESETS: Record<string, string> = {
  'wifi.yaml': 'events: ["0 BOOTSTRAP"]\nchannel: wifi\nprovisions:\n  - [wifi, 600]\n',
  'interval.yaml': 'precondition: Tags.lab = true\nprovisions:\n  - [interval, 900]\n',
  'bootstrapped.yaml': 'precondition: LastBootstrap IS NOT NULL AND Registered < NOW() - 30s\nprovisions:\n  - [interval, 900]\n',
  'model.yaml': 'precondition: Device.DeviceInfo.ModelName = "XX230v"\nprovisions:\n  - [interval, 300]\n',
  'bad-value.yaml': 'channel: broken\nprovisions:\n  - bad-value\n',
  'refused-value.yaml': 'channel: broken\nprovisions:\n  - refused-value\n',
};

const PROVISIONS: Record<string, string> = {
  'wifi.js': `
const now = Date.now();
declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: args[0] });
const ssids = declare('Device.WiFi.SSID.*.SSID', { path: now, value: now });
declare('Device.NAT.PortMapping.[Alias:dry-run]', { path: now }, { instances: 1 });
// Read last: reading commits what is pending, so a read in the middle would send the write first.
log('ssids: ' + ssids.size);
`,
  'interval.js': `
declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: args[0] });
declare('Tags.provisioned', null, { value: true });
`,
  'bad-value.js': `declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: 'soon' });\n`,
  'refused-value.js': `declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: 1800 });\n`,
};

type Method = CpeRequest['method'];

function methods(r: DryRunResult): Method[][] {
  return r.rounds.map((round) => round.rpcs.map((x) => x.request.method));
}

function request<M extends Method>(r: DryRunResult, round: number, i: number, method: M): Extract<CpeRequest, { method: M }> {
  const req = r.rounds[round]?.rpcs[i]?.request;
  assert.equal(req?.method, method, JSON.stringify(methods(r)));
  return req as Extract<CpeRequest, { method: M }>;
}

describe('acs provision (dry run)', function () {
  this.timeout(60_000);
  let dir: string;
  let presets: string;
  let provisions: string;
  const options = (device: string, preset: string, more: Partial<DryRunOptions> = {}): DryRunOptions => ({
    device,
    preset,
    presetsDir: presets,
    provisionsDir: provisions,
    extDir: path.join(dir, 'extensions'),
    ...more,
  });

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-dry-run-'));
    presets = path.join(dir, 'presets');
    provisions = path.join(dir, 'provisions');
    for (const d of [presets, provisions]) mkdirSync(d);
    for (const [name, text] of Object.entries(PRESETS)) writeFileSync(path.join(presets, name), text);
    for (const [name, text] of Object.entries(PROVISIONS)) writeFileSync(path.join(provisions, name), text);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('logic', function () {
    it('plans a new XX230v round by round: reads first, then AddObject with its alias keys and the write', async () => {
      const r = await dryRun(options(XX230V, 'wifi'));
      assert.deepEqual(r.events, ['0 BOOTSTRAP'], "the preset's own events by default");
      assert.equal(r.device.cache, 'empty');
      assert.equal(r.device.deviceKey, '1C61B4-Device2-22275A7000395');
      assert.equal(r.applied, true);
      assert.deepEqual(r.faults, []);
      assert.equal(r.completed, true);
      const plan = JSON.stringify(methods(r));

      // The discovery strategy is the planner's; what must hold is the order: reads, then one round of writes.
      const writeRound = r.rounds.findIndex((round) => round.rpcs.some((x) => !x.request.method.startsWith('Get')));
      assert.ok(writeRound >= 1, plan);
      for (const round of methods(r).slice(0, writeRound)) for (const m of round) assert.match(m, /^GetParameter(Names|Values)$/, plan);
      assert.ok(methods(r)[0].includes('GetParameterNames'), `a new device is discovered first: ${plan}`);

      // Read before the writes: the interval and every SSID, with their values.
      const read = r.rounds.slice(0, writeRound).flatMap((round) => round.rpcs).flatMap((x) => (x.response.method === 'GetParameterValuesResponse' ? x.response.ParameterList : []));
      assert.deepEqual(read.find((p) => p.Name === 'Device.ManagementServer.PeriodicInformInterval'), { Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '60', type: 'xsd:unsignedInt' });
      const ssids = read.filter((p) => /^Device\.WiFi\.SSID\.\d+\.SSID$/.test(p.Name));
      assert.equal(ssids.length, 14, `every SSID read: ${plan}`);
      assert.ok(ssids.some((p) => p.Value === 'TP-Link_2AC8'));
      assert.deepEqual(r.logs, { 'wifi/wifi': ['ssids: 14'] });

      // The write round: the instance, its alias key right after it (before anything else), then the value.
      assert.deepEqual(methods(r)[writeRound], ['AddObject', 'SetParameterValues', 'SetParameterValues'], plan);
      assert.equal(request(r, writeRound, 0, 'AddObject').ObjectName, 'Device.NAT.PortMapping.');
      const added = r.rounds[writeRound].rpcs[0].response;
      assert.equal(added.method, 'AddObjectResponse');
      const instance = added.method === 'AddObjectResponse' ? added.InstanceNumber : 0;
      assert.equal(r.rounds[writeRound].rpcs[1].keys, true);
      assert.equal(r.rounds[writeRound].rpcs[2].keys, undefined);
      assert.deepEqual(request(r, writeRound, 1, 'SetParameterValues').ParameterList, [{ Name: `Device.NAT.PortMapping.${instance}.Alias`, Value: 'dry-run', type: 'xsd:string' }]);
      assert.deepEqual(request(r, writeRound, 2, 'SetParameterValues').ParameterList, [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '600', type: 'xsd:unsignedInt' }]);
      for (const x of r.rounds[writeRound].rpcs) assert.notEqual(x.response.method, 'Fault');

      // Anything after that only reads (the new instance); nothing is written twice.
      for (const round of methods(r).slice(writeRound + 1)) for (const m of round) assert.match(m, /^Get/, plan);
    });

    it('starts from the whole model with cached: a value it may take as known is written at once', async () => {
      const r = await dryRun(options(XX230V, 'model', { cached: true }));
      assert.equal(r.device.cache, 'model');
      assert.ok(r.device.cachedRows > 6000);
      assert.deepEqual(r.events, ['1 BOOT'], '"1 BOOT" for a preset that names no event');
      assert.deepEqual(methods(r), [['SetParameterValues']]);
      assert.deepEqual(r.tags, { add: ['provisioned'], remove: [] });
    });

    it('says why a preset does not apply (a new device\'s cache holds only its Inform)', async () => {
      const r = await dryRun(options(XX230V, 'model'));
      assert.equal(r.applied, false);
      assert.equal(r.completed, true);
      assert.deepEqual(r.rounds, []);
      assert.match(r.reason ?? '', /precondition is false: .*Device\.DeviceInfo\.ModelName = NULL/);
    });

    it('records what the simulated CPE refuses as the channel\'s fault', async () => {
      // A CPE that refuses every write (fault injection): the value itself is one the type takes.
      const r = await dryRun(options(XX230V, 'refused-value', { rpcOptions: { verboseFaults: true, refuseSetParameterValues: 9007 } }));
      assert.equal(r.completed, false);
      const last = r.rounds.at(-1)?.rpcs.at(-1);
      assert.equal(last?.response.method, 'Fault');
      assert.equal(r.faults.length, 1);
      assert.equal(r.faults[0].channel, 'broken');
      assert.match(r.faults[0].code, /^cwmp\.900\d$/);
    });

    it('runs against a JSON snapshot of its own format: its tags, its values, its simulated device', async () => {
      const file = path.join(dir, 'snapshot.json');
      writeFileSync(
        file,
        JSON.stringify({
          deviceId: { Manufacturer: 'Acme', OUI: '00D09E', ProductClass: 'HG8245', SerialNumber: 'SN1' },
          tags: ['lab'],
          parameters: [
            { path: 'Device.DeviceInfo.SoftwareVersion', value: '1.0', type: 'xsd:string', writable: false },
            { path: 'Device.ManagementServer.PeriodicInformInterval', value: 60, type: 'xsd:unsignedInt', writable: true },
            { path: 'Device.ManagementServer.ParameterKey', value: '', type: 'xsd:string', writable: false },
          ],
        }),
      );
      const untimed = await dryRun(options(file, 'bootstrapped'));
      assert.equal(untimed.applied, false, 'a snapshot without times: never bootstrapped, registered by this Inform');
      assert.match(untimed.reason ?? '', /LastBootstrap = NULL/);
      const r = await dryRun(options(file, 'interval'));
      assert.equal(r.device.source, 'snapshot');
      assert.equal(r.device.deviceKey, '00D09E-HG8245-SN1');
      assert.equal(r.applied, true, r.reason);
      assert.deepEqual(methods(r), [['SetParameterValues']]);
      assert.deepEqual(request(r, 0, 0, 'SetParameterValues').ParameterList, [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '900', type: 'xsd:unsignedInt' }]);
      assert.equal(r.completed, true);
    });

    it('runs against what GET /devices/:id returns (a stored device, SQLite)', async () => {
      const store = await openStore(`sqlite:${path.join(dir, 'store.sqlite')}`);
      const deviceId = { Manufacturer: 'Acme', OUI: '00D09E', ProductClass: 'HG8245', SerialNumber: 'NBI1' };
      const deviceKey = deviceKeyOf(deviceId);
      const time = Date.now() - 60_000;
      try {
        await store.migrate();
        const params = [
          { Name: 'Device.DeviceInfo.SoftwareVersion', Value: '1.0', type: 'xsd:string' as const },
          { Name: 'Device.ManagementServer.ParameterKey', Value: '', type: 'xsd:string' as const },
        ];
        await store.commitSession({
          sessionId: 's1',
          deviceKey,
          inform: { deviceId, events: [{ EventCode: '0 BOOTSTRAP', CommandKey: '' }], retryCount: 0, currentTime: new Date(time).toISOString(), parameters: params, remoteAddress: '192.0.2.1', cwmpVersion: '1.4', time },
          ops: [
            { op: 'names', path: 'Device.ManagementServer.', nextLevel: true, time, parameters: [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Writable: true }, { Name: 'Device.ManagementServer.ParameterKey', Writable: false }] },
            { op: 'values', time, parameters: [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '60', type: 'xsd:unsignedInt' }] },
          ],
          tasks: [],
          faults: [],
          history: [],
          tags: { add: ['lab'], remove: [] },
          channelFaults: { set: [{ channel: 'default', code: 'script.error', message: 'boom', retries: 2, firstTime: time, time, nextRetry: Date.now() + 3_600_000 }], cleared: [] },
        });
        const detail = await store.getDevice(deviceKey);
        assert.ok(detail);
        const file = path.join(dir, 'nbi-device.json');
        writeFileSync(file, JSON.stringify(detail, null, 2)); // as the REST API serializes it
        const r = await dryRun(options(file, 'interval'));
        assert.equal(r.device.source, 'nbi');
        assert.equal(r.device.deviceKey, deviceKey);
        assert.equal(r.applied, true, r.reason);
        assert.deepEqual(methods(r), [['SetParameterValues']], 'known value and writability: nothing to read');
        assert.ok(r.notes.some((n) => /stored channel faults not applied \(default\)/.test(n)), r.notes.join('\n'));
        const times = await dryRun(options(file, 'bootstrapped'));
        assert.equal(times.applied, true, `the stored device's first Inform and bootstrap are known: ${times.reason}`);
      } finally {
        await store.close();
      }
    });

    it('refuses bad input with the file and line', async () => {
      const bad = path.join(dir, 'bad.json');
      writeFileSync(bad, '{\n  "parameters": [\n    { "path": "Device.X", }\n  ]\n}\n');
      await assert.rejects(dryRun(options(bad, 'interval')), (e: unknown) => e instanceof DryRunInputError && /bad\.json:3:\d+: not valid JSON/.test(e.message));
      const outside = path.join(dir, 'outside.json');
      writeFileSync(outside, '{\n  "parameters": [\n    { "path": "Device.A.B", "value": "1" },\n    { "path": "Foo.Bar" }\n  ]\n}\n');
      await assert.rejects(dryRun(options(outside, 'interval')), (e: unknown) => e instanceof DryRunInputError && /outside\.json:4: parameters\[1\]\.path: "Foo\.Bar" is not under Device\./.test(e.message));
      await assert.rejects(dryRun(options(XX230V, 'nope')), (e: unknown) => e instanceof DryRunInputError && /unknown preset "nope" \(presets here: .*wifi/.test(e.message));
    });
  });

  describe('command line (node bin/acs.js provision, from dist/)', function () {
    before(async function () {
      this.timeout(120_000);
      // The CLI runs the compiled code: build it if dist/ is older than these sources.
      const built = path.join(ROOT, 'dist/engine/dry-run-cli.js');
      const sources = readdirSync(path.join(ROOT, 'src/engine')).filter((f) => f.startsWith('dry-run')).map((f) => path.join(ROOT, 'src/engine', f));
      if (!existsSync(built) || sources.some((s) => statSync(s).mtimeMs > statSync(built).mtimeMs)) {
        // tsc emits even when some file of the tree does not type-check; only a missing output is fatal here.
        await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT }).catch((err: unknown) => {
          if (!existsSync(built)) throw err;
        });
      }
    });

    async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      try {
        const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin/acs.js'), 'provision', ...args], {
          cwd: dir,
          env: { ...process.env, PRESETS_DIR: presets, PROVISIONS_DIR: provisions, EXT_DIR: path.join(dir, 'extensions') },
        });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        if (typeof e.code !== 'number') throw err;
        return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    }

    it('prints the plan and exits 0 when provisioning completed', async () => {
      const { code, stdout, stderr } = await cli('--device', XX230V, '--preset', 'wifi');
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^preset wifi \(channel wifi\) on 1C61B4-Device2-22275A7000395, events: 0 BOOTSTRAP$/m);
      assert.match(stdout, /^round 1$/m);
      assert.match(stdout, /^round 1\n {2}→ GetParameterNames Device\.\S+ NextLevel=(true|false)\n {4}← \d+ names? \(\d+ objects?\)$/m);
      assert.match(stdout, /→ AddObject Device\.NAT\.PortMapping\. ParameterKey=\S+\n\s+← instance \d+/);
      assert.match(stdout, /→ SetParameterValues \(alias keys of the new instance\)/);
      assert.match(stdout, /Device\.ManagementServer\.PeriodicInformInterval = "600" \(xsd:unsignedInt\)/);
      assert.match(stdout, /wifi\/wifi: ssids: 14/);
      assert.match(stdout, /^completed: \d+ rounds, \d+ RPCs$/m);
    });

    it('--json gives the whole result', async () => {
      const { code, stdout } = await cli('--device', XX230V, '--preset', 'model', '--cached', '--json');
      assert.equal(code, 0);
      const r = JSON.parse(stdout) as DryRunResult;
      assert.equal(r.completed, true);
      assert.deepEqual(methods(r), [['SetParameterValues']]);
    });

    it('exits 1 on a channel fault, naming it', async () => {
      const { code, stdout } = await cli('--device', XX230V, '--preset', 'bad-value', '--event', '2 PERIODIC');
      assert.equal(code, 1, stdout);
      // A value its parameter's type cannot take is refused before it is sent (issue 11 §1).
      assert.doesNotMatch(stdout, /SetParameterValues/);
      assert.match(stdout, /^channel faults\n {2}broken: engine\.value: Device\.ManagementServer\.PeriodicInformInterval: "soon" is not a valid xsd:unsignedInt$/m);
      assert.match(stdout, /^faulted: /m);
    });

    it('exits 2 on bad input with a file:line message', async () => {
      const missing = await cli('--device', path.join(dir, 'nope.csv'), '--preset', 'wifi');
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /nope\.csv: no such file/);

      const unknown = await cli('--device', XX230V, '--preset', 'nope');
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /presets: unknown preset "nope"/);

      writeFileSync(path.join(dir, 'bad.csv'), 'a,b\n1,2\n');
      const csv = await cli('--device', 'bad.csv', '--preset', 'wifi');
      assert.equal(csv.code, 2);
      assert.match(csv.stderr, /^bad\.csv:1: not a usable CSV dump: no "Parameter" column$/m);

      writeFileSync(path.join(dir, 'broken.json'), '{\n  "parameters": [\n    { "path": "Device.X" ]\n}\n');
      const json = await cli('--device', 'broken.json', '--preset', 'wifi');
      assert.equal(json.code, 2);
      assert.match(json.stderr, /^broken\.json:3:\d+: not valid JSON/m);

      writeFileSync(path.join(presets, 'typo.yaml'), 'events: ["0 BOOTSTRAP"]\nprovisions:\n  - [wfii]\n');
      const preset = await cli('--device', XX230V, '--preset', 'typo');
      rmSync(path.join(presets, 'typo.yaml'));
      assert.equal(preset.code, 2);
      assert.match(preset.stderr, /typo\.yaml:3:\d+: unknown provision 'wfii'/);

      const usage = await cli('--device', XX230V);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--preset NAME is required/);

      const event = await cli('--device', XX230V, '--preset', 'wifi', '--event', 'BOOT');
      assert.equal(event.code, 2);
      assert.match(event.stderr, /did you mean '1 BOOT'/);
    });
  });
});
