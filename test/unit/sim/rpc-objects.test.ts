import { strict as assert } from 'node:assert';
import { NodeFlag, type DeviceModel } from '../../../src/sim/model';
import { FIXTURES, call, fault, gpv, newDevice, ok } from './helpers';

function instanceNumbers(d: DeviceModel, table: string): number[] {
  const ref = d.lookup(table);
  assert.ok(ref !== undefined, table);
  return d.children(ref).map((c) => Number(d.pathOf(c).slice(table.length, -1)));
}

for (const fx of FIXTURES) {
  describe(`sim/cpe objects: ${fx.label}`, () => {
    const device = () => newDevice(fx.base());
    const paramKey = fx.root + 'ManagementServer.ParameterKey';

    describe('AddObject', () => {
      it('creates the next instance, sets ParameterKey and has no effects', () => {
        const d = device();
        const before = instanceNumbers(d, fx.table);
        const { response, effects } = call(d, { method: 'AddObject', ObjectName: fx.table, ParameterKey: 'add-1' });
        assert.equal(response.method, 'AddObjectResponse');
        assert.deepEqual(effects, []);
        const r = response as { InstanceNumber: number; Status: number };
        assert.equal(r.InstanceNumber, Math.max(0, ...before) + 1);
        assert.equal(r.Status, 0);
        assert.deepEqual(instanceNumbers(d, fx.table), [...before, r.InstanceNumber]);
        assert.equal(gpv(d, paramKey), 'add-1');
        const names = ok(d, { method: 'GetParameterNames', ParameterPath: fx.table, NextLevel: true }, 'GetParameterNamesResponse');
        assert.ok(names.ParameterList.some((p) => p.Name === `${fx.table}${r.InstanceNumber}.` && p.Writable));
        const values = ok(d, { method: 'GetParameterValues', ParameterNames: [`${fx.table}${r.InstanceNumber}.`] }, 'GetParameterValuesResponse');
        assert.ok(values.ParameterList.length > 0, 'the template gave it parameters');
      });

      it('an ObjectName without the trailing dot is fault 9003', () => {
        fault(device(), { method: 'AddObject', ObjectName: fx.table.slice(0, -1), ParameterKey: '' }, 9003);
      });

      it('unknown objects, single objects, instances and parameters are fault 9005', () => {
        const d = device();
        fault(d, { method: 'AddObject', ObjectName: fx.root + 'Nope.', ParameterKey: 'x' }, 9005);
        fault(d, { method: 'AddObject', ObjectName: fx.root + 'DeviceInfo.', ParameterKey: 'x' }, 9005);
        fault(d, { method: 'AddObject', ObjectName: fx.root + 'ManagementServer.', ParameterKey: 'x' }, 9005);
        if (fx.instance) fault(d, { method: 'AddObject', ObjectName: fx.instance, ParameterKey: 'x' }, 9005);
        fault(d, { method: 'AddObject', ObjectName: fx.unsignedInt + '.', ParameterKey: 'x' }, 9005);
        assert.equal(gpv(d, paramKey), '', 'a fault leaves ParameterKey alone');
      });

      it('a read-only table is fault 9005', () => {
        const d = device();
        const base = fx.base();
        const readOnlyTable = base.paths.find((_p, id) => (base.flags[id] & NodeFlag.Table) !== 0 && (base.flags[id] & NodeFlag.Writable) === 0);
        assert.ok(readOnlyTable, 'the model has a read-only table');
        fault(d, { method: 'AddObject', ObjectName: readOnlyTable, ParameterKey: '' }, 9005);
      });
    });

    describe('DeleteObject', () => {
      it('deletes an existing instance with its subtree and sets ParameterKey', () => {
        if (!fx.instance) return;
        const d = device();
        const r = ok(d, { method: 'DeleteObject', ObjectName: fx.instance, ParameterKey: 'del-1' }, 'DeleteObjectResponse');
        assert.equal(r.Status, 0);
        assert.equal(gpv(d, paramKey), 'del-1');
        fault(d, { method: 'GetParameterValues', ParameterNames: [fx.instance] }, 9005);
        fault(d, { method: 'GetParameterNames', ParameterPath: fx.instance, NextLevel: false }, 9005);
        fault(d, { method: 'DeleteObject', ObjectName: fx.instance, ParameterKey: 'del-2' }, 9005);
        assert.equal(gpv(d, paramKey), 'del-1');
      });

      it('deletes an added instance', () => {
        const d = device();
        const n = ok(d, { method: 'AddObject', ObjectName: fx.table, ParameterKey: '' }, 'AddObjectResponse').InstanceNumber;
        ok(d, { method: 'DeleteObject', ObjectName: `${fx.table}${n}.`, ParameterKey: '' }, 'DeleteObjectResponse');
        assert.ok(!instanceNumbers(d, fx.table).includes(n));
        const m = ok(d, { method: 'AddObject', ObjectName: fx.table, ParameterKey: '' }, 'AddObjectResponse').InstanceNumber;
        assert.equal(m, n + 1, 'numbers are not reused');
      });

      it('an ObjectName without the trailing dot is fault 9003', () => {
        if (fx.instance) fault(device(), { method: 'DeleteObject', ObjectName: fx.instance.slice(0, -1), ParameterKey: '' }, 9003);
      });

      it('unknown objects, tables and single objects are fault 9005', () => {
        const d = device();
        fault(d, { method: 'DeleteObject', ObjectName: `${fx.table}999.`, ParameterKey: '' }, 9005);
        fault(d, { method: 'DeleteObject', ObjectName: fx.table, ParameterKey: '' }, 9005);
        fault(d, { method: 'DeleteObject', ObjectName: fx.root + 'DeviceInfo.', ParameterKey: '' }, 9005);
        fault(d, { method: 'DeleteObject', ObjectName: fx.root, ParameterKey: '' }, 9005);
      });
    });
  });
}

describe('sim/cpe objects: TR-098 NumberOfEntries names', () => {
  it('keeps LANWLANConfigurationNumberOfEntries in step on the EG8145V5 dump', () => {
    const fx = FIXTURES.find((f) => f.label.startsWith('EG8145V5'));
    assert.ok(fx);
    const d = newDevice(fx.base());
    const counter = 'InternetGatewayDevice.LANDevice.1.LANWLANConfigurationNumberOfEntries';
    const before = instanceNumbers(d, fx.table).length;
    assert.equal(gpv(d, counter), '2', 'as dumped (the real device counted its own way)');
    ok(d, { method: 'AddObject', ObjectName: fx.table, ParameterKey: '' }, 'AddObjectResponse');
    assert.equal(gpv(d, counter), String(before + 1));
  });
});
