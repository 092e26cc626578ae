/**
 * One planning round of a session (src/engine/step.ts), with the real parts:
 * a SandboxPool, a ScriptLibrary and a PresetRegistry over temp folders, the
 * real ExtensionHost over a temp EXT_DIR, a MemoryTable, and the front end's
 * own glue (nextEngineRound / engineAnswer, entriesForResponse) between the
 * steps and a simulated CPE (src/sim/cpe over the XX230v dump).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SessionDeps } from '../../src/cwmp/session/context';
import { engineAnswer, nextEngineRound } from '../../src/cwmp/session/provisioning';
import { entriesForFault, entriesForResponse } from '../../src/cwmp/session/results';
import type { SessionLogEntry, SessionState } from '../../src/cwmp/session/state';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import type { CacheOp, ChannelFault } from '../../src/db/types';
import { ExtensionHost } from '../../src/engine/ext';
import type { ExtOutcome } from '../../src/engine/ext';
import { MemoryTable } from '../../src/engine/memory-table';
import { ScriptLibrary } from '../../src/engine/script-library';
import { step, type StepDeps, type StepOutput, type StoredDevice } from '../../src/engine/step';
import { newProvisionState, type ProvisionState } from '../../src/engine/types';
import { createLogger } from '../../src/log';
import { deviceKeyOf } from '../../src/model/device-key';
import { PresetRegistry } from '../../src/presets/registry';
import { SandboxPool } from '../../src/sandbox';
import { handleRequest, informParameters } from '../../src/sim/cpe';
import { loadModel } from '../../src/sim/load-model';
import { createDevice, type BaseModel, type DeviceModel } from '../../src/sim/model';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const PII = 'Device.ManagementServer.PeriodicInformInterval';

let base: BaseModel;
const dirs: string[] = [];

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'acs-step-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The real extension host, counting the calls that reach it. */
class CountingHost extends ExtensionHost {
  calls: { name: string; args: unknown[] }[] = [];
  override call(name: string, args: unknown[]): Promise<ExtOutcome> {
    this.calls.push({ name, args });
    return super.call(name, args);
  }
}

interface Harness {
  deps: StepDeps;
  ext: CountingHost;
  pool: SandboxPool;
  presets: PresetRegistry;
  close(): Promise<void>;
}

const open: Harness[] = [];

interface HarnessOptions {
  extensions?: Record<string, string>;
  limits?: { maxRpcs: number; maxSteps: number };
  timeoutMs?: number;
  memoryLimitMb?: number;
}

/** presets: file name (without .yaml) → YAML; provisions: file name → source. */
async function harness(presets: Record<string, string>, provisions: Record<string, string>, options: HarnessOptions = {}): Promise<Harness> {
  const presetFiles = Object.fromEntries(Object.entries(presets).map(([k, v]) => [`${k}.yaml`, v]));
  const registry = new PresetRegistry(dirWith(presetFiles), { watch: false, pollMs: 0, onError: (e) => assert.fail(`preset rejected: ${JSON.stringify(e)}`) });
  const scripts = new ScriptLibrary(dirWith(provisions), { pollMs: 0 });
  await scripts.refresh(true);
  const pool = new SandboxPool({ size: 1, timeoutMs: options.timeoutMs ?? 50, memoryLimitMb: options.memoryLimitMb ?? 32 });
  const ext = new CountingHost({ dir: dirWith(options.extensions ?? {}), timeoutMs: 2000 });
  const h: Harness = {
    deps: { pool, scripts, ext, presets: registry, limits: options.limits ?? { maxRpcs: 64, maxSteps: 32 }, log: createLogger('silent') },
    ext, pool, presets: registry,
    close: async () => {
      registry.close();
      await ext.close();
      await pool.close();
    },
  };
  open.push(h);
  return h;
}

function preset(provisions: (string | [string, ...(string | number | boolean)[]])[], more: { events?: string[]; channel?: string; weight?: number; precondition?: string } = {}): string {
  const lines: string[] = [];
  if (more.events) lines.push(`events: ${JSON.stringify(more.events)}`);
  if (more.channel) lines.push(`channel: ${more.channel}`);
  if (more.weight !== undefined) lines.push(`weight: ${more.weight}`);
  if (more.precondition) lines.push(`precondition: ${JSON.stringify(more.precondition)}`);
  lines.push('provisions:');
  for (const p of provisions) lines.push(`  - ${JSON.stringify(p)}`);
  return `${lines.join('\n')}\n`;
}

let serial = 0;
function newDevice(): DeviceModel {
  return createDevice(base, { SerialNumber: `STEP${String(++serial).padStart(4, '0')}` });
}

/** What the store would hand the next session. */
interface Stored extends StoredDevice {
  table: MemoryTable;
}

function freshStore(): Stored {
  return { channelFaults: [], tags: [], table: new MemoryTable() };
}

function newSession(device: DeviceModel, events: string[], startedAt: number): SessionState {
  const deviceId = device.deviceId();
  const inform = {
    deviceId, events: events.map((EventCode) => ({ EventCode, CommandKey: '' })), retryCount: 0, currentTime: new Date(startedAt).toISOString(),
    parameters: informParameters(device), remoteAddress: '127.0.0.1', cwmpVersion: '1.0', time: startedAt,
  };
  return {
    id: `sess${Math.random().toString(16).slice(2)}0000000000`, deviceKey: deviceKeyOf(deviceId), namespace: 'urn:dslforum-org:cwmp-1-0', cwmpVersion: '1.0',
    remoteAddress: '127.0.0.1', phase: 'acs-requests', startedAt, inform, queue: [], loadedIds: [], inFlight: null, holdRequests: false, sent: 0,
    logged: 0, informHash: '', facts: { version: '0', credentials: null, knownHash: null }, carried: [], events, model: 'stored', provision: newProvisionState(),
  };
}

interface SessionRun {
  state: SessionState;
  p: ProvisionState;
  /** Every engine request sent to the device, in order. */
  sent: CpeRequest[];
  /** Step outputs, in order. */
  outputs: StepOutput[];
  /** Log entries the steps returned (clear ops, history). */
  stepLog: SessionLogEntry[];
}

interface SessionOptions {
  events?: string[];
  startedAt?: number;
  /** Answers a request instead of the simulated CPE (return undefined to let the CPE answer). */
  answer?: (request: CpeRequest) => ReturnType<typeof handleRequest>['response'] | undefined;
  /** Before the first step (e.g. to seed outcomes). */
  before?: (state: SessionState) => void;
}

/**
 * A whole session as the front end runs it: steps through nextEngineRound,
 * requests answered by the simulated CPE, answers logged and fed back with
 * engineAnswer, cache ops applied to the session's table; then what the
 * commit would store is folded into `stored`.
 */
async function runSession(h: Harness, device: DeviceModel, stored: Stored, options: SessionOptions = {}): Promise<SessionRun> {
  const state = newSession(device, options.events ?? ['2 PERIODIC'], options.startedAt ?? Date.now());
  const table = new MemoryTable(stored.table.all());
  await table.applyInform(state.inform);
  const outputs: StepOutput[] = [];
  const stepLog: SessionLogEntry[] = [];
  const sent: CpeRequest[] = [];
  const deps = {
    provisioning: {
      step: async (s: SessionState) => {
        const out = await step(h.deps, JSON.parse(JSON.stringify(s)) as SessionState, { table, stored: { channelFaults: stored.channelFaults, tags: stored.tags } });
        outputs.push(out);
        return out;
      },
    },
    sessions: { save: async () => true },
  } as unknown as SessionDeps;
  options.before?.(state);
  for (let guard = 0; guard < 500; guard++) {
    if (state.queue.length === 0) {
      if (state.provision?.done) break;
      const log = await nextEngineRound(deps, state, []);
      assert.ok(log, 'the session ended under the engine');
      stepLog.push(...log);
      continue;
    }
    const q = state.queue.shift()!;
    const time = Math.max(Date.now(), state.startedAt);
    const inFlight = { ...q, cwmpId: `id-${guard}`, sentAt: time };
    sent.push(q.request);
    const response = options.answer?.(q.request) ?? handleRequest(device, q.request).response;
    const entries = response.method === 'Fault' ? entriesForFault(inFlight, response, time) : entriesForResponse(inFlight, response, state.id, time);
    entries.push(...engineAnswer(state, inFlight, response, time));
    for (const e of entries) if (e.t === 'op') await table.applyOp(e.op);
  }
  assert.ok(state.provision?.done, 'provisioning never ended');
  // The commit: the table becomes the stored model; channel faults and tags as resultOf/commitSession apply them.
  const p = state.provision as ProvisionState;
  stored.table = table;
  const cleared = new Set(p.clearedFaults);
  const set = new Map(p.faults.map((f) => [f.channel, f]));
  stored.channelFaults = [
    ...stored.channelFaults.filter((f) => !cleared.has(f.channel) && !set.has(f.channel)),
    ...[...set.values()].filter((f) => !cleared.has(f.channel)),
  ];
  stored.tags = [...new Set([...stored.tags.filter((t) => !p.tags.remove.includes(t)), ...p.tags.add])];
  return { state, p, sent, outputs, stepLog };
}

const methods = (r: SessionRun) => r.sent.map((x) => x.method);
const faultOf = (r: SessionRun, channel: string): ChannelFault | undefined => r.p.faults.find((f) => f.channel === channel);

function newState(h: Harness, device: DeviceModel, events = ['2 PERIODIC']): { state: SessionState; table: MemoryTable } {
  const state = newSession(device, events, Date.now());
  return { state, table: new MemoryTable() };
}

describe('engine step', function () {
  this.timeout(30_000);

  before(function () {
    base = loadModel(MODEL);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });

  after(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  describe('replay', function () {
    it('a script with commit() between a read and a write reads first, then writes what the read value decides', async function () {
      const h = await harness({ p: preset(['uptime']) }, {
        'uptime.js': `
const now = Date.now();
const up = declare('Device.DeviceInfo.UpTime', { value: now });
commit();
log('uptime', up.value[0]);
declare('${PII}', null, { value: up.value[0] > 0 ? 1234 : 4321 });
`,
      });
      const device = newDevice();
      const r = await runSession(h, device, freshStore());
      assert.equal(device.getValue(PII), '1234');
      const m = methods(r);
      assert.ok(m.indexOf('GetParameterValues') >= 0 && m.indexOf('GetParameterValues') < m.indexOf('SetParameterValues'), m.join());
      assert.equal(r.p.faults.length, 0, JSON.stringify(r.p.faults));
      assert.match(r.p.logs['p/uptime']?.join('\n') ?? '', /^uptime \d+/);
      const history = r.stepLog.find((e) => e.t === 'history' && e.entry.kind === 'provision-log');
      assert.ok(history, 'the log lines go to the device history when provisioning ends');
    });

    it('a second session with nothing to change sends no RPC', async function () {
      const h = await harness({ p: preset([['interval', 600]]) }, {
        'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });`,
      });
      const device = newDevice();
      const stored = freshStore();
      const first = await runSession(h, device, stored);
      assert.ok(methods(first).includes('SetParameterValues'), methods(first).join());
      assert.equal(device.getValue(PII), '600');
      const second = await runSession(h, device, stored);
      assert.deepEqual(methods(second), []);
      assert.equal(second.outputs.length, 1);
    });
  });

  describe('ext()', function () {
    it('is called once per session; every replay and step sees the same answer', async function () {
      const h = await harness({ p: preset(['useext']) }, {
        'useext.js': `
const order = ext('orders', 'abc');
const now = Date.now();
declare('Device.DeviceInfo.UpTime', { value: now });
commit();
declare('Device.WiFi.SSID.*.SSID', { path: now, value: now });
commit();
declare('${PII}', null, { value: order.n * 100 + 7 });
`,
      }, { extensions: { 'orders.js': 'let n = 0;\nmodule.exports = (id) => ({ id, n: ++n });\n' } });
      const device = newDevice();
      const r = await runSession(h, device, freshStore());
      assert.equal(h.ext.calls.length, 1, JSON.stringify(h.ext.calls));
      assert.deepEqual(h.ext.calls[0], { name: 'orders', args: ['abc'] });
      assert.equal(device.getValue(PII), '107');
      assert.ok(r.outputs.length >= 3, `several steps: ${r.outputs.length}`);
      assert.deepEqual(Object.values(r.p.extResults), [{ id: 'abc', n: 1 }]);
    });

    it('a failing extension faults the channel with ext.error', async function () {
      const h = await harness({ bad: preset(['useext'], { channel: 'bad' }), good: preset([['interval', 900]], { channel: 'good' }) }, {
        'useext.js': `ext('broken'); declare('${PII}', null, { value: 5 });`,
        'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });`,
      }, { extensions: { 'broken.js': 'module.exports = () => { throw new Error("no order system"); };\n' } });
      const device = newDevice();
      const r = await runSession(h, device, freshStore());
      assert.equal(faultOf(r, 'bad')?.code, 'ext.error');
      assert.match(faultOf(r, 'bad')?.message ?? '', /no order system/);
      assert.equal(faultOf(r, 'bad')?.script, 'useext.js');
      assert.equal(device.getValue(PII), '900');
    });
  });

  describe('clear() and tags', function () {
    it('clears are applied once, logged as cache ops, and the cleared values read again', async function () {
      const h = await harness({ p: preset(['refresh']) }, {
        'refresh.js': `
const now = Date.now();
clear('Device.WiFi.SSID.', now);
declare('Device.WiFi.SSID.1.SSID', { value: 1 });
`,
      });
      const device = newDevice();
      const stored = freshStore();
      const old = Date.now() - 86_400_000;
      stored.table = new MemoryTable();
      await stored.table.applyOp({ op: 'names', path: 'Device.WiFi.', nextLevel: false, parameters: [{ Name: 'Device.WiFi.SSID.', Writable: false }, { Name: 'Device.WiFi.SSID.1.', Writable: true }, { Name: 'Device.WiFi.SSID.1.SSID', Writable: true }], time: old });
      await stored.table.applyOp({ op: 'values', parameters: [{ Name: 'Device.WiFi.SSID.1.SSID', Value: 'stale', type: 'xsd:string' }], time: old });
      const r = await runSession(h, device, stored);
      const clears = r.stepLog.filter((e): e is { t: 'op'; op: CacheOp } => e.t === 'op' && e.op.op === 'clear');
      assert.equal(clears.length, 1, JSON.stringify(r.stepLog));
      assert.deepEqual({ ...clears[0].op, time: 0 }, { op: 'clear', path: 'Device.WiFi.SSID', before: r.state.startedAt, time: 0 });
      assert.ok(r.stepLog.some((e) => e.t === 'op' && e.op.op === 'values'), 'the Inform values are applied again after a clear');
      assert.equal(r.p.cleared.length, 1);
      assert.ok(methods(r).includes('GetParameterValues') || methods(r).includes('GetParameterNames'), `the cleared SSID is read again: ${methods(r).join()}`);
      assert.equal(stored.table.get('Device.WiFi.SSID.1.SSID')?.value, device.getValue('Device.WiFi.SSID.1.SSID'));
    });

    it('tags are added and removed without an RPC, and a replay sees them', async function () {
      const h = await harness({ p: preset(['tagger']) }, {
        'tagger.js': `
declare('Tags.provisioned', null, { value: true });
declare('Tags.legacy', null, { value: false });
commit();
const t = declare('Tags.provisioned', { value: 1 });
log('tag', t.value && t.value[0]);
`,
      });
      const stored = freshStore();
      stored.tags = ['legacy', 'keep'];
      const r = await runSession(h, newDevice(), stored);
      assert.deepEqual(methods(r), []);
      assert.deepEqual(r.p.tags, { add: ['provisioned'], remove: ['legacy'] });
      assert.deepEqual(r.p.logs['p/tagger'], ['tag true']);
      assert.deepEqual(stored.tags.sort(), ['keep', 'provisioned']);
    });

    it('commit() after removing a tag (or wanting one absent) goes on', async function () {
      const h = await harness({ p: preset(['untag']) }, {
        'untag.js': `
declare('Tags.legacy', null, { value: false });
declare('Tags.never', null, { value: false });
commit();
log('after commit');
`,
      });
      const stored = freshStore();
      stored.tags = ['legacy'];
      const r = await runSession(h, newDevice(), stored);
      assert.deepEqual(r.p.tags, { add: [], remove: ['legacy'] });
      assert.deepEqual(r.p.logs['p/untag'], ['after commit']);
    });

    it('a heavier preset\'s tag overrides a lighter one\'s, and other declarations are still planned', async function () {
      const h = await harness({
        light: preset(['tagon'], { weight: 0, channel: 'light' }),
        heavy: preset(['tagoff'], { weight: 10, channel: 'heavy' }),
        other: preset([['interval', 777]], { weight: 20, channel: 'other' }),
      }, {
        'tagon.js': `declare('Tags.x', null, { value: true });`,
        'tagoff.js': `declare('Tags.x', null, { value: false });`,
        'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });`,
      });
      const device = newDevice();
      const stored = freshStore();
      const r = await runSession(h, device, stored);
      assert.equal(device.getValue(PII), '777', `the other channel's write was planned: ${methods(r).join()}`);
      assert.deepEqual(stored.tags, [], 'the heavier preset wins: no tag x');
    });

    it('a heavier preset removing a stored tag that a lighter one adds: the heavier wins', async function () {
      const h = await harness({
        light: preset(['tagon'], { weight: 0, channel: 'light' }),
        heavy: preset(['tagoff'], { weight: 10, channel: 'heavy' }),
      }, {
        'tagon.js': `declare('Tags.x', null, { value: true });`,
        'tagoff.js': `declare('Tags.x', null, { value: false });`,
      });
      const stored = freshStore();
      stored.tags = ['x'];
      const r = await runSession(h, newDevice(), stored);
      assert.deepEqual(stored.tags, [], `heavy wants no tag x: ${JSON.stringify(r.p.tags)}`);
    });
  });

  describe('channel faults', function () {
    const scripts = {
      'throws.js': 'const a = 1;\n\nthrow new Error("boom");\n',
      'loops.js': 'const a = 1;\nwhile (true) {}\n',
      'bomb.js': 'const keep = [];\nwhile (true) keep.push(new Array(1e6).fill(1));\n',
      'syntax.js': 'const a = 1;\nconst = ;\n',
      'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });`,
    };
    const cases: [string, string, string, number | undefined][] = [
      ['an error', 'throws', 'script.error', 3],
      ['a timeout', 'loops', 'script.timeout', undefined],
      ['a memory bomb', 'bomb', 'script.memory', undefined],
      ['a syntax error', 'syntax', 'script.syntax', 2],
    ];
    for (const [what, script, code, line] of cases) {
      it(`${what} faults its channel (${code}, script and line) and the other channels keep running`, async function () {
        const h = await harness({
          a: preset([script], { channel: 'broken', weight: 0 }),
          b: preset([['interval', 1800]], { channel: 'fine', weight: 1 }),
          // The time limit is wall-clock: on a loaded host it could end a memory bomb before the memory limit does.
        }, scripts, code === 'script.memory' ? { timeoutMs: 10_000 } : {});
        const device = newDevice();
        const stored = freshStore();
        const r = await runSession(h, device, stored);
        const f = faultOf(r, 'broken');
        assert.ok(f, JSON.stringify(r.p.faults));
        assert.equal(f.code, code);
        assert.equal(f.script, `${script}.js`);
        assert.equal(f.preset, 'a');
        if (line !== undefined) assert.equal(f.line, line);
        assert.equal(f.retries, 1);
        assert.equal(f.nextRetry, r.state.startedAt + 60_000);
        assert.equal(faultOf(r, 'fine'), undefined);
        assert.equal(device.getValue(PII), '1800');
        const history = r.stepLog.find((e) => e.t === 'history' && e.entry.kind === 'provision-fault');
        assert.ok(history, 'the fault goes to the device history');
      });
    }

    it('a faulted channel is skipped until its nextRetry, then runs again; clean, its fault is cleared', async function () {
      const h = await harness({ a: preset([['interval', 1200]], { channel: 'retry' }) }, { 'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });` });
      const device = newDevice();
      const stored = freshStore();
      const t0 = Date.now();
      const fault: ChannelFault = { channel: 'retry', code: 'script.error', message: 'x', retries: 2, firstTime: t0 - 600_000, time: t0 - 1000, nextRetry: t0 + 120_000 };
      stored.channelFaults = [fault];
      const waiting = await runSession(h, device, stored, { startedAt: t0 });
      assert.deepEqual(methods(waiting), [], 'backing off: the channel does not run');
      assert.notEqual(device.getValue(PII), '1200');
      assert.deepEqual(waiting.p.faults, []);
      assert.deepEqual(waiting.p.clearedFaults, []);
      assert.deepEqual(stored.channelFaults, [fault]);

      const later = await runSession(h, device, stored, { startedAt: t0 + 121_000 });
      assert.equal(device.getValue(PII), '1200');
      assert.deepEqual(later.p.clearedFaults, ['retry']);
      assert.deepEqual(stored.channelFaults, []);
    });

    it('a channel faulting again continues its streak: retries + 1, doubled backoff, same firstTime', async function () {
      const h = await harness({ a: preset(['throws'], { channel: 'retry' }) }, { 'throws.js': 'throw new Error("again");' });
      const stored = freshStore();
      const t0 = Date.now();
      stored.channelFaults = [{ channel: 'retry', code: 'script.error', message: 'x', retries: 2, firstTime: t0 - 600_000, time: t0 - 200_000, nextRetry: t0 - 1 }];
      const r = await runSession(h, newDevice(), stored, { startedAt: t0 });
      const f = faultOf(r, 'retry');
      assert.ok(f);
      assert.equal(f.retries, 3);
      assert.equal(f.firstTime, t0 - 600_000);
      assert.equal(f.nextRetry, t0 + 4 * 60_000);
      assert.deepEqual(r.p.clearedFaults, []);
    });

    it('a missing provision faults its channel (script.missing)', async function () {
      const h = await harness({ a: preset(['nope'], { channel: 'x' }) }, {});
      const r = await runSession(h, newDevice(), freshStore());
      assert.equal(faultOf(r, 'x')?.code, 'script.missing');
    });

    it('a refused RPC faults the channels that asked for it (cwmp.<code>)', async function () {
      const h = await harness({ a: preset([['interval', 42]], { channel: 'w' }) }, { 'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });` });
      const r = await runSession(h, newDevice(), freshStore(), {
        answer: (req) => (req.method === 'SetParameterValues' ? { method: 'Fault', faultcode: 'Client', FaultCode: 9007, FaultString: 'Invalid parameter value' } : undefined),
      });
      assert.equal(faultOf(r, 'w')?.code, 'cwmp.9007');
      assert.match(faultOf(r, 'w')?.message ?? '', /SetParameterValues/);
    });
  });

  describe('fault isolation of shared requests', function () {
    it('a value the device refuses faults the channel that declared it, not the channel sharing its SetParameterValues', async function () {
      const USER = 'Device.ManagementServer.ConnectionRequestUsername';
      const h = await harness({
        bad: preset([['set', PII, 7]], { channel: 'bad' }),
        good: preset([['set', USER, 'bob']], { channel: 'good', weight: 1 }),
      }, { 'set.js': 'declare(args[0], { value: 1 }, { value: args[1] });' });
      const device = newDevice();
      const refuse = { ParameterName: PII, FaultCode: 9007, FaultString: 'below the minimum' };
      const r = await runSession(h, device, freshStore(), {
        answer: (req) => (req.method === 'SetParameterValues' && req.ParameterList.some((p) => p.Name === PII)
          ? { method: 'Fault', faultcode: 'Client', FaultCode: 9003, FaultString: 'Invalid arguments', SetParameterValuesFault: [refuse] }
          : undefined),
      });
      assert.equal(faultOf(r, 'bad')?.code, 'cwmp.9003');
      assert.equal(faultOf(r, 'good'), undefined, `good only shared the request: ${JSON.stringify(r.p.faults)}`);
      assert.equal(device.getValue(USER), 'bob', methods(r).join());
    });
  });

  describe('values judged against the parameter type when planned (issue 11 §1)', function () {
    it('a value the type cannot take faults its channel (engine.value) before any write; the channel sharing the round writes', async function () {
      const USER = 'Device.ManagementServer.ConnectionRequestUsername';
      const h = await harness({
        bad: preset([['set', PII, 'every hour']], { channel: 'bad' }),
        good: preset([['set', USER, 'bob']], { channel: 'good', weight: 1 }),
      }, { 'set.js': 'declare(args[0], { value: 1 }, { value: args[1] });' });
      const device = newDevice();
      const r = await runSession(h, device, freshStore());
      assert.equal(faultOf(r, 'bad')?.code, 'engine.value');
      assert.equal(faultOf(r, 'bad')?.message, `${PII}: "every hour" is not a valid xsd:unsignedInt`);
      assert.equal(faultOf(r, 'good'), undefined);
      assert.equal(device.getValue(USER), 'bob');
      const sets = r.sent.flatMap((q) => (q.method === 'SetParameterValues' ? q.ParameterList.map((p) => p.Name) : []));
      assert.deepEqual(sets, [USER]);
    });
  });

  describe('9005 recovery', function () {
    it('a 9005 lists the parent again (NextLevel=true) once; a second 9005 under it is a channel fault cwmp.9005', async function () {
      const h = await harness({ a: preset(['reads'], { channel: 'r' }) }, {
        'reads.js': `declare('Device.DeviceInfo.UpTime', { value: Date.now() });`,
      });
      const device = newDevice();
      const { state, table } = newState(h, device);
      await table.applyInform(state.inform);
      state.provision!.outcomes = [{ method: 'GetParameterValues', channels: ['r'], paths: ['Device.DeviceInfo.UpTime'], fault: { code: 9005, message: 'Invalid parameter name' } }];
      const first = await step(h.deps, state, { table, stored: { channelFaults: [], tags: [] } });
      assert.deepEqual(first.requests.map((q) => q.request), [{ method: 'GetParameterNames', ParameterPath: 'Device.DeviceInfo.', NextLevel: true }]);
      assert.deepEqual(first.requests[0].engine?.channels, ['r']);
      assert.deepEqual(first.provision.faults, []);
      assert.deepEqual(first.provision.refreshed, ['Device.DeviceInfo.']);

      const again = { ...state, provision: { ...first.provision, outcomes: [{ method: 'GetParameterValues' as const, channels: ['r'], paths: ['Device.DeviceInfo.UpTime'], fault: { code: 9005, message: 'Invalid parameter name' } }] } };
      const second = await step(h.deps, again, { table, stored: { channelFaults: [], tags: [] } });
      assert.equal(second.provision.faults.find((f) => f.channel === 'r')?.code, 'cwmp.9005');
      assert.ok(!second.requests.some((q) => q.request.method === 'GetParameterNames' && q.request.ParameterPath === 'Device.DeviceInfo.'));
    });

    it('end to end: a cached parameter the device no longer has is listed again and then known absent', async function () {
      const h = await harness({ a: preset(['reads'], { channel: 'r' }) }, {
        'reads.js': `declare('Device.DeviceInfo.X_Gone', { value: Date.now() });`,
      });
      const device = newDevice();
      const stored = freshStore();
      await stored.table.applyOp({ op: 'names', path: 'Device.DeviceInfo.', nextLevel: true, parameters: [{ Name: 'Device.DeviceInfo.X_Gone', Writable: false }, { Name: 'Device.DeviceInfo.UpTime', Writable: false }], time: Date.now() - 1000 });
      const r = await runSession(h, device, stored);
      assert.deepEqual(methods(r), ['GetParameterValues', 'GetParameterNames']);
      assert.deepEqual(r.p.faults, []);
      assert.equal(stored.table.get('Device.DeviceInfo.X_Gone'), undefined);
    });
  });

  describe('9008 recovery', function () {
    it('a SetParameterValues refused for a parameter that is not writable lists it, and the others are set without it', async function () {
      const h = await harness({
        ro: preset([['set', 'Device.DeviceInfo.SoftwareVersion', 'hacked']], { channel: 'ro' }),
        rw: preset([['set', PII, 5]], { channel: 'rw', weight: 1 }),
      }, { 'set.js': 'declare(args[0], null, { value: args[1] });' });
      const device = newDevice();
      const r = await runSession(h, device, freshStore());
      const m = methods(r);
      assert.deepEqual(m.slice(m.indexOf('SetParameterValues')), ['SetParameterValues', 'GetParameterNames', 'SetParameterValues'], m.join());
      assert.deepEqual(r.sent.find((x) => x.method === 'GetParameterNames'), { method: 'GetParameterNames', ParameterPath: 'Device.DeviceInfo.', NextLevel: true });
      assert.equal(device.getValue(PII), '5');
      assert.notEqual(device.getValue('Device.DeviceInfo.SoftwareVersion'), 'hacked');
      assert.deepEqual(r.p.faults, [], 'no channel faults, the one whose value was left as it is included');
      const notWritable = r.stepLog.filter((e) => e.t === 'history' && e.entry.kind === 'provision-not-writable');
      assert.deepEqual(notWritable.map((e) => e.t === 'history' && e.entry.detail), [{ parameters: ['Device.DeviceInfo.SoftwareVersion'] }], 'the history says which value was left as it is');
    });

    it('a write the device takes leaves no not-writable entry', async function () {
      const h = await harness({ rw: preset([['set', PII, 7]], { channel: 'rw' }) }, { 'set.js': 'declare(args[0], null, { value: args[1] });' });
      const r = await runSession(h, newDevice(), freshStore());
      assert.ok(methods(r).includes('SetParameterValues'));
      assert.deepEqual(r.stepLog.filter((e) => e.t === 'history' && e.entry.kind === 'provision-not-writable'), []);
    });
  });

  describe('limits', function () {
    // Never satisfied: each write makes it want the next value.
    const chase = `
const v = declare('${PII}', { value: 1 });
if (v.value) declare('${PII}', null, { value: Number(v.value[0]) + 1 });
`;
    it('more planning rounds than ENGINE max steps: engine.limit on the channels, the session is done', async function () {
      const h = await harness({ a: preset(['chase'], { channel: 'chase' }), b: preset([], { channel: 'quiet' }) }, { 'chase.js': chase }, { limits: { maxRpcs: 1000, maxSteps: 5 } });
      const r = await runSession(h, newDevice(), freshStore());
      assert.equal(faultOf(r, 'chase')?.code, 'engine.limit');
      assert.match(faultOf(r, 'chase')?.message ?? '', /5 planning rounds/);
      assert.ok(r.outputs.length <= 6, `${r.outputs.length} steps`);
      assert.ok(r.p.done);
    });

    it('more RPCs than ENGINE max RPCs: engine.limit, done', async function () {
      const h = await harness({ a: preset(['chase'], { channel: 'chase' }) }, { 'chase.js': chase }, { limits: { maxRpcs: 4, maxSteps: 1000 } });
      const r = await runSession(h, newDevice(), freshStore());
      assert.equal(faultOf(r, 'chase')?.code, 'engine.limit');
      assert.match(faultOf(r, 'chase')?.message ?? '', /4 RPCs/);
      assert.ok(r.sent.length <= 4, `${r.sent.length} RPCs`);
    });

    it('a session that needs exactly ENGINE max RPCs finishes without a fault', async function () {
      const h = await harness({ a: preset([['interval', 321]], { channel: 'w' }) }, { 'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });` });
      const device = newDevice();
      const stored = freshStore();
      await stored.table.applyOp({ op: 'names', path: 'Device.ManagementServer.', nextLevel: true, parameters: [{ Name: PII, Writable: true }], time: Date.now() - 1000 });
      await stored.table.applyOp({ op: 'values', parameters: [{ Name: PII, Value: '60', type: 'xsd:unsignedInt' }], time: Date.now() - 1000 });
      const probe = await runSession(h, newDevice(), (() => { const s = freshStore(); s.table = new MemoryTable(stored.table.all()); return s; })());
      assert.deepEqual(methods(probe), ['SetParameterValues'], 'one RPC is all this needs');
      const h1 = await harness({ a: preset([['interval', 321]], { channel: 'w' }) }, { 'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });` }, { limits: { maxRpcs: 1, maxSteps: 32 } });
      const r = await runSession(h1, device, stored);
      assert.equal(device.getValue(PII), '321');
      assert.deepEqual(r.p.faults, [], 'it did not need more than 1 RPC');
    });

    it('the read that follows a listing counts within ENGINE max RPCs: not made past it, and the channel gets engine.limit', async function () {
      const script = { 'ssids.js': `declare('Device.WiFi.SSID.*.SSID', { value: 1 });` };
      const probe = await runSession(await harness({ a: preset(['ssids'], { channel: 'w' }) }, script), newDevice(), freshStore());
      assert.deepEqual(methods(probe).slice(0, 2), ['GetParameterNames', 'GetParameterValues'], `a listing, then its follow-up read: ${methods(probe).join()}`);
      const h = await harness({ a: preset(['ssids'], { channel: 'w' }) }, script, { limits: { maxRpcs: 1, maxSteps: 32 } });
      const r = await runSession(h, newDevice(), freshStore());
      assert.deepEqual(methods(r), ['GetParameterNames']);
      assert.equal(faultOf(r, 'w')?.code, 'engine.limit');
      assert.match(faultOf(r, 'w')?.message ?? '', /1 RPCs/);
      const room = await runSession(await harness({ a: preset(['ssids'], { channel: 'w' }) }, script, { limits: { maxRpcs: methods(probe).length, maxSteps: 32 } }), newDevice(), freshStore());
      assert.deepEqual(methods(room), methods(probe), 'with room for all of them, the same RPCs');
      assert.deepEqual(room.p.faults, []);
    });

    it('a new instance\'s alias keys count within ENGINE max RPCs: no AddObject without room for its keys\' SetParameterValues', async function () {
      const script = { 'guest.js': `declare('Device.WiFi.SSID.[SSID:acs-guest]', { path: 1 }, { instances: 1 });` };
      const probe = await runSession(await harness({ a: preset(['guest'], { channel: 'w' }) }, script), newDevice(), freshStore());
      const add = methods(probe).indexOf('AddObject');
      assert.ok(add >= 0 && methods(probe)[add + 1] === 'SetParameterValues', `an AddObject, then its keys: ${methods(probe).join()}`);
      // Room for everything before the AddObject and the AddObject itself, not for its keys.
      const tight = { limits: { maxRpcs: add + 1, maxSteps: 32 } };
      const device = newDevice();
      const r = await runSession(await harness({ a: preset(['guest'], { channel: 'w' }) }, script, tight), device, freshStore());
      assert.ok(!methods(r).includes('AddObject'), `no instance added without its keys: ${methods(r).join()}`);
      assert.ok(r.sent.length <= add + 1, `${r.sent.length} RPCs`);
      assert.equal(faultOf(r, 'w')?.code, 'engine.limit');
      const room = await runSession(await harness({ a: preset(['guest'], { channel: 'w' }) }, script, { limits: { maxRpcs: add + 2, maxSteps: 32 } }), newDevice(), freshStore());
      assert.deepEqual(methods(room).slice(0, add + 2), methods(probe).slice(0, add + 2), 'with room for both, the instance and its keys');
    });

    it('one planning round never queues more than ENGINE max RPCs (a script asking for 100,000 instances)', async function () {
      const h = await harness({ a: preset(['flood'], { channel: 'flood' }) }, {
        'flood.js': `declare('Device.NAT.PortMapping.*', { path: 1 }, { instances: 100000 });`,
      }, { limits: { maxRpcs: 20, maxSteps: 32 } });
      const { state, table } = newState(h, newDevice());
      await table.applyInform(state.inform);
      await table.applyOp({ op: 'names', path: 'Device.NAT.PortMapping.', nextLevel: true, parameters: [], time: Date.now() });
      const out = await step(h.deps, state, { table, stored: { channelFaults: [], tags: [] } });
      assert.ok(out.requests.length <= 20, `one step queued ${out.requests.length} ${out.requests[0]?.request.method} requests`);
    });

    it('an engine limit does not touch a channel that is backing off (its stored fault stays as it is)', async function () {
      const h = await harness({ a: preset(['chase'], { channel: 'chase' }), b: preset([['interval', 5]], { channel: 'waiting' }) }, {
        'chase.js': chase, 'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });`,
      }, { limits: { maxRpcs: 1000, maxSteps: 4 } });
      const stored = freshStore();
      const t0 = Date.now();
      const waiting: ChannelFault = { channel: 'waiting', code: 'script.error', message: 'line 3', script: 'interval', line: 3, retries: 1, firstTime: t0 - 1000, time: t0 - 1000, nextRetry: t0 + 59_000 };
      stored.channelFaults = [waiting];
      const r = await runSession(h, newDevice(), stored, { startedAt: t0 });
      assert.equal(faultOf(r, 'chase')?.code, 'engine.limit');
      assert.equal(faultOf(r, 'waiting'), undefined, JSON.stringify(faultOf(r, 'waiting')));
      assert.deepEqual(stored.channelFaults.find((f) => f.channel === 'waiting'), waiting);
    });
  });

  describe('presets', function () {
    const interval = { 'interval.js': `declare('${PII}', { value: 1 }, { value: args[0] });` };

    it('filters by events (all of them, and none of the negated ones)', async function () {
      const USER = 'Device.ManagementServer.ConnectionRequestUsername';
      const h = await harness({
        boot: preset([['set', PII, 100]], { events: ['1 BOOT'], channel: 'boot' }),
        notPeriodic: preset([['set', USER, 'np']], { events: ['-2 PERIODIC'], channel: 'np', weight: 5 }),
      }, { 'set.js': 'declare(args[0], { value: 1 }, { value: args[1] });' });
      const device = newDevice();
      const stored = freshStore();
      const periodic = await runSession(h, device, stored, { events: ['2 PERIODIC'] });
      assert.deepEqual(periodic.p.presets, []);
      assert.deepEqual(methods(periodic), []);
      const bootPeriodic = await runSession(h, device, stored, { events: ['1 BOOT', '2 PERIODIC'] });
      assert.deepEqual(bootPeriodic.p.presets, ['boot']);
      assert.equal(device.getValue(PII), '100');
      assert.notEqual(device.getValue(USER), 'np');
      const boot = await runSession(h, device, stored, { events: ['1 BOOT'] });
      assert.deepEqual(boot.p.presets, ['boot', 'notPeriodic']);
      assert.equal(device.getValue(USER), 'np');
    });

    it('the precondition is evaluated on the cache at the first step only', async function () {
      const h = await harness({
        p: preset(['flip'], { precondition: `${PII} < 1000`, channel: 'p' }),
        q: preset([['interval', 50]], { precondition: `${PII} = 2000`, channel: 'q', weight: 5 }),
      }, { ...interval, 'flip.js': `declare('${PII}', { value: 1 }, { value: 2000 });` });
      const device = newDevice();
      const stored = freshStore();
      await stored.table.applyOp({ op: 'names', path: 'Device.ManagementServer.', nextLevel: true, parameters: [{ Name: PII, Writable: true }], time: Date.now() - 1000 });
      await stored.table.applyOp({ op: 'values', parameters: [{ Name: PII, Value: '60', type: 'xsd:unsignedInt' }], time: Date.now() - 1000 });
      const r = await runSession(h, device, stored);
      assert.deepEqual(r.p.presets, ['p'], 'q did not hold at the first step');
      assert.equal(device.getValue(PII), '2000', 'p kept running after its own write made its precondition false');
      assert.ok(r.outputs.length >= 2);
      const next = await runSession(h, device, stored);
      assert.deepEqual(next.p.presets, ['q']);
      assert.equal(device.getValue(PII), '50');
    });

    it('runs presets in weight order: a heavier preset\'s value overrides a lighter one\'s', async function () {
      const h = await harness({
        aaa: preset([['interval', 900]], { weight: 10, channel: 'heavy' }),
        zzz: preset([['interval', 300]], { weight: 0, channel: 'light' }),
      }, interval);
      const device = newDevice();
      const r = await runSession(h, device, freshStore());
      assert.deepEqual(r.p.presets, ['zzz', 'aaa']);
      assert.equal(device.getValue(PII), '900');
      assert.deepEqual(r.p.faults, []);
    });

    it('a heavier preset that wants the value already there still overrides a lighter one (no ping-pong)', async function () {
      const h = await harness({
        heavy: preset([['interval', 3600]], { weight: 10, channel: 'heavy' }),
        light: preset([['interval', 300]], { weight: 0, channel: 'light' }),
      }, interval);
      const device = newDevice();
      const stored = freshStore();
      await stored.table.applyOp({ op: 'names', path: 'Device.ManagementServer.', nextLevel: true, parameters: [{ Name: PII, Writable: true }], time: Date.now() - 1000 });
      handleRequest(device, { method: 'SetParameterValues', ParameterList: [{ Name: PII, Value: '3600', type: 'xsd:unsignedInt' }], ParameterKey: '' });
      await stored.table.applyOp({ op: 'values', parameters: [{ Name: PII, Value: '3600', type: 'xsd:unsignedInt' }], time: Date.now() - 1000 });
      const r = await runSession(h, device, stored);
      assert.equal(device.getValue(PII), '3600');
      assert.deepEqual(r.p.faults, []);
      assert.deepEqual(methods(r), [], `nothing to change: ${methods(r).join()}`);
    });
  });

  describe('cache after a NextLevel=true listing', function () {
    it('a script listing instances, then declaring a value under each, gets the values read and set', async function () {
      const h = await harness({ p: preset(['ssids']) }, {
        'ssids.js': `
const now = Date.now();
const list = declare('Device.WiFi.SSID.*', { path: now });
commit();
log('instances', list.size);
declare('Device.WiFi.SSID.*.SSID', { value: now }, { value: 'lab' });
`,
      });
      const device = newDevice();
      const r = await runSession(h, device, freshStore());
      assert.equal(device.getValue('Device.WiFi.SSID.1.SSID'), 'lab', `${methods(r).join()} / ${JSON.stringify(r.p.logs)}`);
    });

    it('an alias-keyed instance that already exists is found, not added again', async function () {
      const device = newDevice();
      const name = device.getValue('Device.WiFi.SSID.1.SSID') ?? '';
      assert.ok(name !== '');
      const h = await harness({ p: preset([['guest', name]]) }, { 'guest.js': `declare('Device.WiFi.SSID.[SSID:' + args[0] + ']', { path: 1 }, { instances: 1 });` });
      const r = await runSession(h, device, freshStore());
      assert.ok(!methods(r).includes('AddObject'), `"${name}" is SSID.1 already: ${methods(r).join()}`);
    });

    it('an instance the device gained since the last session gets its values read and set too', async function () {
      const h = await harness({ p: preset(['ssids']) }, {
        'ssids.js': `
const now = Date.now();
declare('Device.WiFi.SSID.*', { path: now });
commit();
declare('Device.WiFi.SSID.*.SSID', { value: 1 }, { value: 'lab' });
`,
      });
      const device = newDevice();
      const stored = freshStore();
      await runSession(h, device, stored, { startedAt: Date.now() - 10_000 });
      const added = handleRequest(device, { method: 'AddObject', ObjectName: 'Device.WiFi.SSID.', ParameterKey: '' }).response;
      assert.equal(added.method, 'AddObjectResponse');
      const n = added.method === 'AddObjectResponse' ? added.InstanceNumber : 0;
      const r = await runSession(h, device, stored);
      assert.equal(device.getValue(`Device.WiFi.SSID.${n}.SSID`), 'lab', `new instance ${n}: ${methods(r).join()}`);
    });
  });
});

describe('engine step: fixes from review', function () {
  this.timeout(30_000);
  before(function () {
    base ??= loadModel(MODEL);
  });
  after(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  it('a refused alias-key SetParameterValues faults its channel at once: no listing, no second AddObject', async () => {
    const h = await harness(
      { nat: preset(['nat'], { channel: 'nat' }) },
      { 'nat.js': "declare('Device.NAT.PortMapping.[NoSuchKey:guest]', { path: Date.now() }, { instances: 1 });\n" },
    );
    const run = await runSession(h, newDevice(), freshStore());
    assert.equal(methods(run).filter((m) => m === 'AddObject').length, 1, methods(run).join(' '));
    assert.equal(faultOf(run, 'nat')?.code, 'cwmp.9003', JSON.stringify(run.p.faults));
  });

  it('two transfers in one round get their own record and CommandKey; credentials are not stored', async () => {
    const h = await harness(
      { files: preset(['files'], { channel: 'files' }) },
      {
        'files.js': [
          "declare('Downloads.[FileType:1 Firmware Upgrade Image,FileName:fw.bin,URL:http://127.0.0.1:1/fw.bin,Password:s3cret]', { path: 1 }, { instances: 1 });",
          "declare('Downloads.[FileType:3 Vendor Configuration File,FileName:cfg.xml,URL:http://127.0.0.1:1/cfg.xml]', { path: 1 }, { instances: 1 });",
        ].join('\n'),
      },
    );
    const stored = freshStore();
    const run = await runSession(h, newDevice(), stored);
    const downloads = run.sent.filter((r): r is Extract<CpeRequest, { method: 'Download' }> => r.method === 'Download');
    assert.deepEqual(downloads.map((d) => d.URL), ['http://127.0.0.1:1/fw.bin', 'http://127.0.0.1:1/cfg.xml'], 'each once');
    assert.equal(new Set(downloads.map((d) => d.CommandKey)).size, 2);
    assert.equal(downloads[0].Password, 's3cret');
    const rows = [...stored.table.all()].filter((r) => r.path.startsWith('Downloads.'));
    assert.deepEqual(rows.filter((r) => r.path.endsWith('.FileName')).map((r) => [r.path, r.value]), [['Downloads.1.FileName', 'fw.bin'], ['Downloads.2.FileName', 'cfg.xml']]);
    assert.ok(!rows.some((r) => r.path.endsWith('.Password') || r.value === 's3cret'), 'no credentials in the cache');
    const again = await runSession(h, newDeviceLike(run), stored);
    assert.deepEqual(methods(again).filter((m) => m === 'Download'), [], 'matched by their records next time');
  });
});

/** The same device again (same serial) for a later session. */
function newDeviceLike(run: SessionRun): DeviceModel {
  return createDevice(base, { SerialNumber: run.state.inform.deviceId.SerialNumber });
}
