import assert from 'node:assert/strict';
import { entriesForResponse } from '../../src/cwmp/session/results';
import type { InFlightRequest } from '../../src/cwmp/session/state';
import type { CpeResponse } from '../../src/cwmp/soap/types';

/** What an answered request leaves in the session log: its cache op, and a history entry only when the answer says more than "done". */
describe('session results: history entries of answered requests', () => {
  const spv: InFlightRequest = {
    id: null,
    cwmpId: '1',
    sentAt: 0,
    request: { method: 'SetParameterValues', ParameterList: [{ Name: 'Device.Time.NTPServer1', Value: 'ntp.example', type: 'xsd:string' }], ParameterKey: '' },
  };
  const history = (response: CpeResponse) => entriesForResponse(spv, response, 's1', 1000).filter((e) => e.t === 'history');

  it('SetParameterValuesResponse Status 0 is "done": the value goes to the cache, nothing to the history', () => {
    const entries = entriesForResponse(spv, { method: 'SetParameterValuesResponse', Status: 0 }, 's1', 1000);
    assert.deepEqual(entries.map((e) => e.t), ['op']);
  });

  it('Status 1 (applied after a reboot) is kept in the history', () => {
    assert.deepEqual(history({ method: 'SetParameterValuesResponse', Status: 1 }), [
      { t: 'history', entry: { time: 1000, kind: 'SetParameterValuesResponse', detail: { Status: 1 }, sessionId: 's1' } },
    ]);
  });

  it('an answer with more than a Status (AddObject\'s InstanceNumber) is kept even with Status 0', () => {
    const add: InFlightRequest = { ...spv, request: { method: 'AddObject', ObjectName: 'Device.NAT.PortMapping.', ParameterKey: '' } };
    const entries = entriesForResponse(add, { method: 'AddObjectResponse', InstanceNumber: 3, Status: 0 }, 's1', 1000).filter((e) => e.t === 'history');
    assert.deepEqual(entries.map((e) => e.t === 'history' && e.entry.detail), [{ InstanceNumber: 3, Status: 0 }]);
  });
});
