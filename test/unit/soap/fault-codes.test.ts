/** The fault catalogue (TR-069 A.5) and fault construction. */
import { strict as assert } from 'node:assert';
import { ACS_FAULTS, acsFault, CPE_FAULTS, cpeFault, faultcodeOf, faultInfo } from '../../../src/cwmp/soap/fault-codes';

describe('soap: fault codes', () => {
  it('lists ACS codes 8000-8006 and CPE codes 9000-9032, each with its standard string', () => {
    assert.deepEqual(Object.keys(ACS_FAULTS).map(Number), [8000, 8001, 8002, 8003, 8004, 8005, 8006]);
    assert.deepEqual(Object.keys(CPE_FAULTS).map(Number), Array.from({ length: 33 }, (_, i) => 9000 + i));
    for (const info of [...Object.values(ACS_FAULTS), ...Object.values(CPE_FAULTS)]) {
      assert.ok(info.string.length > 0 && !info.string.includes('\n'), String(info.code));
    }
    assert.equal(ACS_FAULTS[8005].string, 'Retry request');
    assert.equal(ACS_FAULTS[8006].string, 'ACS version incompatible with CPE');
    assert.equal(CPE_FAULTS[9008].string, 'Attempt to set a non-writable parameter');
  });

  it('marks invalid-argument style faults as Client and the rest as Server', () => {
    const client = [...Object.values(ACS_FAULTS), ...Object.values(CPE_FAULTS)].filter((f) => f.faultcode === 'Client').map((f) => f.code);
    assert.deepEqual(client, [8003, 9003, 9005, 9006, 9007, 9008]);
    assert.equal(faultcodeOf(9850), 'Server', 'vendor range');
    assert.equal(faultInfo(1234), undefined);
  });

  it('builds ACS faults with the standard or a given message', () => {
    assert.deepEqual(acsFault(8005), { method: 'Fault', faultcode: 'Server', FaultCode: 8005, FaultString: 'Retry request' });
    assert.deepEqual(acsFault(8003, 'Inform: DeviceId.OUI missing'), {
      method: 'Fault', faultcode: 'Client', FaultCode: 8003, FaultString: 'Inform: DeviceId.OUI missing',
    });
  });

  it('builds CPE faults, with SetParameterValuesFault only when given', () => {
    assert.deepEqual(cpeFault(9000), { method: 'Fault', faultcode: 'Server', FaultCode: 9000, FaultString: 'Method not supported' });
    const spv = [{ ParameterName: 'Device.X', FaultCode: 9007, FaultString: 'bad' }];
    assert.deepEqual(cpeFault(9003, undefined, spv).SetParameterValuesFault, spv);
  });
});
