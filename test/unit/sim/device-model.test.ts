import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DeviceModel, createDevice, loadCsvModel } from '../../../src/sim/model';
import { XX230V_CSV, call, fault, gpv, newDevice, ok, readModelCsv, report, tr181, xx230v } from './helpers';

// A real gc() for the memory test even without --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function collect(): void {
  gc();
  gc();
}

describe('sim/model: per-device view', () => {
  describe('identity', () => {
    it('overrides the base values and survives a factory reset', () => {
      const base = xx230v();
      const d = createDevice(base, {
        SerialNumber: 'SN-1',
        ProductClass: 'PC',
        OUI: 'ABCDEF',
        Manufacturer: 'Maker',
        ConnectionRequestURL: 'http://10.0.0.1:7547/sn1',
        ConnectionRequestUsername: 'cru',
        ConnectionRequestPassword: 'crp',
      });
      assert.deepEqual(d.deviceId(), { Manufacturer: 'Maker', OUI: 'ABCDEF', ProductClass: 'PC', SerialNumber: 'SN-1' });
      assert.equal(gpv(d, 'Device.ManagementServer.ConnectionRequestURL'), 'http://10.0.0.1:7547/sn1');
      assert.equal(gpv(d, 'Device.ManagementServer.ConnectionRequestUsername'), 'cru');
      assert.equal(gpv(d, 'Device.ManagementServer.ConnectionRequestPassword'), '', 'hidden when read');
      assert.equal(d.getValue('Device.ManagementServer.ConnectionRequestPassword'), 'crp', 'but kept');
      ok(d, { method: 'SetParameterValues', ParameterList: [{ Name: 'Device.ManagementServer.ConnectionRequestUsername', Value: 'acs-set', type: 'xsd:string' }], ParameterKey: 'k' }, 'SetParameterValuesResponse');
      assert.equal(gpv(d, 'Device.ManagementServer.ConnectionRequestUsername'), 'acs-set');
      d.reset();
      assert.equal(gpv(d, 'Device.ManagementServer.ConnectionRequestUsername'), 'cru');
      assert.equal(gpv(d, 'Device.DeviceInfo.SerialNumber'), 'SN-1');
      assert.equal(gpv(d, 'Device.ManagementServer.ParameterKey'), '');
    });

    it('derives the model MAC addresses from the identity MAC', () => {
      const base = xx230v();
      assert.ok(base.macCount > 1);
      const a = createDevice(base, { SerialNumber: 'A', MACAddress: '02:10:00:00:00:00' });
      const b = createDevice(base, { SerialNumber: 'B', MACAddress: '02:10:00:00:01:00' });
      const c = createDevice(base, { SerialNumber: 'C' });
      const path = base.paths.find((p, id) => base.macSlot[id] === 0);
      assert.ok(path);
      assert.equal(a.getValue(path), '02:10:00:00:00:00');
      assert.equal(b.getValue(path), '02:10:00:00:01:00');
      assert.equal(c.getValue(path), base.values[base.id(path)], 'no MACAddress: the base value');
      const all = new Set(base.paths.filter((_p, id) => base.macSlot[id] >= 0).map((p) => a.getValue(p)));
      assert.equal(all.size, base.macCount);
    });
  });

  describe('copy-on-write isolation', () => {
    it('keeps one device\'s changes, added and deleted instances away from another and from the base', () => {
      const base = xx230v();
      const a = newDevice(base);
      const b = newDevice(base);
      const ssid = 'Device.WiFi.SSID.1.SSID';
      const original = base.values[base.id(ssid)];
      ok(a, { method: 'SetParameterValues', ParameterList: [{ Name: ssid, Value: 'mine', type: 'xsd:string' }], ParameterKey: 'a' }, 'SetParameterValuesResponse');
      const added = ok(a, { method: 'AddObject', ObjectName: 'Device.WiFi.SSID.', ParameterKey: 'a2' }, 'AddObjectResponse');
      ok(a, { method: 'DeleteObject', ObjectName: 'Device.Bridging.Bridge.1.', ParameterKey: 'a3' }, 'DeleteObjectResponse');
      ok(a, { method: 'SetParameterAttributes', ParameterList: [{ Name: ssid, NotificationChange: true, Notification: 2, AccessListChange: false, AccessList: [] }] }, 'SetParameterAttributesResponse');

      assert.equal(gpv(a, ssid), 'mine');
      assert.equal(gpv(b, ssid), original);
      assert.equal(base.values[base.id(ssid)], original);
      assert.ok(a.lookup(`Device.WiFi.SSID.${added.InstanceNumber}.`) !== undefined);
      fault(b, { method: 'GetParameterValues', ParameterNames: [`Device.WiFi.SSID.${added.InstanceNumber}.`] }, 9005);
      fault(a, { method: 'GetParameterValues', ParameterNames: ['Device.Bridging.Bridge.1.'] }, 9005);
      assert.ok(gpv(b, 'Device.Bridging.Bridge.1.Alias') !== undefined);
      const attrs = (d: DeviceModel): number =>
        ok(d, { method: 'GetParameterAttributes', ParameterNames: [ssid] }, 'GetParameterAttributesResponse').ParameterList[0].Notification;
      assert.equal(attrs(a), 2);
      assert.equal(attrs(b), 0);
      assert.equal(gpv(b, 'Device.ManagementServer.ParameterKey'), '');
    });

    it('stores a value set back to the base value as no change', () => {
      const base = xx230v();
      const d = newDevice(base);
      const ref = d.lookup('Device.WiFi.SSID.1.SSID');
      assert.ok(ref !== undefined);
      d.setValue(ref, 'x');
      d.setValue(ref, base.values[base.id('Device.WiFi.SSID.1.SSID')]);
      assert.equal(d.getValue('Device.WiFi.SSID.1.SSID'), base.values[base.id('Device.WiFi.SSID.1.SSID')]);
    });
  });

  describe('instances', () => {
    it('numbers AddObject instances above the highest one, never reusing a number until factory reset', () => {
      const d = newDevice(xx230v());
      const existing = d.children(d.lookup('Device.WiFi.SSID.')!).map((r) => Number(d.pathOf(r).split('.')[3]));
      const max = Math.max(...existing);
      const add = (): number => ok(d, { method: 'AddObject', ObjectName: 'Device.WiFi.SSID.', ParameterKey: '' }, 'AddObjectResponse').InstanceNumber;
      const n1 = add();
      assert.equal(n1, max + 1);
      ok(d, { method: 'DeleteObject', ObjectName: `Device.WiFi.SSID.${n1}.`, ParameterKey: '' }, 'DeleteObjectResponse');
      const n2 = add();
      assert.equal(n2, max + 2, 'deleted number not reused');
      ok(d, { method: 'DeleteObject', ObjectName: `Device.WiFi.SSID.${max}.`, ParameterKey: '' }, 'DeleteObjectResponse');
      assert.equal(add(), max + 3);
      d.reset();
      assert.equal(add(), max + 1, 'factory reset restarts numbering');
    });

    it('creates the template children with default values, a cpe- alias, and updates NumberOfEntries', () => {
      const d = newDevice(xx230v());
      const before = Number(gpv(d, 'Device.WiFi.SSIDNumberOfEntries'));
      const n = ok(d, { method: 'AddObject', ObjectName: 'Device.WiFi.SSID.', ParameterKey: 'p' }, 'AddObjectResponse').InstanceNumber;
      const p = `Device.WiFi.SSID.${n}.`;
      const names = ok(d, { method: 'GetParameterNames', ParameterPath: p, NextLevel: false }, 'GetParameterNamesResponse').ParameterList;
      const template = ok(d, { method: 'GetParameterNames', ParameterPath: 'Device.WiFi.SSID.1.', NextLevel: false }, 'GetParameterNamesResponse').ParameterList;
      assert.deepEqual(
        names.map((x) => x.Name.slice(p.length)),
        template.map((x) => x.Name.slice('Device.WiFi.SSID.1.'.length)),
        'same shape as the existing instance',
      );
      assert.equal(gpv(d, p + 'Alias'), `cpe-${n}`);
      assert.equal(gpv(d, p + 'Enable'), 'false');
      assert.equal(gpv(d, p + 'SSID'), '');
      assert.equal(gpv(d, 'Device.WiFi.SSIDNumberOfEntries'), String(before + 1));
      ok(d, { method: 'DeleteObject', ObjectName: p, ParameterKey: 'p' }, 'DeleteObjectResponse');
      assert.equal(gpv(d, 'Device.WiFi.SSIDNumberOfEntries'), String(before));
    });

    it('adds and deletes instances of tables inside added instances', () => {
      const d = newDevice(tr181());
      const ip = ok(d, { method: 'AddObject', ObjectName: 'Device.IP.Interface.', ParameterKey: '' }, 'AddObjectResponse').InstanceNumber;
      assert.equal(ip, 3);
      const table = `Device.IP.Interface.${ip}.IPv4Address.`;
      assert.deepEqual(d.children(d.lookup(table)!), [], 'nested tables start empty');
      const a = ok(d, { method: 'AddObject', ObjectName: table, ParameterKey: '' }, 'AddObjectResponse').InstanceNumber;
      const b = ok(d, { method: 'AddObject', ObjectName: table, ParameterKey: '' }, 'AddObjectResponse').InstanceNumber;
      assert.deepEqual([a, b], [1, 2]);
      assert.equal(gpv(d, `Device.IP.Interface.${ip}.IPv4AddressNumberOfEntries`), '2');
      ok(d, { method: 'SetParameterValues', ParameterList: [{ Name: `${table}2.IPAddress`, Value: '192.168.1.1', type: 'xsd:string' }], ParameterKey: '' }, 'SetParameterValuesResponse');
      assert.equal(gpv(d, `${table}2.IPAddress`), '192.168.1.1');
      ok(d, { method: 'DeleteObject', ObjectName: `${table}1.`, ParameterKey: '' }, 'DeleteObjectResponse');
      assert.equal(gpv(d, `Device.IP.Interface.${ip}.IPv4AddressNumberOfEntries`), '1');
      ok(d, { method: 'DeleteObject', ObjectName: `Device.IP.Interface.${ip}.`, ParameterKey: '' }, 'DeleteObjectResponse');
      fault(d, { method: 'GetParameterValues', ParameterNames: [`${table}2.IPAddress`] }, 9005);
      assert.equal(gpv(d, 'Device.IP.InterfaceNumberOfEntries'), '2');
    });

    it('hides a deleted base instance from names, values and lookups, and brings it back on reset', () => {
      const d = newDevice(xx230v());
      ok(d, { method: 'DeleteObject', ObjectName: 'Device.WiFi.SSID.1.', ParameterKey: '' }, 'DeleteObjectResponse');
      assert.equal(d.lookup('Device.WiFi.SSID.1.Stats.BytesSent'), undefined);
      const names = ok(d, { method: 'GetParameterNames', ParameterPath: 'Device.WiFi.', NextLevel: false }, 'GetParameterNamesResponse').ParameterList;
      assert.ok(!names.some((n) => n.Name.startsWith('Device.WiFi.SSID.1.')));
      const values = ok(d, { method: 'GetParameterValues', ParameterNames: ['Device.'] }, 'GetParameterValuesResponse').ParameterList;
      assert.ok(!values.some((n) => n.Name.startsWith('Device.WiFi.SSID.1.')));
      d.reset();
      assert.ok(d.lookup('Device.WiFi.SSID.1.Stats.BytesSent') !== undefined);
    });

    it('takes the template of an empty CSV table from the BBF model, or creates a bare instance without it', () => {
      const d = newDevice(xx230v());
      const n = ok(d, { method: 'AddObject', ObjectName: 'Device.Firewall.Chain.1.Rule.', ParameterKey: '' }, 'AddObjectResponse').InstanceNumber;
      assert.equal(n, 1);
      assert.equal(gpv(d, 'Device.Firewall.Chain.1.Rule.1.Enable'), 'false');
      assert.equal(gpv(d, 'Device.Firewall.Chain.1.Rule.1.Alias'), 'cpe-1');
      const bare = newDevice(loadCsvModel(readModelCsv(XX230V_CSV), { schemaFallback: false }));
      ok(bare, { method: 'AddObject', ObjectName: 'Device.Firewall.Chain.1.Rule.', ParameterKey: '' }, 'AddObjectResponse');
      const names = ok(bare, { method: 'GetParameterNames', ParameterPath: 'Device.Firewall.Chain.1.Rule.1.', NextLevel: false }, 'GetParameterNamesResponse');
      assert.deepEqual(names.ParameterList, [{ Name: 'Device.Firewall.Chain.1.Rule.1.', Writable: true }]);
    });
  });

  describe('notifications', () => {
    const path = 'Device.DeviceInfo.UpTime';
    const setNotification = (d: DeviceModel, name: string, n: 0 | 1 | 2): void => {
      ok(d, { method: 'SetParameterAttributes', ParameterList: [{ Name: name, NotificationChange: true, Notification: n, AccessListChange: false, AccessList: [] }] }, 'SetParameterAttributesResponse');
    };

    it('records device changes of passive/active parameters only', () => {
      const d = newDevice(xx230v());
      assert.equal(d.deviceChange(path, '1'), true);
      assert.deepEqual(d.pendingValueChanges(), [], 'notification off');
      setNotification(d, path, 1);
      d.deviceChange(path, '2');
      assert.deepEqual(d.pendingValueChanges(), [{ Name: path, Value: '2', type: 'xsd:unsignedInt' }]);
      assert.equal(d.hasActiveChange(), false, 'passive');
      assert.equal(d.deviceChange(path, '2'), false, 'same value: no change');
      setNotification(d, 'Device.WiFi.SSID.1.SSID', 2);
      d.deviceChange('Device.WiFi.SSID.1.SSID', 'user-set');
      assert.equal(d.hasActiveChange(), true);
      assert.deepEqual(d.pendingValueChanges().map((p) => p.Name), [path, 'Device.WiFi.SSID.1.SSID']);
      d.clearValueChanges(d.pendingValueChanges());
      assert.deepEqual(d.pendingValueChanges(), []);
      assert.equal(d.hasActiveChange(), false);
    });

    it('clears only the changes an Inform reported: one made after it was built stays, with its active flag', () => {
      const d = newDevice(xx230v());
      setNotification(d, path, 1);
      setNotification(d, 'Device.WiFi.SSID.1.SSID', 2);
      d.deviceChange(path, '5');
      const reported = d.pendingValueChanges();
      d.deviceChange(path, '6');
      d.deviceChange('Device.WiFi.SSID.1.SSID', 'late');
      d.clearValueChanges(reported);
      assert.deepEqual(d.pendingValueChanges().map((p) => `${p.Name}=${p.Value}`), [`${path}=6`, 'Device.WiFi.SSID.1.SSID=late']);
      assert.equal(d.hasActiveChange(), true, 'the late active change still wants a session');
      d.clearValueChanges(d.pendingValueChanges());
      assert.deepEqual(d.pendingValueChanges(), []);
      assert.equal(d.hasActiveChange(), false);
    });

    it('does not report changes the ACS made', () => {
      const d = newDevice(xx230v());
      setNotification(d, 'Device.WiFi.SSID.1.SSID', 2);
      ok(d, { method: 'SetParameterValues', ParameterList: [{ Name: 'Device.WiFi.SSID.1.SSID', Value: 'acs', type: 'xsd:string' }], ParameterKey: '' }, 'SetParameterValuesResponse');
      assert.deepEqual(d.pendingValueChanges(), []);
      assert.equal(d.hasActiveChange(), false);
      d.deviceChange('Device.WiFi.SSID.1.SSID', 'user');
      ok(d, { method: 'SetParameterValues', ParameterList: [{ Name: 'Device.WiFi.SSID.1.SSID', Value: 'acs2', type: 'xsd:string' }], ParameterKey: '' }, 'SetParameterValuesResponse');
      assert.deepEqual(d.pendingValueChanges(), [], 'the ACS overwrote the device change');
    });

    it('notifies ConnectionRequestURL changes actively by default', () => {
      const d = newDevice(xx230v(), { ConnectionRequestURL: 'http://a/' });
      d.deviceChange('Device.ManagementServer.ConnectionRequestURL', 'http://b/');
      assert.equal(d.hasActiveChange(), true);
    });

    it('throws on device changes of unknown paths or objects (a caller bug)', () => {
      const d = newDevice(xx230v());
      assert.throws(() => d.deviceChange('Device.Nope', '1'), /no parameter/);
      assert.throws(() => d.deviceChange('Device.DeviceInfo.', '1'), /no parameter/);
    });

    it('forgets pending changes on factory reset', () => {
      const d = newDevice(xx230v());
      setNotification(d, path, 2);
      d.deviceChange(path, '5');
      d.reset();
      assert.equal(d.hasActiveChange(), false);
      assert.deepEqual(d.pendingValueChanges(), []);
    });
  });

  describe('cost', () => {
    it('creates 20,000 device views on the XX230v base for a few hundred bytes each', () => {
      const base = xx230v();
      const N = 20000;
      const identity = (i: number, prefix: string) => {
        const sn = `${prefix}${String(i).padStart(7, '0')}`;
        return {
          SerialNumber: sn,
          ConnectionRequestURL: `http://10.1.${i >> 8}.${i & 255}:7547/${sn}`,
          ConnectionRequestUsername: sn,
          ConnectionRequestPassword: `pw${i}`,
          MACAddress: `02:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:00`,
        };
      };
      const identities = Array.from({ length: N }, (_, i) => identity(i, '22275A'));
      const measure = (make: (i: number) => DeviceModel): { bytes: number; devices: DeviceModel[] } => {
        collect();
        const before = process.memoryUsage().heapUsed;
        const devices: DeviceModel[] = new Array<DeviceModel>(N);
        for (let i = 0; i < N; i++) devices[i] = make(i);
        collect();
        return { bytes: (process.memoryUsage().heapUsed - before) / N, devices };
      };
      // The views alone (identities allocated beforehand), then views and their identities together.
      const views = measure((i) => createDevice(base, identities[i]));
      const viewBytes = views.bytes;
      assert.equal(views.devices[N - 1].deviceId().SerialNumber, identities[N - 1].SerialNumber);
      views.devices.length = 0;
      const whole = measure((i) => createDevice(base, identity(i, 'X')));
      report(`${N} XX230v device views: ${viewBytes.toFixed(0)} bytes per view, ${whole.bytes.toFixed(0)} bytes with its identity (5 strings)`);
      assert.equal(whole.devices[7].deviceId().SerialNumber, 'X0000007');
      assert.ok(viewBytes < 1024, `${viewBytes} bytes per view`);
      assert.ok(whole.bytes < 2048, `${whole.bytes} bytes per device`);
    });

    it('lists the whole XX230v model (GetParameterNames NextLevel=false) in a few milliseconds', () => {
      const d = newDevice(xx230v());
      const req = { method: 'GetParameterNames', ParameterPath: '', NextLevel: false } as const;
      call(d, req);
      const runs = 20;
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) call(d, req);
      const ms = (performance.now() - t0) / runs;
      const gpvT0 = performance.now();
      for (let i = 0; i < runs; i++) call(d, { method: 'GetParameterValues', ParameterNames: ['Device.'] });
      const gpvMs = (performance.now() - gpvT0) / runs;
      report(`GPN "" NextLevel=false on XX230v (6400 entries): ${ms.toFixed(2)} ms; GPV "Device." (5420 values): ${gpvMs.toFixed(2)} ms`);
      assert.ok(ms < 100);
    });

    it('answers a NextLevel=true listing in time proportional to the answer', () => {
      const d = newDevice(xx230v());
      const req = { method: 'GetParameterNames', ParameterPath: 'Device.DeviceInfo.', NextLevel: true } as const;
      call(d, req);
      const t0 = performance.now();
      for (let i = 0; i < 1000; i++) call(d, req);
      const us = ((performance.now() - t0) / 1000) * 1000;
      report(`GPN Device.DeviceInfo. NextLevel=true: ${us.toFixed(1)} µs`);
      assert.ok(us < 2000);
    });
  });
});
