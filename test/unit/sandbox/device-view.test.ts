import { strict as assert } from 'node:assert';
import { MemoryDeviceView } from '../../../src/sandbox/device-view';
import { parsePattern } from '../../../src/sandbox/path-pattern';
import type { Declaration } from '../../../src/sandbox/types';
import { sameValue, toScriptValue } from '../../../src/sandbox/values';
import { row, sampleRows, sampleView, T0 } from './helpers';

const paths = (view: MemoryDeviceView, pattern: string) => view.lookup(pattern).map((e) => e.path);
const decl = (path: string, timestamps: Declaration['timestamps'] = {}, values: Declaration['values'] = {}): Declaration => ({ path, timestamps, values });

describe('sandbox: path patterns', function () {
  it('parses names, wildcards and alias filters (keys may be relative paths)', function () {
    assert.deepEqual(parsePattern('Device.WiFi.SSID.*.SSID.'), [
      { kind: 'name', name: 'Device' }, { kind: 'name', name: 'WiFi' }, { kind: 'name', name: 'SSID' }, { kind: 'any' }, { kind: 'name', name: 'SSID' },
    ]);
    assert.deepEqual(parsePattern('A.[Name:wan,Stats.Mode:auto].B'), [
      { kind: 'name', name: 'A' },
      { kind: 'alias', filters: [{ key: ['Name'], value: 'wan' }, { key: ['Stats', 'Mode'], value: 'auto' }] },
      { kind: 'name', name: 'B' },
    ]);
    assert.deepEqual(parsePattern('A.[URL:http://x:80/]'), [{ kind: 'name', name: 'A' }, { kind: 'alias', filters: [{ key: ['URL'], value: 'http://x:80/' }] }]);
  });

  it('rejects malformed paths with a PathSyntaxError', function () {
    for (const bad of ['', '.', 'A..B', 'A.B*', 'A.[x:1', 'A.[x]', 'A.[:1]', 'A.[x:1]B', 'A.[*:1]']) {
      assert.throws(() => parsePattern(bad), (e: { code?: string }) => e.code === 'ACS_SANDBOX_PATH', bad);
    }
  });
});

describe('sandbox: MemoryDeviceView', function () {
  it('looks up a concrete path with all its attributes and timestamps', function () {
    const [e] = sampleView().lookup('Device.ManagementServer.PeriodicInformEnable');
    assert.deepEqual(e, {
      path: 'Device.ManagementServer.PeriodicInformEnable', object: false, value: 'true', type: 'xsd:boolean', writable: true,
      notification: 0, accessList: [],
      timestamps: { path: T0, object: T0, writable: T0, value: T0, notification: T0, accessList: T0 },
    });
    assert.deepEqual(sampleView().lookup('Device.Nothing.Here'), []);
  });

  it('matches * against every child, instances in numeric order, objects without a trailing dot', function () {
    const view = sampleView();
    assert.deepEqual(paths(view, 'Device.WiFi.SSID.*.SSID'), ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSID.2.SSID']);
    assert.deepEqual(paths(view, 'Device.IP.Interface.*'), ['Device.IP.Interface.1', 'Device.IP.Interface.10']);
    assert.deepEqual(paths(view, 'Device.IP.Interface.*.'), ['Device.IP.Interface.1', 'Device.IP.Interface.10']);
    assert.equal(view.lookup('Device.IP.Interface.1')[0].object, true);
    assert.deepEqual(paths(view, 'Device.*.SSID.2.Enable'), ['Device.WiFi.SSID.2.Enable']);
  });

  it('filters instances by alias: values compared as their type says, relative keys, all conditions', function () {
    const view = sampleView();
    assert.deepEqual(paths(view, 'Device.WiFi.SSID.[SSID:guest].Enable'), ['Device.WiFi.SSID.2.Enable']);
    assert.deepEqual(paths(view, 'Device.WiFi.SSID.[Enable:true]'), ['Device.WiFi.SSID.1'], '"1" is true for xsd:boolean');
    assert.deepEqual(paths(view, 'Device.WiFi.SSID.[Enable:0,SSID:guest]'), ['Device.WiFi.SSID.2']);
    assert.deepEqual(paths(view, 'Device.WiFi.SSID.[Enable:0,SSID:home]'), []);
    assert.deepEqual(paths(view, 'Device.IP.Interface.[Stats.Mode:auto].Name'), ['Device.IP.Interface.1.Name']);
    assert.deepEqual(paths(view, 'Device.IP.Interface.[Missing:x]'), []);
  });

  it('treats the session Inform parameters as fresh as the Inform', function () {
    const view = MemoryDeviceView.from(sampleRows(), { inform: { time: T0 + 5, parameters: ['Device.DeviceInfo.SoftwareVersion'] } });
    assert.equal(view.lookup('Device.DeviceInfo.SoftwareVersion')[0].timestamps.value, T0 + 5);
    assert.equal(view.lookup('Device.DeviceInfo.UpTime')[0].timestamps.value, T0);
  });

  it('objects only implied by rows below them are objects with no timestamps', function () {
    const view = MemoryDeviceView.from([row('A.B.C', 'x')]);
    assert.deepEqual(view.lookup('A.B'), [{ path: 'A.B', object: true, timestamps: {} }]);
  });
});

describe('sandbox: satisfied (commit) rules', function () {
  const view = sampleView();
  const met = (d: Declaration) => view.satisfied([d]);

  it('a value is met when cached equal (as its type says) and fresh enough', function () {
    assert.equal(met(decl('Device.ManagementServer.PeriodicInformInterval', {}, { value: [3600] })), true);
    assert.equal(met(decl('Device.ManagementServer.PeriodicInformInterval', {}, { value: ['3600'] })), true);
    assert.equal(met(decl('Device.ManagementServer.PeriodicInformInterval', {}, { value: [300] })), false);
    assert.equal(met(decl('Device.WiFi.SSID.1.Enable', {}, { value: [true] })), true);
    assert.equal(met(decl('Device.WiFi.SSID.1.Enable', {}, { value: [true, 'xsd:string'] })), false, 'a different type must be set');
    assert.equal(met(decl('Device.DeviceInfo.SoftwareVersion', { value: T0 })), true);
    assert.equal(met(decl('Device.DeviceInfo.SoftwareVersion', { value: T0 + 1 })), false);
  });

  it('attributes need their own reads', function () {
    assert.equal(met(decl('Device.ManagementServer.PeriodicInformEnable', {}, { notification: 0, accessList: [] })), true);
    assert.equal(met(decl('Device.ManagementServer.PeriodicInformEnable', {}, { notification: 2 })), false);
    assert.equal(met(decl('Device.ManagementServer.PeriodicInformInterval', {}, { notification: 0 })), false, 'never read');
    assert.equal(met(decl('Device.ManagementServer.PeriodicInformInterval', { notification: 1 })), false);
  });

  it('instances: counts exact or in range, and the list must be as fresh as timestamps.path', function () {
    assert.equal(met(decl('Device.IP.Interface.*', {}, { instances: 2 })), true);
    assert.equal(met(decl('Device.IP.Interface.*', {}, { instances: [1, 3] })), true);
    assert.equal(met(decl('Device.IP.Interface.*', {}, { instances: 3 })), false);
    assert.equal(met(decl('Device.IP.Interface.*', { path: T0 })), true);
    assert.equal(met(decl('Device.IP.Interface.*', { path: T0 + 1 })), false);
    assert.equal(met(decl('Device.WiFi.SSID.[SSID:none]', {}, { instances: 0 })), true);
    assert.equal(met(decl('Device.WiFi.SSID.[SSID:none]', {}, { instances: 1 })), false);
  });

  it('nothing matched: met once the parent was listed, unmet while the path is unknown', function () {
    assert.equal(met(decl('Device.WiFi.SSID.1.Missing', { value: 1 })), true, 'Device.WiFi.SSID.1. listed at T0');
    assert.equal(met(decl('Device.WiFi.SSID.1.Missing', { value: 1, path: T0 + 1 })), false);
    assert.equal(met(decl('Device.Vendor.X', {}, { value: [1] })), true, 'Device. listed its children at T0');
    assert.equal(MemoryDeviceView.from([]).satisfied([decl('Device.X', {}, { value: [1] })]), false, 'nothing ever listed');
    assert.equal(MemoryDeviceView.from([row('A.B.', null, { namesTime: null, valueTime: null })]).satisfied([decl('A.B.C', { value: 1 })]), false);
    assert.equal(met(decl('Vendor.X.Y')), true, 'nothing asked');
  });

  it('every declaration of the batch must be met', function () {
    assert.equal(view.satisfied([decl('Device.IP.Interface.*', {}, { instances: 2 }), decl('Device.DeviceInfo.UpTime', { value: T0 + 1 })]), false);
    assert.equal(view.satisfied([]), true);
  });
});

describe('sandbox: values', function () {
  it('scripts see booleans and exact integers natively, everything else as text', function () {
    assert.equal(toScriptValue('1', 'xsd:boolean'), true);
    assert.equal(toScriptValue('false', 'xsd:boolean'), false);
    assert.equal(toScriptValue('42', 'xsd:unsignedInt'), 42);
    assert.equal(toScriptValue('18446744073709551615', 'xsd:unsignedLong'), '18446744073709551615');
    assert.equal(toScriptValue('2024-01-01T00:00:00Z', 'xsd:dateTime'), '2024-01-01T00:00:00Z');
    assert.equal(toScriptValue('007', 'xsd:string'), '007');
  });

  it('compares declared and cached values by what they denote', function () {
    assert.ok(sameValue('1', 'xsd:boolean', true));
    assert.ok(!sameValue('1', 'xsd:boolean', false));
    assert.ok(sameValue('0300', 'xsd:unsignedInt', 300));
    assert.ok(sameValue('18446744073709551615', 'xsd:unsignedLong', '18446744073709551615'));
    assert.ok(sameValue('2024-01-01T00:00:00Z', 'xsd:dateTime', '2024-01-01T00:00:00.000Z'));
    assert.ok(!sameValue('abc', 'xsd:string', 'ABC'));
  });
});
