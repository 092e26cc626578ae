/**
 * A path the device lacks is not an error (issue 11 §1): the planner finds
 * out what is absent with listings of objects it knows exist, never asks a
 * refused path again, and the absence of a whole root is kept in the cache
 * (the root's listing stamp) until a clear() or a BOOTSTRAP. Values are
 * judged against the parameter's type when planned for it, and a number for
 * an xsd:dateTime is epoch milliseconds.
 */
import { strict as assert } from 'node:assert';
import type { CacheOp, CachedParameter } from '../../src/db/types';
import { MemoryTable } from '../../src/engine/memory-table';
import { plan, type PlanOptions } from '../../src/engine/planner/plan';
import type { ChannelDeclaration, Plan } from '../../src/engine/planner/types';
import { wireValue } from '../../src/engine/planner/wire-value';
import { recoveryFor } from '../../src/engine/recovery';
import type { RequestOutcome } from '../../src/engine/types';
import { ROOT_LISTING } from '../../src/model/root-listing';
import type { DeclaredValues } from '../../src/sandbox';
import { MemoryDeviceView } from '../../src/sandbox/device-view';
import { row, T0 } from './sandbox/helpers';

const NOW = T0 + 3_600_000;
const CTX: PlanOptions = { now: NOW, parameterKey: 'pk', events: ['2 PERIODIC'], informTime: NOW };
const IGD = 'InternetGatewayDevice';
const TIME = `${IGD}.ManagementServer.PeriodicInformTime`;

/** What a TR-098 device's Inform leaves in an empty cache: parameters under its root, nothing listed. */
const INFORM_098 = [row(`${IGD}.DeviceInfo.SoftwareVersion`, 'V5'), row(`${IGD}.ManagementServer.URL`, 'http://acs')];

const declared = (path: string, values: DeclaredValues = {}, channel = 'c'): ChannelDeclaration => ({
  channel, declaration: { path, timestamps: { value: NOW }, values },
});

function requests(p: Plan): unknown[] {
  return p.requests.map((r) => r.request);
}

function planOn(root: MemoryDeviceView['root'], decls: ChannelDeclaration[], ctx: PlanOptions = CTX): Plan {
  return plan(new MemoryDeviceView(root, NOW, new Set()), decls, ctx);
}

async function tableOf(rows: CachedParameter[], ...ops: CacheOp[]): Promise<MemoryTable> {
  const table = new MemoryTable(rows);
  for (const op of ops) await table.applyOp(op);
  return table;
}

const ROOT_NAMES: CacheOp = { op: 'names', path: '', nextLevel: true, parameters: [{ Name: `${IGD}.`, Writable: false }], time: NOW - 1000 };
const LIST_ROOT = { method: 'GetParameterNames', ParameterPath: '', NextLevel: true };

describe('planner: a path the device lacks (issue 11 §1)', function () {
  describe('the other root', function () {
    it('both roots declared on a TR-098 cache: the top level is listed, nothing under Device. is asked', function () {
      const p = planOn(MemoryDeviceView.from(INFORM_098).root, [declared('Device.DeviceInfo.SoftwareVersion'), declared(`${IGD}.DeviceInfo.HardwareVersion`)]);
      assert.deepEqual(requests(p), [LIST_ROOT, { method: 'GetParameterValues', ParameterNames: [`${IGD}.DeviceInfo.HardwareVersion`] }]);
    });

    it('the listing is kept as a row of the cached model; a later session that loads it asks nothing about Device.', async function () {
      const table = await tableOf(INFORM_098, ROOT_NAMES);
      const stamp = table.get(ROOT_LISTING);
      assert.equal(stamp?.valueTime, NOW - 1000);
      assert.equal(stamp?.value, new Date(NOW - 1000).toISOString());
      const later = new MemoryTable([...table.all()]);
      assert.deepEqual(requests(planOn(later.root, [declared('Device.DeviceInfo.SoftwareVersion'), declared('Device.WiFi.SSID.*.SSID')])), []);
    });

    it('a fresher path timestamp than the listing lists the top level again', async function () {
      const table = await tableOf(INFORM_098, ROOT_NAMES);
      const fresh: ChannelDeclaration = { channel: 'c', declaration: { path: 'Device.DeviceInfo.SoftwareVersion', timestamps: { path: NOW }, values: {} } };
      assert.deepEqual(requests(planOn(table.root, [fresh])), [LIST_ROOT]);
    });

    it('a clear() later than the listing forgets it (the root is above every path); an older one keeps it', async function () {
      const kept = await tableOf(INFORM_098, ROOT_NAMES, { op: 'clear', path: `${IGD}.DeviceInfo`, before: NOW - 2000, time: NOW });
      assert.ok(kept.get(ROOT_LISTING));
      const cleared = await tableOf(INFORM_098, ROOT_NAMES, { op: 'clear', path: 'Device', before: NOW, time: NOW });
      assert.equal(cleared.get(ROOT_LISTING), undefined);
      assert.deepEqual(requests(planOn(cleared.root, [declared('Device.DeviceInfo.SoftwareVersion')])), [LIST_ROOT]);
    });

    it("a listing of the top level leaves the ACS's own records alone (action records, the stamp)", async function () {
      const records = [row('Reboot', new Date(T0).toISOString(), { type: 'xsd:dateTime' }), row('Downloads.1.FileType', '1 Firmware Upgrade Image')];
      const table = await tableOf([...INFORM_098, ...records], ROOT_NAMES, { ...ROOT_NAMES, time: NOW });
      for (const path of ['Reboot', 'Downloads.1.FileType', ROOT_LISTING, `${IGD}.DeviceInfo.SoftwareVersion`]) assert.ok(table.get(path), path);
      assert.equal(table.get(ROOT_LISTING)?.valueTime, NOW);
    });

    it('a script cannot make the engine ask the device for the stamp', async function () {
      const table = await tableOf(INFORM_098);
      assert.deepEqual(requests(planOn(table.root, [declared(ROOT_LISTING)])), []);
    });
  });

  describe('refused paths (9005)', function () {
    const outcome = (method: RequestOutcome['method'], paths: string[]): RequestOutcome => ({ method, channels: ['c'], paths, fault: { code: 9005, message: 'Invalid parameter name' } });

    it('a GetParameterValues refused whole lists the deepest known object above each name, once; the names are remembered', function () {
      const root = MemoryDeviceView.from(INFORM_098).root;
      const p = { refreshed: [], refused: [] };
      const names = [`${IGD}.ManagementServer.Username`, `${IGD}.DeviceInfo.X_ACME_Missing`, `${IGD}.X_ACME.Object.Value`];
      const listed = recoveryFor(outcome('GetParameterValues', names), p, root).map((r) => r.request);
      assert.deepEqual(listed, [`${IGD}.ManagementServer.`, `${IGD}.DeviceInfo.`, `${IGD}.`].map((ParameterPath) => ({ method: 'GetParameterNames', ParameterPath, NextLevel: true })));
      assert.deepEqual(p.refused, names);
      assert.deepEqual(recoveryFor(outcome('GetParameterValues', [`${IGD}.ManagementServer.Username`]), p, root), [], 'a second refusal under a listed object is the channel\'s fault');
    });

    it('a refused object is never asked for again: the object above it that the cache holds is listed instead', function () {
      // The listing after the refusal showed Device.WiFi. (not listed itself): SSID. under it is still unknown.
      const root = MemoryDeviceView.from([row('Device.DeviceInfo.SoftwareVersion', '1'), row('Device.WiFi.', null, { valueTime: null })]).root;
      const ctx = { ...CTX, refused: ['Device.WiFi.SSID.'] };
      assert.deepEqual(requests(planOn(root, [declared('Device.WiFi.SSID.*.SSID')], ctx)), [{ method: 'GetParameterNames', ParameterPath: 'Device.WiFi.', NextLevel: true }]);
      assert.deepEqual(requests(planOn(root, [declared('Device.WiFi.SSID.*.SSID')])), [{ method: 'GetParameterNames', ParameterPath: 'Device.WiFi.SSID.', NextLevel: true }]);
    });

    it('a refused name is not read again before its object is listed', function () {
      const root = MemoryDeviceView.from([row('Device.DeviceInfo.SoftwareVersion', '1')]).root;
      const ctx = { ...CTX, refused: ['Device.DeviceInfo.X_ACME_Missing'] };
      assert.deepEqual(requests(planOn(root, [declared('Device.DeviceInfo.X_ACME_Missing')], ctx)), [{ method: 'GetParameterNames', ParameterPath: 'Device.DeviceInfo.', NextLevel: true }]);
    });

    it('an object the cache holds but the device refused is not listed again (stale cache): the one above it is', function () {
      const root = MemoryDeviceView.from([row('Device.DeviceInfo.SoftwareVersion', '1'), row('Device.Hosts.Host.', null, { valueTime: null })]).root;
      const p = { refreshed: [], refused: [] };
      const listed = recoveryFor(outcome('GetParameterNames', ['Device.Hosts.Host.']), p, root).map((r) => r.request);
      assert.deepEqual(listed, [{ method: 'GetParameterNames', ParameterPath: 'Device.Hosts.', NextLevel: true }]);
      assert.deepEqual(requests(planOn(root, [declared('Device.Hosts.Host.*.HostName')], { ...CTX, refused: p.refused })), []);
      assert.deepEqual(requests(planOn(root, [declared('Device.Hosts.Host.*.HostName')])), [{ method: 'GetParameterNames', ParameterPath: 'Device.Hosts.Host.', NextLevel: true }]);
    });
  });
});

describe('planner: values judged when planned for a parameter (issue 11 §1)', function () {
  it('a number for an xsd:dateTime is epoch milliseconds, sent as ISO 8601; strings must be xsd:dateTime text', function () {
    assert.deepEqual(wireValue(3 * 3_600_000 + 120_000, 'xsd:dateTime'), { ok: true, value: '1970-01-01T03:02:00.000Z' });
    assert.deepEqual(wireValue('2024-05-01T10:00:00Z', 'xsd:dateTime'), { ok: true, value: '2024-05-01T10:00:00Z' });
    assert.equal(wireValue(8.64e15 + 1, 'xsd:dateTime').ok, false);
    assert.equal(wireValue('May 1, 2024', 'xsd:dateTime').ok, false);
    assert.equal(wireValue(true, 'xsd:dateTime').ok, false);
  });

  it('integers within their type, booleans as TR-069 writes them (canonical); strings take anything', function () {
    assert.deepEqual(wireValue(4294967295, 'xsd:unsignedInt'), { ok: true, value: '4294967295' });
    assert.deepEqual(wireValue(4294967296, 'xsd:unsignedInt'), { ok: false, reason: '"4294967296" is not a valid xsd:unsignedInt (out of range 0..4294967295)' });
    assert.equal(wireValue(-1, 'xsd:unsignedLong').ok, false);
    assert.equal(wireValue('-2147483648', 'xsd:int').ok, true);
    assert.equal(wireValue('2147483648', 'xsd:int').ok, false);
    assert.equal(wireValue('18446744073709551615', 'xsd:unsignedLong').ok, true);
    assert.equal(wireValue(true, 'xsd:int').ok, false);
    assert.deepEqual([true, 'false', '1', 0].map((v) => wireValue(v, 'xsd:boolean')), ['true', 'false', 'true', 'false'].map((value) => ({ ok: true, value })));
    for (const v of ['yes', 2]) assert.equal(wireValue(v, 'xsd:boolean').ok, false, String(v));
    assert.deepEqual(wireValue(42, 'xsd:string'), { ok: true, value: '42' });
  });

  it('a number declared for a cached xsd:dateTime is written as a date, and not again once the device holds that date', function () {
    const rows = [row(TIME, '0001-01-01T00:00:00Z', { type: 'xsd:dateTime', valueTime: NOW })];
    const want = [declared(TIME, { value: [120_000] })];
    assert.deepEqual(requests(planOn(MemoryDeviceView.from(rows).root, want)), [
      { method: 'SetParameterValues', ParameterList: [{ Name: TIME, Value: '1970-01-01T00:02:00.000Z', type: 'xsd:dateTime' }], ParameterKey: 'pk' },
    ]);
    const written = [row(TIME, '1970-01-01T00:02:00Z', { type: 'xsd:dateTime', valueTime: NOW })];
    assert.deepEqual(requests(planOn(MemoryDeviceView.from(written).root, want)), []);
  });

  it('a value its parameter cannot take leaves its channel out of the plan (invalid); the other channels are planned', function () {
    const INTERVAL = `${IGD}.ManagementServer.PeriodicInformInterval`;
    const rows = [row(INTERVAL, '3600', { type: 'xsd:unsignedInt', valueTime: NOW }), row(`${IGD}.ManagementServer.Username`, 'a', { valueTime: NOW })];
    const p = planOn(MemoryDeviceView.from(rows).root, [
      declared(INTERVAL, { value: ['hourly'] }, 'bad'),
      declared(`${IGD}.ManagementServer.Username`, { value: ['b'] }, 'good'),
    ]);
    assert.deepEqual(p.invalid, [{ channel: 'bad', path: INTERVAL, message: `${INTERVAL}: "hourly" is not a valid xsd:unsignedInt` }]);
    assert.deepEqual(p.requests.map((r) => r.channels), [['good']]);
  });

  it('a value for a path the device lacks is not judged', async function () {
    const table = await tableOf([row('Device.DeviceInfo.SoftwareVersion', '1')], { op: 'names', path: '', nextLevel: true, parameters: [{ Name: 'Device.', Writable: false }], time: NOW });
    const p = planOn(table.root, [declared(`${IGD}.ManagementServer.PeriodicInformInterval`, { value: ['hourly'] })]);
    assert.deepEqual(p, { phase: 'none', requests: [] });
  });
});
