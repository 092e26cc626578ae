import { strict as assert } from 'node:assert';
import type { ParameterValueStruct, SetParameterValues, XsdType } from '../../../src/cwmp/soap/types';
import { FIXTURES, call, fault, gpv, newDevice, ok, tr181 } from './helpers';

function spv(list: Array<[string, string, XsdType]>, key = 'key-1'): SetParameterValues {
  return { method: 'SetParameterValues', ParameterList: list.map(([Name, Value, type]): ParameterValueStruct => ({ Name, Value, type })), ParameterKey: key };
}

for (const fx of FIXTURES) {
  describe(`sim/cpe parameters: ${fx.label}`, () => {
    const device = () => newDevice(fx.base());
    const paramKey = fx.root + 'ManagementServer.ParameterKey';

    describe('GetParameterNames', () => {
      it('"" with NextLevel=true lists the root object', () => {
        const r = ok(device(), { method: 'GetParameterNames', ParameterPath: '', NextLevel: true }, 'GetParameterNamesResponse');
        assert.deepEqual(r.ParameterList, [{ Name: fx.root, Writable: false }]);
      });

      it('"" with NextLevel=false lists the whole model, root first', () => {
        const base = fx.base();
        const r = ok(device(), { method: 'GetParameterNames', ParameterPath: '', NextLevel: false }, 'GetParameterNamesResponse');
        assert.equal(r.ParameterList.length, base.size);
        assert.equal(r.ParameterList[0].Name, fx.root);
        assert.equal(new Set(r.ParameterList.map((p) => p.Name)).size, base.size, 'no duplicates');
      });

      it('a partial path with NextLevel=false lists the object itself and everything below', () => {
        const path = fx.root + 'ManagementServer.';
        const r = ok(device(), { method: 'GetParameterNames', ParameterPath: path, NextLevel: false }, 'GetParameterNamesResponse');
        assert.equal(r.ParameterList[0].Name, path);
        assert.ok(r.ParameterList.every((p) => p.Name.startsWith(path)));
        assert.ok(r.ParameterList.some((p) => p.Name === paramKey && p.Writable === false));
        assert.ok(r.ParameterList.some((p) => p.Name === fx.root + 'ManagementServer.PeriodicInformInterval' && p.Writable === true));
      });

      it('a partial path with NextLevel=true lists only the direct children, objects ending in "."', () => {
        const path = fx.root;
        const r = ok(device(), { method: 'GetParameterNames', ParameterPath: path, NextLevel: true }, 'GetParameterNamesResponse');
        assert.ok(r.ParameterList.length > 3);
        for (const p of r.ParameterList) {
          const rest = p.Name.slice(path.length);
          assert.match(rest, /^[^.]+\.?$/, p.Name);
        }
        assert.ok(r.ParameterList.some((p) => p.Name === fx.root + 'DeviceInfo.'));
        assert.ok(!r.ParameterList.some((p) => p.Name === fx.root));
      });

      it('lists table instances with their writability (DeleteObject allowed)', () => {
        const r = ok(device(), { method: 'GetParameterNames', ParameterPath: fx.table, NextLevel: true }, 'GetParameterNamesResponse');
        if (fx.instance) assert.ok(r.ParameterList.some((p) => p.Name === fx.instance && p.Writable === true));
        assert.ok(r.ParameterList.every((p) => /^\d+\.$/.test(p.Name.slice(fx.table.length))));
      });

      it('a parameter with NextLevel=false returns that parameter', () => {
        const r = ok(device(), { method: 'GetParameterNames', ParameterPath: fx.unsignedInt, NextLevel: false }, 'GetParameterNamesResponse');
        assert.deepEqual(r.ParameterList, [{ Name: fx.unsignedInt, Writable: true }]);
      });

      it('a parameter with NextLevel=true is fault 9003', () => {
        fault(device(), { method: 'GetParameterNames', ParameterPath: fx.unsignedInt, NextLevel: true }, 9003);
      });

      it('unknown paths and objects without their dot are fault 9005', () => {
        fault(device(), { method: 'GetParameterNames', ParameterPath: fx.root + 'NoSuchThing.', NextLevel: false }, 9005);
        fault(device(), { method: 'GetParameterNames', ParameterPath: fx.root + 'NoSuch', NextLevel: false }, 9005);
        fault(device(), { method: 'GetParameterNames', ParameterPath: fx.root + 'DeviceInfo', NextLevel: true }, 9005);
        fault(device(), { method: 'GetParameterNames', ParameterPath: fx.unsignedInt + '.', NextLevel: false }, 9005);
      });
    });

    describe('GetParameterValues', () => {
      it('returns full names with their type', () => {
        const base = fx.base();
        const r = ok(device(), { method: 'GetParameterValues', ParameterNames: [fx.unsignedInt, fx.boolean] }, 'GetParameterValuesResponse');
        assert.deepEqual(r.ParameterList, [
          { Name: fx.unsignedInt, Value: base.values[base.id(fx.unsignedInt)], type: 'xsd:unsignedInt' },
          { Name: fx.boolean, Value: base.values[base.id(fx.boolean)], type: 'xsd:boolean' },
        ]);
      });

      it('a partial path returns the parameters (no objects) of the subtree', () => {
        const path = fx.root + 'DeviceInfo.';
        const r = ok(device(), { method: 'GetParameterValues', ParameterNames: [path] }, 'GetParameterValuesResponse');
        assert.ok(r.ParameterList.length > 5);
        assert.ok(r.ParameterList.every((p) => p.Name.startsWith(path) && !p.Name.endsWith('.')));
        assert.ok(r.ParameterList.some((p) => p.Name === fx.readOnly));
      });

      it('the root path (or "") returns every parameter', () => {
        const r = ok(device(), { method: 'GetParameterValues', ParameterNames: [fx.root] }, 'GetParameterValuesResponse');
        assert.equal(r.ParameterList.length, fx.base().parameterCount);
        const all = ok(device(), { method: 'GetParameterValues', ParameterNames: [''] }, 'GetParameterValuesResponse');
        assert.equal(all.ParameterList.length, fx.base().parameterCount);
      });

      it('one unknown name faults the whole request with 9005', () => {
        const f = fault(device(), { method: 'GetParameterValues', ParameterNames: [fx.unsignedInt, fx.root + 'Nope.X'] }, 9005);
        assert.equal(f.FaultString, 'Invalid parameter name', 'the standard string');
        assert.equal(f.faultcode, 'Client');
        const verbose = fault(device(), { method: 'GetParameterValues', ParameterNames: [fx.root + 'Nope.X'] }, 9005, { verboseFaults: true });
        assert.equal(verbose.FaultString, `Invalid parameter name: ${fx.root}Nope.X`);
        fault(device(), { method: 'GetParameterValues', ParameterNames: [fx.root + 'DeviceInfo'] }, 9005);
        fault(device(), { method: 'GetParameterValues', ParameterNames: [fx.root + 'Nope.'] }, 9005);
      });

      it('reads passwords back as ""', () => {
        const d = newDevice(fx.base(), { ConnectionRequestPassword: 'secret' });
        assert.equal(gpv(d, fx.root + 'ManagementServer.ConnectionRequestPassword'), '');
      });
    });

    describe('SetParameterValues', () => {
      it('sets parameters of every type, answers Status 0 and stores ParameterKey', () => {
        const d = device();
        const r = ok(
          d,
          spv([
            [fx.string, 'Hello, world', 'xsd:string'],
            [fx.unsignedInt, '0600', 'xsd:unsignedInt'],
            [fx.boolean, '0', 'xsd:boolean'],
            [fx.dateTime, '2024-02-29T12:00:00Z', 'xsd:dateTime'],
          ], 'pk-42'),
          'SetParameterValuesResponse',
        );
        assert.equal(r.Status, 0);
        assert.equal(gpv(d, fx.string), 'Hello, world');
        assert.equal(gpv(d, fx.unsignedInt), '600', 'stored as the CPE formats it');
        assert.equal(gpv(d, fx.boolean), 'false');
        assert.equal(gpv(d, fx.dateTime), '2024-02-29T12:00:00Z');
        assert.equal(gpv(d, paramKey), 'pk-42');
      });

      it('is all or nothing: one bad parameter faults 9003 with one entry per bad parameter', () => {
        const d = device();
        const before = gpv(d, fx.string);
        const f = fault(
          d,
          spv([
            [fx.string, 'changed', 'xsd:string'],
            [fx.root + 'Nope', '1', 'xsd:string'],
            [fx.readOnly, '1', 'xsd:unsignedInt'],
            [fx.unsignedInt, '10', 'xsd:string'],
            [fx.boolean, 'yes', 'xsd:boolean'],
          ]),
          9003,
        );
        assert.equal(f.FaultString, 'Invalid arguments');
        assert.deepEqual(
          f.SetParameterValuesFault?.map((e) => e.FaultString),
          ['Invalid parameter name', 'Attempt to set a non-writable parameter', 'Invalid parameter type', 'Invalid parameter value'],
        );
        assert.deepEqual(
          f.SetParameterValuesFault?.map((e) => [e.ParameterName, e.FaultCode]),
          [
            [fx.root + 'Nope', 9005],
            [fx.readOnly, 9008],
            [fx.unsignedInt, 9006],
            [fx.boolean, 9007],
          ],
        );
        assert.equal(gpv(d, fx.string), before, 'nothing applied');
        assert.equal(gpv(d, paramKey), '', 'ParameterKey unchanged');
      });

      it('9005 for objects and partial paths', () => {
        const f = fault(device(), spv([[fx.root + 'DeviceInfo.', '', 'xsd:string']]), 9003);
        assert.equal(f.SetParameterValuesFault?.[0].FaultCode, 9005);
        const g = fault(device(), spv([[fx.root + 'DeviceInfo', '', 'xsd:string']]), 9003);
        assert.equal(g.SetParameterValuesFault?.[0].FaultCode, 9005);
      });

      const bad: Array<[string, string, XsdType, (f: typeof fx) => string]> = [
        ['unsignedInt not numeric', 'abc', 'xsd:unsignedInt', (f) => f.unsignedInt],
        ['unsignedInt negative', '-1', 'xsd:unsignedInt', (f) => f.unsignedInt],
        ['unsignedInt over 2^32-1', '4294967296', 'xsd:unsignedInt', (f) => f.unsignedInt],
        ['unsignedInt decimal', '1.5', 'xsd:unsignedInt', (f) => f.unsignedInt],
        ['boolean not 0/1/true/false', 'on', 'xsd:boolean', (f) => f.boolean],
        ['dateTime unparsable', 'yesterday', 'xsd:dateTime', (f) => f.dateTime],
        ['dateTime impossible date', '2023-02-30T00:00:00Z', 'xsd:dateTime', (f) => f.dateTime],
      ];
      for (const [what, value, type, pick] of bad) {
        it(`9007 for ${what}`, () => {
          const f = fault(device(), spv([[pick(fx), value, type]]), 9003);
          assert.deepEqual(f.SetParameterValuesFault?.map((e) => e.FaultCode), [9007]);
        });
      }

      it('accepts boolean and dateTime spellings the spec allows', () => {
        const d = device();
        ok(d, spv([[fx.boolean, 'TRUE', 'xsd:boolean'], [fx.dateTime, '2024-01-01T00:00:00.123+02:00', 'xsd:dateTime']]), 'SetParameterValuesResponse');
        assert.equal(gpv(d, fx.boolean), 'true');
        ok(d, spv([[fx.dateTime, '0001-01-01T00:00:00Z', 'xsd:dateTime']]), 'SetParameterValuesResponse');
      });

      it('the same parameter twice is fault 9003', () => {
        const f = fault(device(), spv([[fx.string, 'a', 'xsd:string'], [fx.string, 'b', 'xsd:string']]), 9003);
        assert.equal(f.SetParameterValuesFault, undefined);
      });

      it('a ParameterKey longer than 32 characters is fault 9003', () => {
        fault(device(), spv([[fx.string, 'a', 'xsd:string']], 'k'.repeat(33)), 9003);
      });

      it('with strictTypes=false accepts another xsi:type when the value fits', () => {
        const d = device();
        ok(d, spv([[fx.unsignedInt, '30', 'xsd:string']]), 'SetParameterValuesResponse', { strictTypes: false });
        assert.equal(gpv(d, fx.unsignedInt), '30');
        const f = fault(d, spv([[fx.unsignedInt, 'x', 'xsd:string']]), 9003, { strictTypes: false });
        assert.equal(f.SetParameterValuesFault?.[0].FaultCode, 9007);
      });

      it('answers Status 1 when the profile says changes apply after a reboot', () => {
        const r = ok(device(), spv([[fx.string, 'a', 'xsd:string']]), 'SetParameterValuesResponse', { applyStatus: 1 });
        assert.equal(r.Status, 1);
      });
    });
  });
}

describe('sim/cpe parameters: data model constraints (generated tr181)', () => {
  const d = () => newDevice(tr181());
  /** The SetParameterValuesFault code of setting one value, undefined on success. */
  const check = (name: string, value: string, type: XsdType): number | undefined => {
    const { response } = call(d(), spv([[name, value, type]]));
    return response.method === 'Fault' ? response.SetParameterValuesFault?.[0].FaultCode : undefined;
  };

  it('enforces ranges, enumerations, sizes and patterns with 9007', () => {
    assert.equal(check('Device.ManagementServer.PeriodicInformInterval', '0', 'xsd:unsignedInt'), 9007, 'range minInclusive 1');
    assert.equal(check('Device.ManagementServer.PeriodicInformInterval', '1', 'xsd:unsignedInt'), undefined);
    assert.equal(check('Device.ManagementServer.InstanceMode', 'Bogus', 'xsd:string'), 9007, 'enumeration');
    assert.equal(check('Device.ManagementServer.InstanceMode', 'InstanceAlias', 'xsd:string'), undefined);
    assert.equal(check('Device.ManagementServer.Username', 'x'.repeat(257), 'xsd:string'), 9007, 'maxLength 256');
    assert.equal(check('Device.ManagementServer.URL', 'http://acs.example/' + 'x'.repeat(300), 'xsd:string'), undefined, 'URL: 2048');
    assert.equal(check('Device.IP.Interface.1.IPv4Address.1.IPAddress', '300.1.1.1', 'xsd:string'), 9007, 'IPv4Address pattern');
    assert.equal(check('Device.IP.Interface.1.IPv4Address.1.IPAddress', '192.168.1.1', 'xsd:string'), undefined);
    assert.equal(check('Device.WiFi.SSID.1.Alias', 'x'.repeat(65), 'xsd:string'), 9007, 'Alias maxLength 64');
  });
});
