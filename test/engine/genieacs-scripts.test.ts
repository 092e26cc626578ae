/**
 * GenieACS-style scripts run unchanged (issue 11 §1, the sandbox's part),
 * played against the real sample devices (TR-098 Huawei EG8145V5, TR-181
 * TP-Link XX230v) with the RPCs asserted: reading a declare() result commits
 * implicitly, GenieACS-style callback extensions, Date.now(interval) and
 * Date.now(cron) windows (a read at most once per window over several
 * sessions), a script's own `let args`, virtual parameters read by a
 * provision (computed before the read goes on), calling ext() and seeing
 * their earlier value in args[2..3]. Dry runs (acs provision's engine) for
 * most; the virtual parameters again over the whole server (MariaDB, Redis,
 * engine, simulated CPEs). Also: a session stored before `refused` existed
 * takes a 9005, and the planner's root listing stamp is no device data.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SessionState } from '../../src/cwmp/session/state';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { dryRun, type DryRunOptions, type DryRunSession } from '../../src/engine/dry-run';
import { loadDryRunDevice } from '../../src/engine/dry-run-device';
import { ExtensionHost } from '../../src/engine/ext';
import { MemoryTable } from '../../src/engine/memory-table';
import { ScriptLibrary } from '../../src/engine/script-library';
import { step } from '../../src/engine/step';
import { newProvisionState } from '../../src/engine/types';
import { createLogger } from '../../src/log';
import { deviceKeyOf } from '../../src/model/device-key';
import { ROOT_LISTING } from '../../src/model/root-listing';
import type { Preset } from '../../src/presets/types';
import { SandboxPool } from '../../src/sandbox';
import { windowStart } from '../../src/sandbox/date-window';
import { informParameters } from '../../src/sim/cpe';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { freePort } from '../helpers/private-services';
import { requestsOf } from '../helpers/sim-sessions';

const SAMPLES = path.resolve(__dirname, '../../../shared/samples/device-models');
const DEVICES = [
  { label: 'TR-098', file: path.join(SAMPLES, 'device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv'), root: 'InternetGatewayDevice', model: 'EG8145V5' },
  { label: 'TR-181', file: path.join(SAMPLES, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv'), root: 'Device', model: 'XX230v' },
] as const;
const HOUR = 3_600_000;
const MINUTE = 60_000;

const PROVISIONS: Record<string, string> = {
  // Which root the device has, then one read of what the extension needs, then the writes it answers.
  'plan-interval': `
const hour = Date.now(3600000);
const root = ['Device', 'InternetGatewayDevice'].find((r) => declare(r + '.DeviceInfo.SoftwareVersion', {value: 1}).size);
const model = declare(root + '.DeviceInfo.ModelName', {value: hour});
const interval = declare(root + '.ManagementServer.PeriodicInformInterval', {value: hour});
declare(root + '.ManagementServer.PeriodicInformTime', {value: hour});
const serial = declare('DeviceID.SerialNumber', {value: 1}).value[0];
const plan = ext('acme-plans', 'lookup', serial, model.value[0], 7);
log('plan ' + plan.seen + ', interval ' + interval.value[0]);
declare(root + '.ManagementServer.PeriodicInformInterval', null, {value: plan.interval});
declare(root + '.ManagementServer.PeriodicInformTime', null, {value: Date.UTC(2026, 0, 1, 3)});
`,
  // GenieACS runs a script as a function body with args in scope: a script may declare its own.
  'own-args': `
let args = ['ProvisioningCode', 'own-args'];
const root = declare('Device.DeviceInfo.SoftwareVersion', {value: 1}).size ? 'Device' : 'InternetGatewayDevice';
declare(root + '.DeviceInfo.' + args[0], {value: 1}, {value: args[1]});
`,
  hourly: `
for (const root of ['Device', 'InternetGatewayDevice']) declare(root + '.DeviceInfo.ModelName', {value: Date.now(3600000)});
`,
  nightly: `
for (const root of ['Device', 'InternetGatewayDevice']) declare(root + '.DeviceInfo.ModelName', {value: Date.now('0 0 * * *')});
`,
  // As GenieACS's docs write a provision that reads a virtual parameter: no commit(), the read waits for the value.
  'vp-read': `
const v = declare('VirtualParameters.modelTag', {value: Date.now()});
if (v.value[0].startsWith('${DEVICES[0].model}') || v.value[0].startsWith('${DEVICES[1].model}')) log('vp ' + v.value[0]);
else log('unexpected ' + v.value[0]);
`,
  // Writes the virtual parameter's value where the device keeps it (a server test reads it back).
  'vp-code': `
const v = declare('VirtualParameters.modelTag', {value: Date.now()});
const root = declare('Device.DeviceInfo.SoftwareVersion', {value: 1}).size ? 'Device' : 'InternetGatewayDevice';
declare(root + '.DeviceInfo.ProvisioningCode', {value: 1}, {value: v.value[0]});
`,
};

/**
 * Reads the model under both roots, asks a GenieACS-style extension, and
 * shows what args[2..3] held: the value an earlier computation of this
 * session gave, as fresh as the session (its first word only, so the value
 * settles at the second computation).
 */
const MODEL_TAG = `
const now = Date.now();
const d = declare('Device.DeviceInfo.ModelName', {value: now});
const i = declare('InternetGatewayDevice.DeviceInfo.ModelName', {value: now});
const model = d.size ? d.value[0] : i.value[0];
const plan = ext('acme-plans', 'lookup', model, 'x');
const was = args[3].value ? ' was ' + String(args[3].value[0]).split(' ')[0] + (args[2].value === now ? '@now' : '@' + args[2].value) : '';
return {writable: false, value: [model + ':' + plan.interval + was, 'xsd:string']};
`;

/** A GenieACS-style extension: (args, callback), its arguments strings, answering later. */
const EXTENSION = `
exports.lookup = function (args, callback) {
  setTimeout(() => callback(null, { interval: 600 + args[1].length, seen: args.map((a) => typeof a + ':' + a).join('|') }), 5);
};
`;

const requests = (s: DryRunSession): CpeRequest[] => s.rounds.flatMap((r) => r.rpcs.map((x) => x.request));
const reads = (s: DryRunSession): string[] => requests(s).flatMap((q) => (q.method === 'GetParameterValues' ? q.ParameterNames : []));
/** Requests without the ParameterKey (a hash of the configuration, asserted elsewhere). */
const plain = (s: DryRunSession): unknown[] => requests(s).map((q) => (q.method === 'SetParameterValues' ? { method: q.method, ParameterList: q.ParameterList } : q));

function writeTree(dir: string, files: Record<string, Record<string, string>>): void {
  for (const [folder, entries] of Object.entries(files)) {
    mkdirSync(path.join(dir, folder), { recursive: true });
    for (const [name, text] of Object.entries(entries)) writeFileSync(path.join(dir, folder, name), text);
  }
}

const presetsOf = (names: string[]): Record<string, string> => Object.fromEntries(names.map((n) => [`${n}.yaml`, `channel: ${n}\nprovisions:\n  - ${n}\n`]));

describe('GenieACS-style scripts: the sandbox semantics on the sample devices (issue 11 §1)', function () {
  this.timeout(180_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-genieacs-sandbox-'));
    writeTree(dir, {
      presets: presetsOf(Object.keys(PROVISIONS)),
      provisions: Object.fromEntries(Object.entries(PROVISIONS).map(([n, s]) => [`${n}.js`, s])),
      extensions: { 'acme-plans.js': EXTENSION },
      'virtual-parameters': { 'modelTag.js': MODEL_TAG },
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (device: string, preset: string, more: Partial<DryRunOptions> = {}) =>
    dryRun({
      // Generous script time: the machine may be busy (a timeout here is load, not the script).
      device, preset, events: ['2 PERIODIC'], scriptTimeoutMs: 2000,
      presetsDir: path.join(dir, 'presets'), provisionsDir: path.join(dir, 'provisions'),
      extDir: path.join(dir, 'extensions'), virtualParametersDir: path.join(dir, 'virtual-parameters'),
      ...more,
    });

  describe('dry runs', function () {
    for (const d of DEVICES) {
      it(`${d.label}: implicit commit, a callback extension and Date.now(interval) give one read, then the writes (dateTime from a number)`, async () => {
        const r = await run(d.file, 'plan-interval');
        assert.deepEqual(r.faults, []);
        const ms = `${d.root}.ManagementServer.`;
        assert.deepEqual(plain(r), [
          // TR-098: the Device. root is not in the cache: the top level is listed once, and Device. is known absent.
          ...(d.root === 'InternetGatewayDevice' ? [{ method: 'GetParameterNames', ParameterPath: '', NextLevel: true }] : []),
          { method: 'GetParameterValues', ParameterNames: [`${d.root}.DeviceInfo.ModelName`, `${ms}PeriodicInformInterval`, `${ms}PeriodicInformTime`] },
          {
            method: 'SetParameterValues',
            ParameterList: [
              { Name: `${ms}PeriodicInformInterval`, Value: String(600 + d.model.length), type: 'xsd:unsignedInt' },
              { Name: `${ms}PeriodicInformTime`, Value: '2026-01-01T03:00:00.000Z', type: 'xsd:dateTime' },
            ],
          },
        ]);
        // The extension got strings (GenieACS's), the number 7 included; the last replay saw the device as written.
        const serial = loadDryRunDevice(d.file).deviceId.SerialNumber;
        assert.deepEqual(r.logs['plan-interval/plan-interval'], [`plan string:${serial}|string:${d.model}|string:7, interval ${600 + d.model.length}`]);
      });
    }

    it('a script may declare its own `let args` (args is a global, as in GenieACS), on both models', async () => {
      for (const d of DEVICES) {
        const r = await run(d.file, 'own-args', { events: ['2 PERIODIC'] });
        assert.deepEqual(r.faults, [], d.label);
        const sets = requests(r).flatMap((q) => (q.method === 'SetParameterValues' ? q.ParameterList : []));
        assert.deepEqual(sets, [{ Name: `${d.root}.DeviceInfo.ProvisioningCode`, Value: 'own-args', type: 'xsd:string' }], d.label);
      }
    });

    it('Date.now(3600000): the read happens again only in a new window of the device (sessions 40 minutes apart)', async () => {
      for (const d of DEVICES) {
        const key = loadDryRunDevice(d.file).deviceKey;
        const start = windowStart(Date.parse('2026-12-01T10:00:00Z'), key, { every: HOUR, variance: null });
        assert.equal(typeof start, 'number');
        // 5 and 45 minutes into one window of this device, then 25 minutes into the next.
        const r = await run(d.file, 'hourly', { sessions: 3, intervalMs: 40 * MINUTE, startTime: (start as number) + 5 * MINUTE });
        const model = `${d.root}.DeviceInfo.ModelName`;
        assert.deepEqual([r, ...r.later].map(reads), [[model], [], [model]], d.label);
        assert.deepEqual(r.faults, []);
      }
    });

    it("Date.now('0 0 * * *'): read once a day, again only when the cached value is older than last midnight", async () => {
      for (const d of DEVICES) {
        const r = await run(d.file, 'nightly', { sessions: 4, intervalMs: 90 * MINUTE, startTime: Date.parse('2026-12-01T22:00:00Z') });
        const sessions = [r, ...r.later];
        assert.deepEqual(sessions.map((s) => s.time), ['2026-12-01T22:00:00.000Z', '2026-12-01T23:30:00.000Z', '2026-12-02T01:00:00.000Z', '2026-12-02T02:30:00.000Z']);
        const model = `${d.root}.DeviceInfo.ModelName`;
        assert.deepEqual(sessions.map(reads), [[model], [], [model], []], d.label);
      }
    });

    it('a provision reads a virtual parameter as GenieACS runs it: the value is computed (its script fetching the real parameter, calling ext()) before the read goes on', async () => {
      for (const d of DEVICES) {
        const r = await run(d.file, 'vp-read');
        assert.deepEqual(r.faults, [], d.label);
        assert.deepEqual(reads(r), [`${d.root}.DeviceInfo.ModelName`], d.label);
        // ext('acme-plans', 'lookup', model, 'x') answered 601 inside the virtual parameter; args[3] held the earlier value.
        assert.deepEqual(r.logs['vp-read/vp-read'], [`vp ${d.model}:601 was ${d.model}:601@now`], d.label);
      }
      const none = await run(DEVICES[1].file, 'vp-read', { virtualParametersDir: path.join(dir, 'none') });
      assert.deepEqual(none.faults.map((f) => [f.code, f.message]), [['script.missing', 'virtual parameter "modelTag" has no script']]);
      assert.deepEqual(requests(none), []);
    });

    it('a virtual parameter whose extension fails faults the channel that read it, naming the call', async () => {
      const broken = mkdtempSync(path.join(tmpdir(), 'acs-genieacs-ext-'));
      try {
        writeFileSync(path.join(broken, 'acme-plans.js'), 'exports.lookup = (args, callback) => callback(new Error("no plan for " + args[0]));\n');
        const r = await run(DEVICES[1].file, 'vp-read', { extDir: broken });
        assert.deepEqual(r.faults.map((f) => [f.code, f.preset, f.script]), [['ext.error', 'virtual:modelTag', 'modelTag']]);
        assert.match(r.faults[0].message, /ext\("acme-plans"\): .*no plan for XX230v/);
      } finally {
        rmSync(broken, { recursive: true, force: true });
      }
    });
  });

  describe('a session stored before this deploy (no `refused` in its engine state)', function () {
    it('takes a 9005: the object above is listed and the refused path remembered, no crash', async () => {
      const pool = new SandboxPool({ size: 1, timeoutMs: 2000 });
      const ext = new ExtensionHost({ dir: path.join(dir, 'extensions'), timeoutMs: 2000 });
      try {
        const scripts = new ScriptLibrary(path.join(dir, 'provisions'), { pollMs: 0 });
        await scripts.refresh(true);
        const preset: Preset = { name: 'hourly', file: '', events: { all: [], none: [] }, precondition: null, preconditionSource: null, weight: 0, channel: 'hourly', provisions: [{ name: 'hourly', args: [] }] };
        const deps = { pool, scripts, ext, presets: { list: () => [preset], get: () => preset }, limits: { maxRpcs: 64, maxSteps: 32 }, log: createLogger('silent') };
        const state = oldSession(DEVICES[1].file);
        const table = new MemoryTable();
        await table.applyInform(state.inform);
        const out = await step(deps, state, { table, stored: { channelFaults: [], tags: [] } });
        assert.deepEqual(out.requests.map((q) => q.request), [{ method: 'GetParameterNames', ParameterPath: 'Device.DeviceInfo.', NextLevel: true }]);
        assert.deepEqual(out.provision.refused, ['Device.DeviceInfo.X_Gone']);
        assert.deepEqual(out.provision.faults, []);
      } finally {
        await ext.close();
        await pool.close();
      }
    });
  });
});

/** A session as a worker reads it back from Redis after a deploy: JSON, with no `refused`, and a refused GetParameterValues to take. */
function oldSession(file: string): SessionState {
  const device = loadDryRunDevice(file);
  const now = Date.now();
  const inform = {
    deviceId: device.deviceId, events: [{ EventCode: '2 PERIODIC', CommandKey: '' }], retryCount: 0, currentTime: new Date(now).toISOString(),
    parameters: informParameters(device.model), remoteAddress: '127.0.0.1', cwmpVersion: '1.4', time: now,
  };
  const { refused: _dropped, ...provision } = { ...newProvisionState(), presets: ['hourly'], steps: 1, rpcs: 1 };
  const outcome = { method: 'GetParameterValues', channels: ['hourly'], paths: ['Device.DeviceInfo.X_Gone'], fault: { code: 9005, message: 'Invalid parameter name' } };
  const state = {
    id: 'old-session-00000000', deviceKey: device.deviceKey, namespace: 'urn:dslforum-org:cwmp-1-4', cwmpVersion: '1.4', remoteAddress: '127.0.0.1',
    phase: 'acs-requests', startedAt: now, inform, queue: [], loadedIds: [], inFlight: null, holdRequests: false, sent: 1, logged: 0, informHash: '',
    facts: { version: '', credentials: null, knownHash: null }, carried: [], events: ['2 PERIODIC'], model: 'stored',
    provision: { ...provision, outcomes: [outcome] },
  };
  return JSON.parse(JSON.stringify(state)) as SessionState;
}

describe('GenieACS-style virtual parameters over the whole server (issue 11 §1; simulator, MariaDB, Redis, engine)', function () {
  this.timeout(180_000);
  let t: TestAcs;
  let dir: string;
  let genieacs: string;
  const fleets: Fleet[] = [];
  const reports: string[] = [];
  const played = new Map<string, { key: string; sessions: CpeRequest[][] }>();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-genieacs-vp-'));
    writeTree(dir, {
      presets: presetsOf(['vp-code']),
      provisions: { 'vp-code.js': PROVISIONS['vp-code'] },
      extensions: { 'acme-plans.js': EXTENSION },
      'virtual-parameters': { 'modelTag.js': MODEL_TAG },
    });
    const port = await freePort();
    genieacs = `http://127.0.0.1:${port}`;
    t = await startTestAcs('genieacs_vp_scripts', {
      sessionTimeoutMs: 5000, genieacsNbiPort: port, scriptTimeoutMs: 2000,
      presetsDir: path.join(dir, 'presets'), provisionsDir: path.join(dir, 'provisions'),
      extDir: path.join(dir, 'extensions'), virtualParametersDir: path.join(dir, 'virtual-parameters'),
    });
    for (const d of DEVICES) {
      const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(d.file), devices: 1, serialBase: `GVP${d.label.slice(3)}-`, concurrency: 1, report: (k, m) => reports.push(`${k}: ${m}`) });
      fleets.push(fleet);
      const device = fleet.devices[0];
      const sessions = requestsOf(device);
      await fleet.connectAll();
      fleet.connect(device, '2 PERIODIC');
      await fleet.idle();
      assert.equal(fleet.stats.violations + fleet.stats.failed + fleet.stats.refused, 0, reports.join('\n'));
      played.set(d.label, { key: deviceKeyOf(device.deviceId()), sessions });
    }
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const d of DEVICES) {
    it(`${d.label}: the virtual parameter's read makes the engine fetch the real parameter, in every session ({value: Date.now()})`, async () => {
      const { key, sessions } = played.get(d.label)!;
      assert.equal(sessions.length, 2);
      const model = `${d.root}.DeviceInfo.ModelName`;
      for (const s of sessions) assert.ok(s.some((q) => q.method === 'GetParameterValues' && q.ParameterNames.includes(model)), JSON.stringify(s));
      // Only the first session writes; nothing was asked under the other root.
      const other = d.root === 'Device' ? 'InternetGatewayDevice.' : 'Device.';
      const asked = sessions.flat().flatMap((q) => (q.method === 'GetParameterValues' ? q.ParameterNames : q.method === 'GetParameterNames' ? [q.ParameterPath] : []));
      assert.ok(!asked.some((n) => n.startsWith(other)), asked.join());
      assert.deepEqual(sessions.map((s) => s.filter((q) => q.method === 'SetParameterValues').length), [1, 0]);
      assert.deepEqual(await t.acs.store.getChannelFaults(key), []);
    });

    it(`${d.label}: args[2..3] hold the value computed earlier in the session, as fresh as the session`, async () => {
      const { key } = played.get(d.label)!;
      const [code] = await t.acs.store.getParameters(key, `${d.root}.DeviceInfo.ProvisioningCode`);
      assert.equal(code?.value, `${d.model}:601 was ${d.model}:601@now`);
    });
  }

  it("the planner's root listing stamp is stored but shown in no device view (GET /devices/:id, GenieACS's documents, projections)", async () => {
    const { key } = played.get('TR-181')!;
    assert.equal((await t.acs.store.getParameters(key, ROOT_LISTING)).filter((r) => r.path === ROOT_LISTING).length, 1, 'the stamp is stored');

    const one = await t.nbi(`/devices/${encodeURIComponent(key)}`);
    assert.equal(one.status, 200);
    const paths = ((await one.json()) as { parameters: { path: string }[] }).parameters.map((p) => p.path);
    assert.ok(paths.includes('Device.DeviceInfo.ModelName'));
    assert.ok(!paths.includes(ROOT_LISTING));

    const projected = await t.nbi(`/devices?projection=${ROOT_LISTING}`);
    assert.equal(projected.status, 400, 'a projection names parameters under a data model root only');

    const docs = await fetch(`${genieacs}/devices/?query=${encodeURIComponent(JSON.stringify({ _id: key }))}`, { headers: { Authorization: `Bearer ${t.token}` } });
    assert.equal(docs.status, 200);
    const [doc] = (await docs.json()) as Record<string, unknown>[];
    assert.ok(doc.Device !== undefined);
    assert.deepEqual(Object.keys(doc).filter((k) => !k.startsWith('_')), ['Device']);
  });
});
