/**
 * encode -> decode gives back the same envelope for every CwmpMessage
 * variant, in both directions (the ACS and the CPE simulator share the codec).
 */
import { strict as assert } from 'node:assert';
import { decode } from '../../../src/cwmp/soap/decode';
import { encode } from '../../../src/cwmp/soap/encode';
import { CWMP_METHODS } from '../../../src/cwmp/soap/methods';
import type { CwmpEnvelope, CwmpHeader, CwmpMethod } from '../../../src/cwmp/soap/types';
import { NS10, NS12, samples } from './fixtures';

function roundTrip(envelope: CwmpEnvelope): void {
  const r = decode(encode(envelope));
  if (!r.ok) assert.fail(`${r.kind}: ${r.reason}`);
  assert.deepEqual(r.envelope, envelope);
  assert.deepEqual(r.warnings, []);
}

describe('soap: round trip', () => {
  it('has a sample for every method of the codec table', () => {
    assert.deepEqual(Object.keys(samples).sort(), [...CWMP_METHODS].sort());
  });

  for (const method of Object.keys(samples) as CwmpMethod[]) {
    it(`${method}: encode then decode gives the same message`, () => {
      roundTrip({ header: { ID: `rt-${method}` }, body: samples[method], namespace: NS12 });
    });
  }

  it('keeps the namespace it was given (1-0, 1-1, 1-4)', () => {
    for (const ns of [NS10, 'urn:dslforum-org:cwmp-1-1', 'urn:dslforum-org:cwmp-1-4']) {
      roundTrip({ header: { ID: '1' }, body: samples.Inform, namespace: ns });
    }
  });

  it('round-trips every header field, and an empty header', () => {
    const full: CwmpHeader = {
      ID: 'a&b <c>',
      HoldRequests: true,
      SessionTimeout: 30,
      SupportedCWMPVersions: '1.0,1.1,1.2,1.3,1.4',
      UseCWMPVersion: '1.4',
      NoMoreRequests: false,
    };
    roundTrip({ header: full, body: samples.InformResponse, namespace: NS12 });
    roundTrip({ header: { HoldRequests: false }, body: samples.GetRPCMethods, namespace: NS12 });
    roundTrip({ header: {}, body: samples.GetRPCMethods, namespace: NS12 });
  });

  it('round-trips empty arrays and a Fault without SetParameterValuesFault', () => {
    roundTrip({ header: {}, body: { method: 'GetParameterValuesResponse', ParameterList: [] }, namespace: NS12 });
    roundTrip({ header: {}, body: { ...samples.Inform, Event: [], ParameterList: [] }, namespace: NS12 });
    roundTrip({ header: { ID: '9' }, body: { method: 'Fault', faultcode: 'Server', FaultCode: 8005, FaultString: 'Retry request' }, namespace: NS12 });
  });

  it('round-trips text that needs escaping and non-ASCII text', () => {
    const Value = 'x & y < z > "q" \'a\' — ünïcødé 😀 tab\there';
    roundTrip({
      header: { ID: '1' },
      body: { method: 'SetParameterValues', ParameterList: [{ Name: 'Device.X_A', Value, type: 'xsd:string' }], ParameterKey: '&<>' },
      namespace: NS12,
    });
  });
});
