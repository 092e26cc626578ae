/**
 * Diagnostics through whole CWMP sessions, as an ACS drives them: the ACS
 * sets the inputs and DiagnosticsState=Requested; after the session the
 * simulated CPE runs the test (real timers, short delay) and opens a new
 * session whose Inform carries "8 DIAGNOSTICS COMPLETE"; the ACS reads the
 * results in it.
 */
import { strict as assert } from 'node:assert';
import type { GetParameterValuesResponse, ParameterValueStruct } from '../../src/cwmp/soap/types';
import { sleep, until } from '../helpers/wait';
import { inputsOf, MODELS, objectOf, request, spv } from './diag-helpers';
import { sessionRig, type OneDevice } from './session-rig';
import type { DiagnosticKind } from '../../src/sim/diagnostics';

const DIAG_COMPLETE = '8 DIAGNOSTICS COMPLETE';
const DELAY_MS = 100;

describe('sim diagnostics: whole sessions with "8 DIAGNOSTICS COMPLETE"', function () {
  this.timeout(20_000);
  const rig = sessionRig('DIAG', { '/speed.bin': Buffer.alloc(64 * 1024, 1) });
  const acs = rig.acs;
  const oneDevice = (m: (typeof MODELS)[number]): Promise<OneDevice> => rig.oneDevice(m.base(), { diagnosticsDelayMs: DELAY_MS });

  function values(gpv: GetParameterValuesResponse): Map<string, string> {
    return new Map(gpv.ParameterList.map((p: ParameterValueStruct) => [p.Name, p.Value]));
  }

  for (const m of [MODELS[0], MODELS[1], MODELS[2], MODELS[3]]) {
    for (const kind of ['IPPing', 'TraceRoute', 'Download', 'Upload', 'NSLookup'] as DiagnosticKind[]) {
      it(`${m.label}, ${kind}: "the CPE MUST establish a new connection to the ACS ... indicating the Event code 8 DIAGNOSTICS COMPLETE"`, async () => {
        const { fleet, device, serial } = await oneDevice(m);
        const d = objectOf(device.model, kind);
        acs.queue(serial, request(device.model, d, inputsOf(kind, rig.files.url)));
        await fleet.connectAll();
        assert.equal(acs.messages(serial, 'SetParameterValuesResponse').length, 1, 'the SPV was answered');
        assert.ok(!acs.events(serial)[0].includes(DIAG_COMPLETE));
        acs.queue(serial, { method: 'GetParameterValues', ParameterNames: [d.path] });
        await until('the 8 DIAGNOSTICS COMPLETE session', async () => acs.messages(serial, 'GetParameterValuesResponse').length === 1);
        await fleet.idle();
        const events = acs.events(serial);
        assert.equal(events.length, 2);
        assert.deepEqual(events[1], [DIAG_COMPLETE]);
        const got = values(acs.messages(serial, 'GetParameterValuesResponse')[0]);
        const complete = device.model.base.rootKind === 'tr098' && (kind === 'Download' || kind === 'Upload') ? 'Completed' : 'Complete';
        assert.equal(got.get(d.path + 'DiagnosticsState'), complete);
        const result = { IPPing: 'SuccessCount', TraceRoute: 'RouteHopsNumberOfEntries', Download: 'TestBytesReceived', Upload: 'TotalBytesSent', NSLookup: 'SuccessCount' }[kind];
        assert.ok(Number(got.get(d.path + result)) > 0, `${result} = ${got.get(d.path + result)}`);
      });
    }
  }

  it('an error state is a completion too: IPPing to a .invalid host informs 8 DIAGNOSTICS COMPLETE with Error_CannotResolveHostName', async () => {
    const { fleet, device, serial } = await oneDevice(MODELS[1]);
    const d = objectOf(device.model, 'IPPing');
    acs.queue(serial, request(device.model, d, { Host: 'gone.invalid' }));
    await fleet.connectAll();
    await until('the 8 event', async () => acs.events(serial).length === 2);
    assert.deepEqual(acs.events(serial)[1], [DIAG_COMPLETE]);
    assert.equal(device.model.getValue(d.path + 'DiagnosticsState'), 'Error_CannotResolveHostName');
  });

  it('a plain periodic Inform is no completion: no 8 DIAGNOSTICS COMPLETE without a request', async () => {
    const { fleet, device, serial } = await oneDevice(MODELS[0]);
    await fleet.connectAll();
    fleet.connect(device, '2 PERIODIC');
    await fleet.idle();
    await sleep(DELAY_MS * 3);
    await fleet.idle();
    assert.deepEqual(acs.events(serial), [['0 BOOTSTRAP', '1 BOOT'], ['2 PERIODIC']]);
  });

  it('an input changed in a later session before the test ran: DiagnosticsState None and no 8 event ("not if it is canceled for any reason")', async () => {
    const { fleet, device, serial } = await oneDevice(MODELS[2]);
    const d = objectOf(device.model, 'TraceRoute');
    acs.queue(serial, request(device.model, d, { Host: 'hops-3.example.net' }));
    await fleet.connectAll();
    acs.queue(serial, spv(device.model, d, { Host: 'hops-4.example.net' }));
    fleet.connect(device, '6 CONNECTION REQUEST');
    await fleet.idle();
    await sleep(DELAY_MS * 3);
    await fleet.idle();
    assert.equal(device.model.getValue(d.path + 'DiagnosticsState'), 'None');
    assert.ok(!acs.events(serial).flat().includes(DIAG_COMPLETE), JSON.stringify(acs.events(serial)));
  });

  it('a Reboot before the test ran ends it: DiagnosticsState None after the BOOT, no 8 event', async () => {
    const { fleet, device, serial } = await oneDevice(MODELS[0]);
    const d = objectOf(device.model, 'IPPing');
    acs.queue(serial, request(device.model, d, { Host: 'a.example.net' }), { method: 'Reboot', CommandKey: 'rb' });
    await fleet.connectAll();
    await until('the BOOT session', async () => acs.events(serial).length === 2);
    await sleep(DELAY_MS * 3);
    await fleet.idle();
    assert.deepEqual(acs.events(serial)[1], ['1 BOOT', 'M Reboot']);
    assert.equal(acs.events(serial).length, 2);
    assert.equal(device.model.getValue(d.path + 'DiagnosticsState'), 'None');
  });
});
