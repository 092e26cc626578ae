import { strict as assert } from 'node:assert';
import type { NotificationLevel, SetParameterAttributes, SetParameterAttributesStruct } from '../../../src/cwmp/soap/types';
import type { DeviceModel } from '../../../src/sim/model';
import { FIXTURES, fault, newDevice, ok, tr181 } from './helpers';

function spa(...list: Array<Partial<SetParameterAttributesStruct> & { Name: string }>): SetParameterAttributes {
  return {
    method: 'SetParameterAttributes',
    ParameterList: list.map((s) => ({ NotificationChange: false, Notification: 0, AccessListChange: false, AccessList: [], ...s })),
  };
}

function attrs(d: DeviceModel, ...names: string[]): Array<[string, number, string[]]> {
  const r = ok(d, { method: 'GetParameterAttributes', ParameterNames: names }, 'GetParameterAttributesResponse');
  return r.ParameterList.map((a) => [a.Name, a.Notification, a.AccessList]);
}

for (const fx of FIXTURES) {
  describe(`sim/cpe attributes: ${fx.label}`, () => {
    const device = () => newDevice(fx.base());
    const crUrl = fx.root + 'ManagementServer.ConnectionRequestURL';

    it('GetParameterAttributes: Notification 0 and an empty AccessList by default, active for ConnectionRequestURL', () => {
      const d = device();
      assert.deepEqual(attrs(d, fx.string, crUrl), [
        [fx.string, 0, []],
        [crUrl, 2, []],
      ]);
    });

    it('GetParameterAttributes of a partial path lists the parameters below it', () => {
      const d = device();
      const path = fx.root + 'ManagementServer.';
      const list = attrs(d, path);
      assert.ok(list.length > 5);
      assert.ok(list.every(([name]) => name.startsWith(path) && !name.endsWith('.')));
    });

    it('GetParameterAttributes of an unknown name is fault 9005', () => {
      fault(device(), { method: 'GetParameterAttributes', ParameterNames: [fx.root + 'Nope'] }, 9005);
    });

    it('SetParameterAttributes sets Notification and AccessList, honouring the *Change flags', () => {
      const d = device();
      ok(d, spa({ Name: fx.string, NotificationChange: true, Notification: 1, AccessListChange: true, AccessList: ['Subscriber'] }), 'SetParameterAttributesResponse');
      assert.deepEqual(attrs(d, fx.string), [[fx.string, 1, ['Subscriber']]]);
      ok(d, spa({ Name: fx.string, NotificationChange: false, Notification: 2, AccessListChange: true, AccessList: [] }), 'SetParameterAttributesResponse');
      assert.deepEqual(attrs(d, fx.string), [[fx.string, 1, []]], 'Notification kept, AccessList cleared');
      ok(d, spa({ Name: fx.string, NotificationChange: true, Notification: 2, AccessListChange: false, AccessList: ['Subscriber'] }), 'SetParameterAttributesResponse');
      assert.deepEqual(attrs(d, fx.string), [[fx.string, 2, []]], 'AccessList kept');
    });

    it('SetParameterAttributes on a partial path applies to the parameters of the subtree', () => {
      const d = device();
      const path = fx.root + 'ManagementServer.';
      ok(d, spa({ Name: path, NotificationChange: true, Notification: 1 }), 'SetParameterAttributesResponse');
      const list = attrs(d, path);
      assert.ok(list.every(([, n]) => n === 1));
      assert.equal(attrs(d, fx.readOnly)[0][1], 0, 'outside the subtree unchanged');
    });

    it('rejects Notification 3-6 without lightweight notification support (9003), accepts them with it', () => {
      for (const n of [3, 4, 5, 6] as NotificationLevel[]) {
        fault(device(), spa({ Name: fx.string, NotificationChange: true, Notification: n }), 9003);
      }
      const d = device();
      ok(d, spa({ Name: fx.string, NotificationChange: true, Notification: 5 }), 'SetParameterAttributesResponse', { lightweightNotifications: true });
      assert.equal(attrs(d, fx.string)[0][1], 5);
    });

    it('rejects a Notification outside 0-6 and unknown AccessList entries with 9003', () => {
      fault(device(), spa({ Name: fx.string, NotificationChange: true, Notification: 7 as NotificationLevel }), 9003);
      fault(device(), spa({ Name: fx.string, AccessListChange: true, AccessList: ['Everyone'] }), 9003);
    });

    it('unknown names are fault 9005, and nothing is applied', () => {
      const d = device();
      fault(d, spa({ Name: fx.string, NotificationChange: true, Notification: 2 }, { Name: fx.root + 'Nope', NotificationChange: true, Notification: 1 }), 9005);
      assert.equal(attrs(d, fx.string)[0][1], 0);
    });

    if (fx.counter) {
      const counter = fx.counter;
      it('refuses active notification on a counter (9009) but allows passive; partial paths skip it', () => {
        const d = device();
        const f = fault(d, spa({ Name: counter, NotificationChange: true, Notification: 2 }), 9009);
        assert.match(f.FaultString, /Notification request rejected/);
        ok(d, spa({ Name: counter, NotificationChange: true, Notification: 1 }), 'SetParameterAttributesResponse');
        assert.equal(attrs(d, counter)[0][1], 1);
        const stats = counter.slice(0, counter.lastIndexOf('.') + 1);
        ok(d, spa({ Name: stats, NotificationChange: true, Notification: 2 }), 'SetParameterAttributesResponse');
        assert.equal(attrs(d, counter)[0][1], 1, 'kept');
      });
    }
  });
}

describe('sim/cpe attributes: forceEnabled parameters (generated tr181)', () => {
  it('keep active notification: setting another value is fault 9009', () => {
    const d = newDevice(tr181());
    const sw = 'Device.DeviceInfo.SoftwareVersion';
    assert.deepEqual(attrs(d, sw), [[sw, 2, []]]);
    fault(d, spa({ Name: sw, NotificationChange: true, Notification: 0 }), 9009);
    ok(d, spa({ Name: sw, NotificationChange: true, Notification: 2 }), 'SetParameterAttributesResponse');
    ok(d, spa({ Name: 'Device.DeviceInfo.', NotificationChange: true, Notification: 0 }), 'SetParameterAttributesResponse');
    assert.equal(attrs(d, sw)[0][1], 2, 'a partial path leaves it active');
  });
});
