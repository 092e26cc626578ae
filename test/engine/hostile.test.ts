/**
 * Hostile provisions end to end: the real server (MariaDB, Redis, BullMQ
 * worker in process) and simulated CPEs. Each hostile script has its own
 * channel on its own device (precondition on the serial number) next to a
 * well-behaved channel that every device runs. A hostile script must become a
 * channel fault on its device, the session must end, the good channel's
 * value must still be applied, the server must keep serving other devices,
 * the next session must skip the faulted channel (backoff), and an operator's
 * DELETE /devices/:id/faults/:channel must let it run again.
 */
import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChannelFault, DeviceDetail } from '../../src/db/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { handleRequest } from '../../src/sim/cpe';
import type { SimDevice } from '../../src/sim/device';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';

const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
const TR181 = path.join(MODELS, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const PII = 'Device.ManagementServer.PeriodicInformInterval';
const USER = 'Device.ManagementServer.ConnectionRequestUsername';
const LIMIT = 'Device.ManagementServer.ManageableDeviceNotificationLimit';

/** Hostile provisions: name → [source, expected fault codes, line in the file (when the sandbox can tell)]. */
const HOSTILE: Record<string, { source: string; codes: string[]; line?: number }> = {
  loop: { source: 'const a = 1;\nwhile (true) {}\n', codes: ['script.timeout'] },
  // The time limit is wall-clock (isolated-vm): on a loaded host it can end the bomb before the memory limit does.
  bomb: { source: 'const keep = [];\nfor (;;) keep.push(new Array(1e6).fill(1));\n', codes: ['script.memory', 'script.timeout'] },
  throws: { source: `declare('${USER}', null, { value: 'never' });\n\nthrow new Error('operator bug');\n`, codes: ['script.error'], line: 3 },
  syntax: { source: 'const a = 1;\nif (a) {\n  declare(;\n}\n', codes: ['script.syntax'], line: 3 },
  many: { source: "for (let i = 0; i < 100000; i++) declare('Device.X_Many.' + i + '.Name', { value: 1 }, { value: 'x' });\n", codes: ['script.limit', 'script.timeout'] },
  // Never satisfied: each write makes it want another value, so the engine's limits must end the session.
  // Asks for more instances than the session may send RPCs: the RPC limit must hold within one planning round too.
  flood: { source: "declare('Device.NAT.PortMapping.*', { path: 1 }, { instances: 300 });\n", codes: ['engine.limit'] },
  chase: { source: `const v = declare('${LIMIT}', { value: 1 });\nif (v.value) declare('${LIMIT}', null, { value: Number(v.value[0]) + 1 });\n`, codes: ['engine.limit'] },
};
const NAMES = Object.keys(HOSTILE);


/** Device i runs hostile provision NAMES[i]; the last device runs only the good channel. */
const serialOf = (i: number) => `HOST-${String(i).padStart(6, '0')}`;

describe('hostile provisions end to end (simulator, MariaDB, Redis, BullMQ)', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let fleet: Fleet;
  let provisions: string;
  const dirs: string[] = [];
  const reports: string[] = [];

  const keyOf = (d: SimDevice) => deviceKeyOf(d.deviceId());
  const byName = (name: string) => fleet.devices[NAMES.indexOf(name)];
  const bystander = () => fleet.devices[NAMES.length];

  async function detail(d: SimDevice): Promise<DeviceDetail> {
    const res = await t.nbi(`/devices/${encodeURIComponent(keyOf(d))}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as DeviceDetail;
  }

  async function faults(d: SimDevice): Promise<ChannelFault[]> {
    return (await detail(d)).channelFaults;
  }

  /** One more session for each of these devices; resolves when they all ended, with how many completed. */
  async function sessions(devices: SimDevice[]): Promise<number> {
    const before = fleet.stats.completed;
    for (const d of devices) fleet.connect(d, '6 CONNECTION REQUEST');
    await fleet.idle();
    return fleet.stats.completed - before;
  }

  before(async () => {
    const presets: Record<string, string> = {
      'good.yaml': `channel: good\nprovisions:\n  - [good, 600]\n`,
    };
    NAMES.forEach((name, i) => {
      presets[`${name}.yaml`] = `channel: ${name}\nweight: 1\nprecondition: DeviceID.SerialNumber = "${serialOf(i)}"\nprovisions:\n  - ${name}\n`;
    });
    // The good channel also wants a value read in every session (Date.now() is the session's start): one read per session, then done.
    const scripts: Record<string, string> = {
      'good.js': `declare('${PII}', { value: 1 }, { value: args[0] });\ndeclare('Device.DeviceInfo.UpTime', { value: Date.now() });\n`,
    };
    for (const name of NAMES) scripts[`${name}.js`] = HOSTILE[name].source;
    const presetsDir = dirWith(presets);
    provisions = dirWith(scripts);
    dirs.push(presetsDir, provisions);
    t = await startTestAcs('engine_hostile', { sessionTimeoutMs: 5000, presetsDir, provisionsDir: provisions, engineMaxSteps: 12, engineMaxRpcs: 40 });
    fleet = await Fleet.create({
      acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: NAMES.length + 1, serialBase: 'HOST-', concurrency: NAMES.length + 1, report: (k, m) => reports.push(`${k}: ${m}`),
    });
  });

  after(async () => {
    await fleet?.close();
    await t?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('every session ends, hostile devices and the bystander alike, without conformance violations', async function () {
    const started = Date.now();
    await fleet.connectAll();
    assert.equal(fleet.stats.completed, fleet.devices.length, `${JSON.stringify([...fleet.stats.errors])}\n${reports.join('\n')}`);
    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
    assert.ok(Date.now() - started < 60_000, `sessions took ${Date.now() - started} ms`);
  });

  for (const name of NAMES) {
    it(`${name}: a channel fault on the device (code, script${HOSTILE[name].line ? ', line' : ''}), and the good channel's value applied`, async function () {
      const d = byName(name);
      const list = await faults(d);
      const f = list.find((x) => x.channel === name);
      assert.ok(f, `no fault for ${name}: ${JSON.stringify(list)}`);
      assert.ok(HOSTILE[name].codes.includes(f.code), `${name}: ${f.code} ${f.message}`);
      if (f.code.startsWith('script.')) {
        assert.equal(f.script, `${name}.js`);
        assert.equal(f.preset, name);
      }
      if (HOSTILE[name].line !== undefined) assert.equal(f.line, HOSTILE[name].line, JSON.stringify(f));
      assert.equal(f.retries, 1);
      assert.ok(f.nextRetry > Date.now(), 'backing off');
      assert.equal(d.model.getValue(PII), '600', 'the good channel ran');
      assert.notEqual(d.model.getValue(USER), 'never', 'a faulted run\'s declarations are dropped');
      const history = (await detail(d)).history.filter((h) => h.kind === 'provision-fault');
      assert.ok(history.length >= 1, 'the fault is in the device history');
    });
  }

  it('chase: the good channel is not blamed for another channel\'s endless provisioning', async function () {
    const list = await faults(byName('chase'));
    assert.deepEqual(list.map((f) => f.channel), ['chase'], JSON.stringify(list));
  });

  it('flood: no more RPCs than ENGINE_MAX_RPCS in the session, and no more instances added', async function () {
    const d = byName('flood');
    const listing = handleRequest(d.model, { method: 'GetParameterNames', ParameterPath: 'Device.NAT.PortMapping.', NextLevel: true }).response;
    const instances = listing.method === 'GetParameterNamesResponse' ? listing.ParameterList.length : -1;
    assert.ok(instances <= 40, `the session added ${instances} port mappings with ENGINE_MAX_RPCS=40`);
  });

  it('the bystander device is provisioned and has no fault', async function () {
    const d = bystander();
    assert.equal(d.model.getValue(PII), '600');
    assert.deepEqual(await faults(d), []);
  });

  it('values wanted fresh in every session are read once per session, and the sessions end', async function () {
    const d = bystander();
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const rpcs = fleet.stats.rpcs;
      assert.equal(await sessions([d]), 1);
      assert.equal(fleet.stats.rpcs - rpcs, 1, 'one GetParameterValues');
      const [row] = await t.acs.store.getParameters(keyOf(d), 'Device.DeviceInfo.UpTime');
      assert.ok((row?.valueTime ?? 0) >= started - 1000, JSON.stringify(row));
    }
    assert.deepEqual(await faults(d), []);
  });

  it('the server keeps serving: a new device is provisioned after all that', async function () {
    const extra = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'AFTER-', concurrency: 1 });
    try {
      await extra.connectAll();
      assert.equal(extra.stats.completed, 1);
      assert.equal(extra.devices[0].model.getValue(PII), '600');
    } finally {
      await extra.close();
    }
  });

  it('the next session skips the faulted channels (backoff): their faults are unchanged', async function () {
    const hostile = NAMES.filter((n) => n !== 'chase').map(byName);
    const before = await Promise.all(hostile.map(faults));
    const started = Date.now();
    assert.equal(await sessions(hostile), hostile.length);
    assert.ok(Date.now() - started < 5000, `skipping costs nothing: ${Date.now() - started} ms`);
    const after = await Promise.all(hostile.map(faults));
    assert.deepEqual(after, before);
  });

  it('DELETE /devices/:id/faults/:channel lets the channel run again at the next session', async function () {
    const d = byName('throws');
    const key = encodeURIComponent(keyOf(d));
    const [old] = await faults(d);
    const res = await t.nbi(`/devices/${key}/faults/throws`, { method: 'DELETE' });
    assert.equal(res.status, 204);
    assert.deepEqual(await faults(d), []);
    assert.equal((await t.nbi(`/devices/${key}/faults/throws`, { method: 'DELETE' })).status, 404);

    // Still broken: it runs, and faults again as a new streak.
    assert.equal(await sessions([d]), 1);
    const [again] = await faults(d);
    assert.equal(again?.code, 'script.error');
    assert.ok(again.time > old.time, 'it ran again');
    assert.equal(again.retries, 1);

    // Fixed by the operator: it runs clean and its fault is dropped.
    writeFileSync(path.join(provisions, 'throws.js'), `declare('${USER}', { value: 1 }, { value: 'fixed' });\n`);
    await new Promise((r) => setTimeout(r, 1_100)); // the script library rescans at most once a second
    assert.equal((await t.nbi(`/devices/${key}/faults/throws`, { method: 'DELETE' })).status, 204);
    assert.equal(await sessions([d]), 1);
    assert.equal(d.model.getValue(USER), 'fixed');
    assert.deepEqual(await faults(d), []);
  });

  it('DELETE of a runaway loop\'s fault: it runs (and faults) again, and the session still ends', async function () {
    const d = byName('loop');
    const key = encodeURIComponent(keyOf(d));
    const [old] = await faults(d);
    assert.equal((await t.nbi(`/devices/${key}/faults/loop`, { method: 'DELETE' })).status, 204);
    assert.equal(await sessions([d, bystander()]), 2);
    const [again] = await faults(d);
    assert.equal(again?.code, 'script.timeout');
    assert.ok(again.time > old.time);
  });
});
