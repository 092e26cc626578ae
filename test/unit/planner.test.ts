/**
 * The provisioning planner (src/engine/planner): declarations + the cached
 * data model → the next round of RPCs. Views are built from CachedParameter
 * rows; where the rows must look like what a real exchange leaves behind,
 * they are produced with the same cache ops the session commits (MemoryTable).
 */
import { strict as assert } from 'node:assert';
import type { CpeRequest, ParameterInfoStruct } from '../../src/cwmp/soap/types';
import type { CacheOp, CachedParameter } from '../../src/db/types';
import { MemoryTable } from '../../src/engine/memory-table';
import { plan, planIsEmpty, type PlanOptions } from '../../src/engine/planner/plan';
import type { ChannelDeclaration, Plan, PlannedRequest } from '../../src/engine/planner/types';
import { MemoryDeviceView } from '../../src/sandbox/device-view';
import type { Declaration } from '../../src/sandbox/types';
import { row, sampleRows, T0 } from './sandbox/helpers';

/** The session's clock: an hour after the sample rows were read. */
const NOW = T0 + 3_600_000;

function ctx(over: Partial<PlanOptions> = {}): PlanOptions {
  return { now: NOW, parameterKey: 'pk-1', events: ['2 PERIODIC'], informTime: NOW, ...over };
}

function decl(path: string, timestamps: Declaration['timestamps'] = {}, values: Declaration['values'] = {}): Declaration {
  return { path, timestamps, values };
}

function cd(path: string, timestamps: Declaration['timestamps'] = {}, values: Declaration['values'] = {}, channel = 'c'): ChannelDeclaration {
  return { channel, declaration: decl(path, timestamps, values) };
}

function planOf(rows: Iterable<CachedParameter>, decls: ChannelDeclaration[], c: PlanOptions = ctx(), inform?: { time: number; parameters: string[] }): Plan {
  return plan(MemoryDeviceView.from(rows, inform ? { inform } : {}), decls, c);
}

function requests(p: Plan): CpeRequest[] {
  return p.requests.map((r) => r.request);
}

function only<M extends CpeRequest['method']>(p: Plan, method: M): Extract<CpeRequest, { method: M }>[] {
  return requests(p).filter((r): r is Extract<CpeRequest, { method: M }> => r.method === method);
}

function gpns(p: Plan): [string, boolean][] {
  return only(p, 'GetParameterNames').map((r) => [r.ParameterPath, r.NextLevel]);
}

function summary(p: Plan): string {
  return JSON.stringify(p.requests.map((r) => r.request));
}

/** Rows as a real exchange leaves them: applied with the session's cache ops. */
async function tableWith(rows: CachedParameter[], ...ops: CacheOp[]): Promise<MemoryTable> {
  const table = new MemoryTable(rows);
  for (const op of ops) await table.applyOp(op);
  return table;
}

const info = (Name: string, Writable = false): ParameterInfoStruct => ({ Name, Writable });
const PII = 'Device.ManagementServer.PeriodicInformInterval';

/** The sample device with every object's children listed at T0 (objects carry that as their valueTime), its tables writable. */
function sample(): CachedParameter[] {
  return listed(sampleRows());
}

function listed(rows: CachedParameter[]): CachedParameter[] {
  return rows.map((r) => (r.kind === 'leaf' ? r : { ...r, valueTime: r.valueTime ?? r.namesTime, writable: true }));
}

/** What an Inform leaves in an empty cache: values, no names, no writability. */
function informRows(time = T0): CachedParameter[] {
  const leaf = (path: string, value: string, type: CachedParameter['type'] = 'xsd:string'): CachedParameter => ({
    path, kind: 'leaf', value, type, writable: null, notification: null, accessList: null, valueTime: time, namesTime: null, attributesTime: null,
  });
  const obj = (path: string): CachedParameter => ({
    path, kind: 'object', value: null, type: null, writable: null, notification: null, accessList: null, valueTime: null, namesTime: null, attributesTime: null,
  });
  return [
    obj('Device.'),
    obj('Device.DeviceInfo.'),
    leaf('Device.DeviceInfo.SoftwareVersion', '2.0.0'),
    obj('Device.ManagementServer.'),
    leaf('Device.ManagementServer.ConnectionRequestURL', 'http://10.0.0.2:7547/'),
    leaf('Device.ManagementServer.ParameterKey', ''),
  ];
}

describe('engine planner: discovery', function () {
  it('a missing parameter is read with GetParameterValues at once (existence, value and type in one round)', function () {
    const p = planOf(informRows(), [cd(PII, {}, { value: [300] })]);
    assert.equal(p.phase, 'reads');
    assert.deepEqual(requests(p), [{ method: 'GetParameterValues', ParameterNames: [PII] }]);
  });

  it('an existing parameter whose existence must be fresher than the cache knows is read again', function () {
    const p = planOf(sample(), [cd(PII, { path: NOW })]);
    assert.deepEqual(requests(p), [{ method: 'GetParameterValues', ParameterNames: [PII] }]);
    assert.equal(planOf(sample(), [cd(PII, { path: T0 })]).phase, 'none');
  });

  it('a concrete path below missing objects is one GetParameterValues, not a listing of the objects', function () {
    const p = planOf(informRows(), [
      cd('Device.WiFi.SSID.1.SSID', {}, { value: ['home'] }),
      cd('Device.ManagementServer.ManageableDevice.1.OUI', { value: 1 }),
    ]);
    assert.deepEqual(requests(p), [{ method: 'GetParameterValues', ParameterNames: ['Device.WiFi.SSID.1.SSID', 'Device.ManagementServer.ManageableDevice.1.OUI'] }]);
  });

  it('`*` at the end lists the object, NextLevel=true', function () {
    const p = planOf(sample(), [cd('Device.WiFi.SSID.*', { path: NOW })]);
    assert.deepEqual(gpns(p), [['Device.WiFi.SSID.', true]], summary(p));
    assert.deepEqual(gpns(planOf(informRows(), [cd('Device.IP.Interface.*', { path: 1 }, { instances: 1 })])), [['Device.IP.Interface.', true]]);
  });

  it('a wildcard below missing objects lists the object it runs through, one level', function () {
    const p = planOf(informRows(), [cd('Device.WiFi.SSID.*.SSID', { value: 1 }, { value: ['x'] })]);
    assert.deepEqual(requests(p), [{ method: 'GetParameterNames', ParameterPath: 'Device.WiFi.SSID.', NextLevel: true }]);
  });

  it('declarations about an instance (a number, or `instances`) list the parent', function () {
    assert.deepEqual(gpns(planOf(informRows(), [cd('Device.WiFi.SSID.3', { path: 1 })])), [['Device.WiFi.SSID.', true]]);
    assert.deepEqual(gpns(planOf(informRows(), [cd('Device.WiFi.SSID.3.', { path: 1 })])), [['Device.WiFi.SSID.', true]]);
    assert.deepEqual(gpns(planOf(informRows(), [cd('Device.NAT.PortMapping.1', { path: 1 }, { instances: 0 })])), [['Device.NAT.PortMapping.', true]]);
  });

  it('an instance list older than declared: the list (NextLevel=true), then each instance\'s parameter (GetParameterValues)', async function () {
    const decls = [cd('Device.WiFi.SSID.*.SSID', { path: NOW, value: NOW })];
    const first = planOf(sample(), decls);
    assert.deepEqual(requests(first), [{ method: 'GetParameterNames', ParameterPath: 'Device.WiFi.SSID.', NextLevel: true }]);
    const table = await tableWith(sample(), { op: 'names', path: 'Device.WiFi.SSID.', nextLevel: true, parameters: [info('Device.WiFi.SSID.1.', true), info('Device.WiFi.SSID.3.', true)], time: NOW });
    const second = planOf(table.all(), decls);
    assert.deepEqual(requests(second), [{ method: 'GetParameterValues', ParameterNames: ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSID.3.SSID'] }]);
  });

  it('an object named by its parent\'s listing is not known to be empty: a wildcard under it lists it', async function () {
    const table = await tableWith(informRows(), {
      op: 'names', path: 'Device.ManagementServer.', nextLevel: true,
      parameters: [info(PII, true), info('Device.ManagementServer.ManageableDevice.'), info('Device.ManagementServer.ManageableDeviceNumberOfEntries')], time: NOW,
    });
    const p = planOf(table.all(), [cd('Device.ManagementServer.ManageableDevice.*.OUI', { value: 1 })]);
    assert.deepEqual(gpns(p), [['Device.ManagementServer.ManageableDevice.', true]], summary(p));
    const listed = await tableWith([...table.all()], { op: 'names', path: 'Device.ManagementServer.ManageableDevice.', nextLevel: true, parameters: [], time: NOW });
    assert.equal(planOf(listed.all(), [cd('Device.ManagementServer.ManageableDevice.*.OUI', { value: 1 })]).phase, 'none', 'listed empty: known empty');
  });

  it('an alias filter on an unlisted list: the list (NextLevel=true) first', function () {
    const rows = [...informRows(), row('Device.WiFi.'), row('Device.WiFi.SSID.', null, { namesTime: null, valueTime: null })];
    const p = planOf(rows, [cd('Device.WiFi.SSID.[SSID:guest].Enable', {}, { value: [false] })]);
    assert.deepEqual(gpns(p), [['Device.WiFi.SSID.', true]], summary(p));
  });

  it('after the list of an alias filter is read, the instances\' keys are read rather than a duplicate instance added', async function () {
    const table = await tableWith(sample().filter((r) => !r.path.startsWith('Device.WiFi.SSID.')), {
      op: 'names', path: 'Device.WiFi.SSID.', nextLevel: true, parameters: [info('Device.WiFi.SSID.1.', true), info('Device.WiFi.SSID.2.', true)], time: NOW,
    });
    const p = planOf(table.all(), [cd('Device.WiFi.SSID.[SSID:guest]', { path: 1 }, { instances: 1 })]);
    assert.deepEqual(requests(p), [{ method: 'GetParameterValues', ParameterNames: ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSID.2.SSID'] }],
      `SSID.1 or SSID.2 may well be "guest": ${summary(p)}`);
  });

  it('no subtree read (NextLevel=false) where at most one wildcard fans out (more: test/unit/planner-discovery.test.ts)', function () {
    const paths = ['Device.X.Y', 'Device.X.*.Y', 'Device.X.[A:b].Y', 'Device.X', 'Device', '*', '*.DeviceInfo.SoftwareVersion'];
    for (const path of paths) {
      for (const rows of [[], informRows(), sample()]) {
        const p = planOf(rows, [cd(path, { value: 1, path: NOW }, { value: ['v'] })]);
        for (const [object, nextLevel] of gpns(p)) assert.ok(nextLevel, `${path}: ${object} ${summary(p)}`);
      }
    }
  });

  it('a wildcard at the top lists the root ("" NextLevel=true)', function () {
    assert.deepEqual(gpns(planOf([], [cd('*', { path: 1 })])), [['', true]]);
    assert.deepEqual(gpns(planOf([], [cd('*.DeviceInfo.SoftwareVersion', { value: 1 })])), [['', true]]);
  });

  it('a parameter forgotten by clear() is read again, not taken as absent', async function () {
    const old = T0 - 1000;
    const base = await tableWith([], {
      op: 'names', path: 'Device.WiFi.', nextLevel: false,
      parameters: [info('Device.WiFi.SSID.'), info('Device.WiFi.SSID.1.', true), info('Device.WiFi.SSID.1.SSID', true)], time: old,
    }, { op: 'values', parameters: [{ Name: 'Device.WiFi.SSID.1.SSID', Value: 'home', type: 'xsd:string' }], time: old });
    for (const cleared of ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSID.1', 'Device.WiFi.SSID']) {
      const table = await tableWith([...base.all()], { op: 'clear', path: cleared, before: NOW, time: NOW });
      assert.equal(table.get('Device.WiFi.SSID.1.SSID'), undefined);
      const p = planOf(table.all(), [cd('Device.WiFi.SSID.1.SSID', { value: 1 })]);
      assert.equal(p.phase, 'reads', `after clear('${cleared}'): ${summary(p)}`);
    }
  });

  it('a known absence (the parent listed since) asks nothing', function () {
    const p = planOf(sample(), [cd('Device.ManagementServer.NoSuchThing', {}, { value: ['x'] }), cd('Device.WiFi.SSID.7.SSID', { value: 1 })]);
    assert.equal(p.phase, 'none', summary(p));
  });

  it('two channels needing the same list share one request; reads of different kinds go in one round', function () {
    const p = planOf(informRows(), [
      cd('Device.WiFi.SSID.*.SSID', { value: 1 }, {}, 'a'),
      cd('Device.WiFi.Radio.1.Channel', {}, { value: [6] }, 'b'),
      cd('Device.WiFi.SSID.*.Enable', { value: 1 }, {}, 'c'),
    ]);
    assert.deepEqual(requests(p), [
      { method: 'GetParameterNames', ParameterPath: 'Device.WiFi.SSID.', NextLevel: true },
      { method: 'GetParameterValues', ParameterNames: ['Device.WiFi.Radio.1.Channel'] },
    ]);
    assert.deepEqual(p.requests[0].channels.sort(), ['a', 'c']);
    assert.deepEqual(p.requests[1].channels, ['b']);
  });

  it('a declaration that asks nothing of its path reads nothing', function () {
    const p = planOf([], [cd('Device.X.Y')]);
    assert.equal(p.phase, 'none');
  });

  it('a parameter of unknown writability is written without listing first (a refusal lists it)', function () {
    const p = planOf(informRows(), [cd('Device.ManagementServer.ConnectionRequestURL', {}, { value: ['http://x/'] })]);
    assert.deepEqual(requests(p), [{ method: 'SetParameterValues', ParameterList: [{ Name: 'Device.ManagementServer.ConnectionRequestURL', Value: 'http://x/', type: 'xsd:string' }], ParameterKey: 'pk-1' }]);
  });

  it('writable/object timestamps list the parent', function () {
    assert.deepEqual(gpns(planOf(sample(), [cd(PII, { writable: NOW })])), [['Device.ManagementServer.', true]]);
    assert.deepEqual(gpns(planOf(sample(), [cd('Device.WiFi.SSID.1', { object: NOW })])), [['Device.WiFi.SSID.', true]]);
  });

  it('an object\'s children are known only from its own listing stamp, not from its children\'s names times', function () {
    const unstamped = sampleRows().map((r) => (r.kind === 'leaf' ? r : { ...r, valueTime: null }));
    assert.deepEqual(gpns(planOf(unstamped, [cd('Device.WiFi.SSID.*.SSID', { path: T0, value: T0 })])), [['Device.WiFi.SSID.', true]]);
    assert.equal(planOf(sample(), [cd('Device.WiFi.SSID.*.SSID', { path: T0, value: T0 })]).phase, 'none');
  });
});

describe('engine planner: reading values and attributes', function () {
  it('stale values are read in one GetParameterValues', function () {
    const p = planOf(sample(), [
      cd('Device.ManagementServer.PeriodicInformInterval', { value: NOW }),
      cd('Device.DeviceInfo.SoftwareVersion', { value: NOW }, {}, 'other'),
      cd('Device.WiFi.SSID.*.SSID', { value: NOW }),
    ]);
    assert.equal(p.phase, 'reads');
    const gpv = only(p, 'GetParameterValues');
    assert.equal(gpv.length, 1, summary(p));
    assert.deepEqual([...gpv[0].ParameterNames].sort(), [
      'Device.DeviceInfo.SoftwareVersion', 'Device.ManagementServer.PeriodicInformInterval', 'Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSID.2.SSID',
    ]);
    assert.deepEqual(p.requests.find((r) => r.request.method === 'GetParameterValues')?.channels.sort(), ['c', 'other']);
    assert.deepEqual(gpns(p), []);
  });

  it('fresh values (read at or after the declared time) are not read again', function () {
    const p = planOf(sample(), [
      cd('Device.ManagementServer.PeriodicInformInterval', { value: T0 }),
      cd('Device.WiFi.SSID.*.SSID', { path: T0, value: T0 - 1 }),
      cd('Device.DeviceInfo.UpTime', { value: 1 }),
    ]);
    assert.equal(p.phase, 'none', summary(p));
  });

  it('Inform parameters are as fresh as the Inform', function () {
    const rows = sample();
    const d = [cd('Device.DeviceInfo.SoftwareVersion', { value: NOW })];
    assert.equal(planOf(rows, d).phase, 'reads');
    assert.equal(planOf(rows, d, ctx(), { time: NOW, parameters: ['Device.DeviceInfo.SoftwareVersion'] }).phase, 'none');
  });

  it('stale notification or access list: one GetParameterAttributes (objects with a trailing ".")', function () {
    const p = planOf(sample(), [
      cd('Device.ManagementServer.PeriodicInformInterval', { notification: NOW }),
      cd('Device.ManagementServer.PeriodicInformEnable', { accessList: T0 }),
      cd('Device.WiFi.SSID.1', { accessList: NOW }),
    ]);
    const gpa = only(p, 'GetParameterAttributes');
    assert.equal(gpa.length, 1, summary(p));
    assert.deepEqual([...gpa[0].ParameterNames].sort(), ['Device.ManagementServer.PeriodicInformInterval', 'Device.WiFi.SSID.1.']);
  });

  it('names, values and attributes needed together go in the same round', function () {
    const p = planOf(sample(), [
      cd('Device.ManagementServer.PeriodicInformInterval', { value: NOW, notification: NOW }),
      cd('Device.WiFi.SSID.*', { path: NOW }),
    ]);
    assert.deepEqual(requests(p).map((r) => r.method), ['GetParameterNames', 'GetParameterValues', 'GetParameterAttributes']);
  });
});

describe('engine planner: writes', function () {
  it('writes only once nothing is left to read', function () {
    const decls = [
      cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [300] }),
      cd('Device.WiFi.SSID.1.SSID', { value: NOW }),
    ];
    const p = planOf(sample(), decls);
    assert.equal(p.phase, 'reads');
    assert.deepEqual(requests(p).map((r) => r.method), ['GetParameterValues']);
    const fresh = sample().map((r) => (r.path === 'Device.WiFi.SSID.1.SSID' ? { ...r, valueTime: NOW } : r));
    const w = planOf(fresh, decls);
    assert.equal(w.phase, 'writes');
    assert.deepEqual(requests(w).map((r) => r.method), ['SetParameterValues']);
  });

  it('sets only the values that differ, in one SetParameterValues with the ParameterKey', function () {
    const p = planOf(sample(), [
      cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [300] }),
      cd('Device.ManagementServer.PeriodicInformEnable', {}, { value: [true] }),
      cd('Device.WiFi.SSID.*.SSID', {}, { value: ['home'] }, 'wifi'),
    ]);
    const spv = only(p, 'SetParameterValues');
    assert.equal(spv.length, 1, summary(p));
    assert.equal(spv[0].ParameterKey, 'pk-1');
    assert.deepEqual(spv[0].ParameterList, [
      { Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '300', type: 'xsd:unsignedInt' },
      { Name: 'Device.WiFi.SSID.2.SSID', Value: 'home', type: 'xsd:string' },
    ]);
    assert.deepEqual(p.requests[0].channels.sort(), ['c', 'wifi']);
  });

  it('compares booleans and integers by meaning ("1" is true, "0300" is 300)', function () {
    const rows = [
      ...sample(),
      row('Device.ManagementServer.DefaultActiveNotificationThrottle', '0300', { type: 'xsd:unsignedInt' }),
    ];
    const p = planOf(rows, [
      cd('Device.WiFi.SSID.1.Enable', {}, { value: [true] }),
      cd('Device.WiFi.SSID.1.Enable', {}, { value: ['1'] }),
      cd('Device.WiFi.SSID.2.Enable', {}, { value: [false] }),
      cd('Device.WiFi.SSID.2.Enable', {}, { value: [0] }),
      cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: ['3600'] }),
      cd('Device.ManagementServer.DefaultActiveNotificationThrottle', {}, { value: [300] }),
    ]);
    assert.equal(p.phase, 'none', summary(p));
    const q = planOf(rows, [cd('Device.WiFi.SSID.1.Enable', {}, { value: [false] })]);
    assert.deepEqual(only(q, 'SetParameterValues')[0]?.ParameterList, [{ Name: 'Device.WiFi.SSID.1.Enable', Value: 'false', type: 'xsd:boolean' }]);
  });

  it('types the value: declared type, else the cached type, else one inferred from the value', function () {
    const rows = [
      ...sample(),
      row('Device.X.'),
      row('Device.X.Bool', null, { type: null, valueTime: null }),
      row('Device.X.Neg', null, { type: null, valueTime: null }),
      row('Device.X.Pos', null, { type: null, valueTime: null }),
      row('Device.X.Str', null, { type: null, valueTime: null }),
      row('Device.X.Frac', null, { type: null, valueTime: null }),
    ];
    const p = planOf(rows, [
      cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [600, 'xsd:int'] }),
      cd('Device.WiFi.SSID.1.Enable', {}, { value: ['0'] }),
      cd('Device.X.Bool', {}, { value: [true] }),
      cd('Device.X.Neg', {}, { value: [-5] }),
      cd('Device.X.Pos', {}, { value: [5] }),
      cd('Device.X.Str', {}, { value: ['s'] }),
      cd('Device.X.Frac', {}, { value: [1.5] }),
    ]);
    const list = only(p, 'SetParameterValues')[0]?.ParameterList ?? [];
    const types = Object.fromEntries(list.map((x) => [x.Name, [x.Value, x.type]]));
    assert.deepEqual(types, {
      'Device.ManagementServer.PeriodicInformInterval': ['600', 'xsd:int'],
      'Device.WiFi.SSID.1.Enable': ['false', 'xsd:boolean'], // canonical, as a task's value (tasks/values-check.ts)
      'Device.X.Bool': ['true', 'xsd:boolean'],
      'Device.X.Neg': ['-5', 'xsd:int'],
      'Device.X.Pos': ['5', 'xsd:unsignedInt'],
      'Device.X.Str': ['s', 'xsd:string'],
      'Device.X.Frac': ['1.5', 'xsd:string'],
    });
  });

  it('a declared type that differs from the cached one is a change even for the same text', function () {
    const p = planOf(sample(), [cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: ['3600', 'xsd:string'] })]);
    assert.deepEqual(only(p, 'SetParameterValues')[0]?.ParameterList, [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '3600', type: 'xsd:string' }]);
  });

  it('never sets a read-only parameter, nor a value on an object', function () {
    const p = planOf(sample(), [
      cd('Device.DeviceInfo.SoftwareVersion', {}, { value: ['9.9.9'] }),
      cd('Device.WiFi.SSID.1', {}, { value: ['x'] }),
    ]);
    assert.equal(p.phase, 'none', summary(p));
  });

  it('sets a value never read (nothing cached to compare with)', function () {
    const rows = [...sample(), row('Device.ManagementServer.URL', null, { valueTime: null })];
    const p = planOf(rows, [cd('Device.ManagementServer.URL', {}, { value: ['http://acs/'] })]);
    assert.deepEqual(only(p, 'SetParameterValues')[0]?.ParameterList, [{ Name: 'Device.ManagementServer.URL', Value: 'http://acs/', type: 'xsd:string' }]);
  });

  it('a later declaration of the same path overrides an earlier one (and both channels share the write)', function () {
    const p = planOf(sample(), [
      cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [300] }, 'light'),
      cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [900] }, 'heavy'),
    ]);
    assert.deepEqual(only(p, 'SetParameterValues')[0]?.ParameterList.map((x) => x.Value), ['900']);
    const q = planOf(sample(), [
      cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [300] }, 'light'),
      cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [3600] }, 'heavy'),
    ]);
    assert.equal(q.phase, 'none', `the heavier preset wants what is there: ${summary(q)}`);
  });

  it('SetParameterAttributes for notification and access lists that differ', function () {
    const p = planOf(sample(), [
      cd('Device.ManagementServer.PeriodicInformEnable', {}, { notification: 2 }),
      cd('Device.ManagementServer.PeriodicInformEnable', {}, { accessList: ['Subscriber'] }),
      cd('Device.WiFi.SSID.1', {}, { notification: 1 }),
    ]);
    const spa = only(p, 'SetParameterAttributes');
    assert.equal(spa.length, 1, summary(p));
    assert.deepEqual(spa[0].ParameterList, [
      // Two declarations of one parameter combine field by field: both changes go out.
      { Name: 'Device.ManagementServer.PeriodicInformEnable', NotificationChange: true, Notification: 2, AccessListChange: true, AccessList: ['Subscriber'] },
      { Name: 'Device.WiFi.SSID.1.', NotificationChange: true, Notification: 1, AccessListChange: false, AccessList: [] },
    ]);
    const same = planOf(sample(), [cd('Device.ManagementServer.PeriodicInformEnable', {}, { notification: 0, accessList: [] })]);
    assert.equal(same.phase, 'none', summary(same));
  });

  it('SetParameterAttributes with both changes keeps both', function () {
    const p = planOf(sample(), [cd('Device.ManagementServer.PeriodicInformEnable', {}, { notification: 2, accessList: ['Subscriber'] })]);
    assert.deepEqual(only(p, 'SetParameterAttributes')[0]?.ParameterList, [
      { Name: 'Device.ManagementServer.PeriodicInformEnable', NotificationChange: true, Notification: 2, AccessListChange: true, AccessList: ['Subscriber'] },
    ]);
  });
});

describe('engine planner: instances', function () {
  it('leaves tables and instances the device says are read-only alone', function () {
    const ro = sample().map((r) => (r.path === 'Device.WiFi.SSID.' || r.path === 'Device.IP.Interface.10.' ? { ...r, writable: false } : r));
    assert.equal(planOf(ro, [cd('Device.WiFi.SSID.[SSID:new]', {}, { instances: 1 })]).phase, 'none');
    assert.deepEqual(only(planOf(ro, [cd('Device.IP.Interface.*', {}, { instances: 0 })]), 'DeleteObject').map((r) => r.ObjectName), ['Device.IP.Interface.1.']);
  });

  it('AddObject for a missing alias-keyed instance, carrying its keys', function () {
    const p = planOf(sample(), [cd('Device.WiFi.SSID.[SSID:lab,Enable:true]', { path: 1 }, { instances: 1 })]);
    assert.equal(p.phase, 'writes');
    assert.deepEqual(requests(p), [{ method: 'AddObject', ObjectName: 'Device.WiFi.SSID.', ParameterKey: 'pk-1' }]);
    const keys = p.requests[0].keys ?? [];
    assert.deepEqual(keys.map((k) => [k.Name, k.Value]), [['SSID', 'lab'], ['Enable', 'true']]);
  });

  it('the alias keys of a new instance are typed like the same parameter of its siblings', function () {
    const p = planOf(sample(), [cd('Device.WiFi.SSID.[SSID:lab,Enable:true]', { path: 1 }, { instances: 1 })]);
    const keys = p.requests[0]?.keys ?? [];
    assert.deepEqual(keys.map((k) => [k.Name, k.type]), [['SSID', 'xsd:string'], ['Enable', 'xsd:boolean']], JSON.stringify(keys));
  });

  it('an existing matching instance needs nothing', function () {
    const p = planOf(sample(), [cd('Device.WiFi.SSID.[SSID:guest]', { path: 1 }, { instances: 1 })]);
    assert.equal(p.phase, 'none', summary(p));
  });

  it('AddObject as many times as instances are missing (`*`, no keys)', function () {
    const p = planOf(sample(), [cd('Device.WiFi.SSID.*', { path: 1 }, { instances: [4, 8] })]);
    assert.deepEqual(requests(p).map((r) => r.method), ['AddObject', 'AddObject']);
    assert.ok(p.requests.every((r) => r.keys === undefined || r.keys.length === 0));
  });

  it('DeleteObject of the surplus instances, highest numbers first (numeric, not text order)', function () {
    const rows = listed([...sampleRows(), row('Device.IP.Interface.2.'), row('Device.IP.Interface.3.')]);
    const p = planOf(rows, [cd('Device.IP.Interface.*', { path: 1 }, { instances: [0, 2] })]);
    assert.deepEqual(requests(p), [
      { method: 'DeleteObject', ObjectName: 'Device.IP.Interface.3.', ParameterKey: 'pk-1' },
      { method: 'DeleteObject', ObjectName: 'Device.IP.Interface.10.', ParameterKey: 'pk-1' },
    ]);
  });

  it('alias instances are counted among the matching ones only', function () {
    const p = planOf(sample(), [cd('Device.IP.Interface.[Name:lan]', { path: 1 }, { instances: 0 })]);
    assert.deepEqual(requests(p), [{ method: 'DeleteObject', ObjectName: 'Device.IP.Interface.10.', ParameterKey: 'pk-1' }]);
  });

  it('counts per parent under a wildcard parent', function () {
    const rows = listed([
      row('Device.'), row('Device.WiFi.'), row('Device.WiFi.AccessPoint.'),
      row('Device.WiFi.AccessPoint.1.'), row('Device.WiFi.AccessPoint.1.AC.'),
      row('Device.WiFi.AccessPoint.2.'), row('Device.WiFi.AccessPoint.2.AC.'),
      row('Device.WiFi.AccessPoint.2.AC.1.'), row('Device.WiFi.AccessPoint.2.AC.2.'), row('Device.WiFi.AccessPoint.2.AC.3.'),
      row('Device.WiFi.AccessPoint.3.'), row('Device.WiFi.AccessPoint.3.AC.'), row('Device.WiFi.AccessPoint.3.AC.1.'),
    ]);
    const p = planOf(rows, [cd('Device.WiFi.AccessPoint.*.AC.*', { path: 1 }, { instances: 1 })]);
    assert.deepEqual(requests(p).map((r) => `${r.method} ${'ObjectName' in r ? r.ObjectName : ''}`).sort(), [
      'AddObject Device.WiFi.AccessPoint.1.AC.',
      'DeleteObject Device.WiFi.AccessPoint.2.AC.2.',
      'DeleteObject Device.WiFi.AccessPoint.2.AC.3.',
    ]);
  });

  it('two alias-keyed instances under one object are both added', function () {
    const p = planOf(sample(), [
      cd('Device.WiFi.SSID.[SSID:lab]', { path: 1 }, { instances: 1 }),
      cd('Device.WiFi.SSID.[SSID:iot]', { path: 1 }, { instances: 1 }),
    ]);
    const added = p.requests.filter((r) => r.request.method === 'AddObject').map((r) => r.keys?.[0]?.Value).sort();
    assert.deepEqual(added, ['iot', 'lab'], summary(p));
  });

  it('instances and values in one write round: deletes, adds, then one SetParameterValues', function () {
    const rows = [...sample(), row('Device.IP.Interface.2.')];
    const p = planOf(rows, [
      cd('Device.IP.Interface.*', { path: 1 }, { instances: 2 }),
      cd('Device.WiFi.SSID.*', { path: 1 }, { instances: 3 }),
      cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [60] }),
    ]);
    assert.deepEqual(requests(p).map((r) => r.method), ['DeleteObject', 'AddObject', 'SetParameterValues']);
  });
});

describe('engine planner: actions', function () {
  const iso = (t: number) => new Date(t).toISOString();
  const history = (name: string, t: number) => row(name, iso(t), { type: 'xsd:dateTime', writable: false });

  it('Reboot wanted since a time the device has not rebooted since: one Reboot, recorded at the session time', function () {
    const p = planOf(sample(), [cd('Reboot', {}, { value: [NOW - 1000] })]);
    assert.equal(p.phase, 'actions');
    assert.deepEqual(requests(p), [{ method: 'Reboot', CommandKey: `reboot-${NOW}` }]);
    assert.deepEqual(p.requests[0].record, [{ Name: 'Reboot', Value: iso(NOW), type: 'xsd:dateTime' }]);
  });

  it('Reboot is met by a recorded reboot or a boot event at or after the wanted time', function () {
    const want = [cd('Reboot', {}, { value: [NOW - 1000] })];
    assert.equal(planOf([...sample(), history('Reboot', NOW - 500)], want).phase, 'none');
    assert.equal(planOf([...sample(), history('Reboot', NOW - 5000)], want).phase, 'actions');
    for (const event of ['1 BOOT', 'M Reboot', '0 BOOTSTRAP']) {
      assert.equal(planOf(sample(), want, ctx({ events: [event] })).phase, 'none', event);
    }
    assert.equal(planOf(sample(), want, ctx({ events: ['1 BOOT'], informTime: NOW - 2000 })).phase, 'actions', 'a boot before the wanted time');
    assert.equal(planOf(sample(), [cd('Reboot', {}, { value: [iso(NOW - 1000)] })]).phase, 'actions', 'a dateTime string');
    assert.equal(planOf(sample(), [cd('Reboot', {}, { value: [false] })]).phase, 'none');
  });

  it('Reboot `true` means once in this session', function () {
    const want = [cd('Reboot', {}, { value: [true] })];
    assert.equal(planOf([...sample(), history('Reboot', NOW - 1)], want).phase, 'actions', 'a reboot of an earlier session');
    assert.equal(planOf([...sample(), history('Reboot', NOW)], want).phase, 'none', 'this session rebooted it');
  });

  it('FactoryReset against its own record and BOOTSTRAP; it replaces every other action', function () {
    const want = cd('FactoryReset', {}, { value: [NOW - 1000] });
    assert.deepEqual(requests(planOf(sample(), [want])), [{ method: 'FactoryReset' }]);
    assert.equal(planOf([...sample(), history('FactoryReset', NOW - 10)], [want]).phase, 'none');
    assert.equal(planOf(sample(), [want], ctx({ events: ['0 BOOTSTRAP', '1 BOOT'] })).phase, 'none');
    assert.equal(planOf(sample(), [want], ctx({ events: ['1 BOOT'] })).phase, 'actions', 'a boot is not a reset');
    const both = planOf(sample(), [cd('Reboot', {}, { value: [true] }, 'a'), want, cd('Downloads.[FileType:1 Firmware Upgrade Image,URL:http://f/x.bin]', { path: 1 }, { instances: 1 })]);
    assert.deepEqual(requests(both).map((r) => r.method), ['FactoryReset']);
  });

  it('two channels wanting a reboot get one Reboot, shared', function () {
    const p = planOf(sample(), [cd('Reboot', {}, { value: [true] }, 'a'), cd('Reboot', {}, { value: [NOW] }, 'b')]);
    assert.equal(p.requests.length, 1);
    assert.deepEqual(p.requests[0].channels.sort(), ['a', 'b']);
  });

  it('a Download with the declared keys, recorded under Downloads.N; not again once recorded', function () {
    const path = 'Downloads.[FileType:1 Firmware Upgrade Image,FileName:fw-2.bin,URL:http://files/fw-2.bin]';
    const p = planOf(sample(), [cd(path, { path: 1 }, { instances: 1 })]);
    assert.equal(p.phase, 'actions');
    const [dl] = only(p, 'Download');
    assert.equal(dl.FileType, '1 Firmware Upgrade Image');
    assert.equal(dl.URL, 'http://files/fw-2.bin');
    assert.equal(dl.TargetFileName, 'fw-2.bin');
    assert.ok(dl.CommandKey.length > 0 && dl.CommandKey.length <= 32, dl.CommandKey);
    const record = p.requests[0].record ?? [];
    assert.deepEqual(record.map((r) => [r.Name, r.Value]), [
      ['Downloads.1.FileType', '1 Firmware Upgrade Image'], ['Downloads.1.FileName', 'fw-2.bin'], ['Downloads.1.URL', 'http://files/fw-2.bin'], ['Downloads.1.Time', iso(NOW)],
    ]);
    const recorded = [...sample(), ...record.map((r) => row(r.Name, r.Value, { type: r.type, writable: false }))];
    assert.equal(planOf(recorded, [cd(path, { path: 1 }, { instances: 1 })]).phase, 'none');
    const other = planOf(recorded, [cd('Downloads.[FileType:1 Firmware Upgrade Image,FileName:fw-3.bin,URL:http://files/fw-3.bin]', { path: 1 }, { instances: 1 })]);
    assert.deepEqual(other.requests[0].record?.[0].Name, 'Downloads.2.FileType');
  });

  it('two channels wanting the same file get one Download', function () {
    const path = 'Downloads.[FileType:1 Firmware Upgrade Image,URL:http://files/fw-2.bin]';
    const p = planOf(sample(), [cd(path, { path: 1 }, { instances: 1 }, 'a'), cd(path, { path: 1 }, { instances: 1 }, 'b')]);
    assert.deepEqual(requests(p).map((r) => r.method), ['Download']);
    assert.deepEqual(p.requests[0].channels.sort(), ['a', 'b']);
  });

  it('actions wait for reads and writes to be done', function () {
    const reboot = cd('Reboot', {}, { value: [true] });
    const read = planOf(sample(), [reboot, cd('Device.DeviceInfo.UpTime', { value: NOW })]);
    assert.equal(read.phase, 'reads');
    assert.deepEqual(requests(read).map((r) => r.method), ['GetParameterValues']);
    const write = planOf(sample(), [reboot, cd('Device.ManagementServer.PeriodicInformInterval', {}, { value: [60] })]);
    assert.deepEqual(requests(write).map((r) => r.method), ['SetParameterValues']);
    assert.deepEqual(requests(planOf(sample(), [reboot])).map((r) => r.method), ['Reboot']);
  });

  it('session facts and tags are no data-model paths: never an RPC', function () {
    const p = planOf(sample(), [
      cd('DeviceID.SerialNumber', { value: NOW }),
      cd('Events.1_BOOT', { value: NOW }),
      cd('Tags.vip', {}, { value: [true] }),
      cd('VirtualParameters.wan', { value: NOW }),
    ]);
    assert.equal(p.phase, 'none', summary(p));
  });
});

describe('engine planner: planIsEmpty', function () {
  it('true when the device already is as declared, false when something is to read, write or do', function () {
    const view = MemoryDeviceView.from(sample());
    assert.equal(planIsEmpty(view, [], ctx()), true);
    assert.equal(planIsEmpty(view, [decl('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: [3600] })], ctx()), true);
    assert.equal(planIsEmpty(view, [decl('Device.ManagementServer.PeriodicInformInterval', { value: NOW })], ctx()), false);
    assert.equal(planIsEmpty(view, [decl('Device.ManagementServer.PeriodicInformInterval', {}, { value: [60] })], ctx()), false);
    assert.equal(planIsEmpty(view, [decl('Reboot', {}, { value: [true] })], ctx()), false);
    assert.equal(planIsEmpty(view, [decl('Tags.x', {}, { value: [true] })], ctx()), true, 'tags are the step\'s to judge');
  });
});

// Keeps the helper types honest (PlannedRequest is part of the contract these tests read).
export type { PlannedRequest };
