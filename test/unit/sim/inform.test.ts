import { strict as assert } from 'node:assert';
import type { DeviceModel } from '../../../src/sim/model';
import { informParameters } from '../../../src/sim/cpe';
import { eg8145v5, newDevice, ok, tr098, tr181, xx230v } from './helpers';

const names = (d: DeviceModel): string[] => informParameters(d).map((p) => p.Name);

function activate(d: DeviceModel, name: string): void {
  ok(d, { method: 'SetParameterAttributes', ParameterList: [{ Name: name, NotificationChange: true, Notification: 2, AccessListChange: false, AccessList: [] }] }, 'SetParameterAttributesResponse');
}

describe('sim/cpe Inform parameters', () => {
  it('TR-181 (XX230v): the forcedInform parameters with their values', () => {
    const d = newDevice(xx230v(), { ConnectionRequestURL: 'http://10.0.0.9:7547/x' });
    const list = informParameters(d);
    assert.deepEqual(list.map((p) => p.Name), [
      'Device.RootDataModelVersion',
      'Device.DeviceInfo.HardwareVersion',
      'Device.DeviceInfo.SoftwareVersion',
      'Device.DeviceInfo.ProvisioningCode',
      'Device.ManagementServer.ParameterKey',
      'Device.ManagementServer.ConnectionRequestURL',
      'Device.ManagementServer.AliasBasedAddressing',
    ]);
    assert.deepEqual(list[5], { Name: 'Device.ManagementServer.ConnectionRequestURL', Value: 'http://10.0.0.9:7547/x', type: 'xsd:string' });
    assert.equal(list[6].type, 'xsd:boolean');
  });

  it('TR-181 (generated): RootDataModelVersion 2.17 and the ParameterKey of the last SetParameterValues', () => {
    const d = newDevice(tr181());
    ok(d, { method: 'SetParameterValues', ParameterList: [], ParameterKey: 'pk' }, 'SetParameterValuesResponse');
    const list = informParameters(d);
    assert.equal(list.find((p) => p.Name === 'Device.RootDataModelVersion')?.Value, '2.17');
    assert.equal(list.find((p) => p.Name === 'Device.ManagementServer.ParameterKey')?.Value, 'pk');
    assert.equal(list.length, 7);
  });

  it('TR-098 (EG8145V5): DeviceSummary, SpecVersion and the ExternalIPAddress of the connection the ACS reaches', () => {
    const d = newDevice(eg8145v5());
    assert.deepEqual(names(d), [
      'InternetGatewayDevice.DeviceSummary',
      'InternetGatewayDevice.DeviceInfo.HardwareVersion',
      'InternetGatewayDevice.DeviceInfo.SoftwareVersion',
      'InternetGatewayDevice.DeviceInfo.SpecVersion',
      'InternetGatewayDevice.DeviceInfo.ProvisioningCode',
      'InternetGatewayDevice.ManagementServer.ParameterKey',
      'InternetGatewayDevice.ManagementServer.ConnectionRequestURL',
      // the dump's ConnectionRequestURL host is this PPP connection's address
      'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.4.WANPPPConnection.1.ExternalIPAddress',
    ]);
    const other = newDevice(eg8145v5(), { ConnectionRequestURL: 'http://127.0.0.1:40001/' });
    assert.equal(names(other).at(-1), 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.ExternalIPAddress', 'else the first with an address');
  });

  it('TR-098 (generated): the first WAN IP connection', () => {
    const d = newDevice(tr098());
    const list = names(d);
    assert.ok(list.includes('InternetGatewayDevice.DeviceSummary'));
    assert.ok(list.includes('InternetGatewayDevice.ManagementServer.AliasBasedAddressing'));
    assert.equal(list.at(-1), 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress');
  });

  it('appends pending value changes once, without repeating forced parameters', () => {
    const d = newDevice(xx230v());
    activate(d, 'Device.DeviceInfo.UpTime');
    activate(d, 'Device.DeviceInfo.ProvisioningCode');
    d.deviceChange('Device.DeviceInfo.UpTime', '99');
    d.deviceChange('Device.DeviceInfo.ProvisioningCode', 'PC-1');
    const list = informParameters(d);
    assert.equal(list.length, 8);
    assert.deepEqual(list.at(-1), { Name: 'Device.DeviceInfo.UpTime', Value: '99', type: 'xsd:unsignedInt' });
    assert.equal(list.find((p) => p.Name === 'Device.DeviceInfo.ProvisioningCode')?.Value, 'PC-1');
    d.clearValueChanges(list);
    assert.equal(informParameters(d).length, 7);
  });
});
