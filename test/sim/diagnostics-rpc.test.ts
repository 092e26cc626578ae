/**
 * Diagnostics at the RPC layer, on TR-181 and TR-098 models (generated and
 * real dumps): what SetParameterValues accepts, refuses, starts and stops
 * (TR-106 DiagnosticsState), then the run itself (runDiagnostic, which the
 * simulator calls after the session) and the results it leaves.
 */
import { strict as assert } from 'node:assert';
import type { Fault } from '../../src/cwmp/soap/types';
import { handleRequest, type Effect } from '../../src/sim/cpe';
import { hopCount, pingRttMs, runDiagnostic, type DiagnosticObject } from '../../src/sim/diagnostics';
import type { DeviceModel } from '../../src/sim/model';
import { fileServer, type FileServer } from '../helpers/file-server';
import { fault, gpv, newDevice, ok } from '../unit/sim/helpers';
import { ALL_KINDS, inputsOf, MODELS, objectOf, request, spv } from './diag-helpers';

const SPEED_FILE = Buffer.alloc(256 * 1024, 7);

/** Requests the test and returns its 'diagnostic' effect. */
function requested(device: DeviceModel, d: DiagnosticObject, values: Record<string, string>): Extract<Effect, { kind: 'diagnostic' }> {
  const r = handleRequest(device, request(device, d, values));
  assert.equal(r.response.method, 'SetParameterValuesResponse', JSON.stringify(r.response));
  const e = r.effects.find((x) => x.kind === 'diagnostic');
  assert.ok(e && e.kind === 'diagnostic', `a diagnostic effect, got ${JSON.stringify(r.effects)}`);
  return e;
}

async function run(device: DeviceModel, d: DiagnosticObject, values: Record<string, string>): Promise<string> {
  const e = requested(device, d, values);
  assert.equal(await runDiagnostic(device, { kind: e.test, path: e.path, run: e.run }), true, 'the run is current');
  return gpv(device, d.path + 'DiagnosticsState');
}

describe('sim diagnostics: SetParameterValues and the run (RPC layer)', function () {
  let files: FileServer;
  before(async () => {
    files = await fileServer({ '/speed.bin': SPEED_FILE });
  });
  after(() => files.close());

  for (const m of MODELS) {
    describe(m.label, () => {
      it('has every diagnostics object the ACS drives (IPPing, TraceRoute, Download, Upload, NSLookup)', () => {
        const device = newDevice(m.base());
        for (const kind of ALL_KINDS) objectOf(device, kind);
      });

      for (const kind of ALL_KINDS) {
        it(`${kind}: "the CPE MUST initiate the test" when DiagnosticsState is set to Requested, after the session`, async () => {
          const device = newDevice(m.base());
          const d = objectOf(device, kind);
          const e = requested(device, d, inputsOf(kind, files.url));
          assert.deepEqual([e.test, e.path], [kind, d.path]);
          assert.equal(gpv(device, d.path + 'DiagnosticsState'), 'Requested', 'Requested until the test ends');
          assert.equal(await runDiagnostic(device, { kind, path: d.path, run: e.run }), true);
          const state = gpv(device, d.path + 'DiagnosticsState');
          const expected = device.base.rootKind === 'tr098' && (kind === 'Download' || kind === 'Upload') ? 'Completed' : 'Complete';
          assert.equal(state, expected);
        });

        it(`${kind}: Requested with its required input empty is refused (9003 with 9007 on DiagnosticsState), nothing changes`, () => {
          const device = newDevice(m.base());
          const d = objectOf(device, kind);
          const required = { IPPing: 'Host', TraceRoute: 'Host', Download: 'DownloadURL', Upload: 'UploadURL', NSLookup: 'HostName' }[kind];
          const before = gpv(device, d.path + 'DiagnosticsState');
          const f = fault(device, request(device, d, { [required]: '' }), 9003);
          assert.deepEqual(f.SetParameterValuesFault?.map((x) => [x.ParameterName, x.FaultCode]), [[d.path + 'DiagnosticsState', 9007]]);
          assert.equal(gpv(device, d.path + 'DiagnosticsState'), before);
        });

        it(`${kind}: "the only allowed values are Requested and Canceled" when writing DiagnosticsState (9007 for None, Complete)`, () => {
          const device = newDevice(m.base());
          const d = objectOf(device, kind);
          for (const v of ['None', 'Complete', 'Error_Other']) {
            const f = fault(device, spv(device, d, { DiagnosticsState: v }), 9003);
            assert.equal(f.SetParameterValuesFault?.[0].FaultCode, 9007, v);
          }
        });

        it(`${kind}: "modifying any of the writable parameters ... MUST result in the value of this parameter being set to None"`, async () => {
          const device = newDevice(m.base());
          const d = objectOf(device, kind);
          const e = requested(device, d, inputsOf(kind, files.url));
          const [input, value] = Object.entries(inputsOf(kind, files.url))[0];
          const r = handleRequest(device, spv(device, d, { [input]: value + 'x' }));
          assert.equal(r.response.method, 'SetParameterValuesResponse');
          assert.deepEqual(r.effects, [{ kind: 'cancelDiagnostic', path: d.path }]);
          assert.equal(gpv(device, d.path + 'DiagnosticsState'), 'None');
          assert.equal(await runDiagnostic(device, { kind, path: d.path, run: e.run }), false, 'the terminated run reports nothing');
          assert.equal(gpv(device, d.path + 'DiagnosticsState'), 'None');
        });
      }

      it('a second Requested while the test runs restarts it: only the newest run reports', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'IPPing');
        const first = requested(device, d, { Host: 'first.example.net' });
        const second = requested(device, d, { Host: 'second.example.net' });
        assert.equal(await runDiagnostic(device, { kind: 'IPPing', path: d.path, run: first.run }), false);
        assert.equal(await runDiagnostic(device, { kind: 'IPPing', path: d.path, run: second.run }), true);
        assert.equal(gpv(device, d.path + 'MinimumResponseTime'), String(pingRttMs('second.example.net', 0)));
      });

      it('input ranges are checked even without model constraints (NumberOfRepetitions 0, DSCP 64, MaxHopCount 65 -> 9007)', () => {
        const device = newDevice(m.base());
        const ping = objectOf(device, 'IPPing');
        const trace = objectOf(device, 'TraceRoute');
        for (const [d, name, value] of [[ping, 'NumberOfRepetitions', '0'], [ping, 'DSCP', '64'], [trace, 'MaxHopCount', '65']] as const) {
          const f = fault(device, spv(device, d, { [name]: value }), 9003);
          assert.equal(f.SetParameterValuesFault?.[0].ParameterName, d.path + name);
          assert.equal(f.SetParameterValuesFault?.[0].FaultCode, 9007);
        }
      });

      it('DownloadURL must be an http(s) URL (ftp://, not-a-url -> 9007)', () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'Download');
        for (const url of ['ftp://files.example.net/x.bin', 'not a url']) {
          const f = fault(device, spv(device, d, { DownloadURL: url }), 9003);
          assert.equal(f.SetParameterValuesFault?.[0].FaultCode, 9007, url);
        }
      });

      it('IPPing results: SuccessCount, FailureCount, Min/Avg/Max from the simulated RTTs', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'IPPing');
        const host = 'ping-target.example.net';
        assert.equal(await run(device, d, { Host: host, NumberOfRepetitions: '4', Timeout: '1000' }), 'Complete');
        const rtts = [0, 1, 2, 3].map((i) => pingRttMs(host, i));
        assert.equal(gpv(device, d.path + 'SuccessCount'), '4');
        assert.equal(gpv(device, d.path + 'FailureCount'), '0');
        assert.equal(gpv(device, d.path + 'MinimumResponseTime'), String(Math.min(...rtts)));
        assert.equal(gpv(device, d.path + 'MaximumResponseTime'), String(Math.max(...rtts)));
        assert.equal(gpv(device, d.path + 'AverageResponseTime'), String(Math.round(rtts.reduce((a, b) => a + b) / 4)));
      });

      it('IPPing to a host ending in .invalid -> Error_CannotResolveHostName', async () => {
        const device = newDevice(m.base());
        assert.equal(await run(device, objectOf(device, 'IPPing'), { Host: 'nowhere.invalid' }), 'Error_CannotResolveHostName');
      });

      it('IPPing to a TEST-NET address: Complete with FailureCount = NumberOfRepetitions', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'IPPing');
        assert.equal(await run(device, d, { Host: '192.0.2.10', NumberOfRepetitions: '3' }), 'Complete');
        assert.equal(gpv(device, d.path + 'SuccessCount'), '0');
        assert.equal(gpv(device, d.path + 'FailureCount'), '3');
        assert.equal(gpv(device, d.path + 'AverageResponseTime'), '0');
      });

      it('TraceRoute results: one RouteHops instance per hop, numbered from 1, the last one the host', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'TraceRoute');
        assert.equal(hopCount('hops-5.example.net'), 5);
        assert.equal(await run(device, d, { Host: 'hops-5.example.net', MaxHopCount: '30', NumberOfTries: '3' }), 'Complete');
        assert.equal(gpv(device, d.path + 'RouteHopsNumberOfEntries'), '5');
        const hop = (n: number, f: string): string => gpv(device, `${d.path}RouteHops.${n}.${device.lookup(`${d.path}RouteHops.${n}.${f}`) ? f : 'Hop' + f}`);
        assert.equal(hop(5, 'Host'), 'hops-5.example.net');
        assert.equal(hop(1, 'HostAddress'), hop(1, 'Host'));
        assert.equal(hop(3, 'RTTimes').split(',').length, 3);
        // A shorter path replaces every hop of the earlier run.
        assert.equal(await run(device, d, { Host: 'hops-2.example.net' }), 'Complete');
        assert.equal(gpv(device, d.path + 'RouteHopsNumberOfEntries'), '2');
        assert.equal(device.lookup(`${d.path}RouteHops.3.`), undefined);
        assert.equal(hop(2, 'Host'), 'hops-2.example.net');
      });

      it('TraceRoute: MaxHopCount smaller than the path, or a TEST-NET host -> Error_MaxHopCountExceeded; .invalid -> Error_CannotResolveHostName', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'TraceRoute');
        assert.equal(await run(device, d, { Host: 'hops-5.example.net', MaxHopCount: '4' }), 'Error_MaxHopCountExceeded');
        assert.equal(await run(device, d, { Host: '203.0.113.7', MaxHopCount: '30' }), 'Error_MaxHopCountExceeded');
        assert.equal(await run(device, d, { Host: 'x.invalid', MaxHopCount: '30' }), 'Error_CannotResolveHostName');
      });

      it('NSLookup results: one Result per repetition with Status, AnswerType, HostNameReturned, IPAddresses, DNSServerIP', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'NSLookup');
        assert.equal(await run(device, d, { HostName: 'www.example.com', NumberOfRepetitions: '2', Timeout: '1000' }), 'Complete');
        assert.equal(gpv(device, d.path + 'SuccessCount'), '2');
        assert.equal(gpv(device, d.path + 'ResultNumberOfEntries'), '2');
        if (device.lookup(d.path + 'Result.1.Status') === undefined) return; // a dump without a Result template
        assert.equal(gpv(device, d.path + 'Result.1.Status'), 'Success');
        assert.equal(gpv(device, d.path + 'Result.2.HostNameReturned'), 'www.example.com');
        assert.match(gpv(device, d.path + 'Result.1.IPAddresses'), /^198\.18\.\d+\.\d+$/);
      });

      it('NSLookup errors: DNSServer .invalid -> Error_DNSServerNotResolved; HostName .invalid -> Complete, Status Error_HostNameNotResolved', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'NSLookup');
        assert.equal(await run(device, d, { HostName: 'www.example.com', DNSServer: 'dns.invalid' }), 'Error_DNSServerNotResolved');
        assert.equal(await run(device, d, { HostName: 'gone.invalid', DNSServer: '', NumberOfRepetitions: '1', Timeout: '1000' }), 'Complete');
        assert.equal(gpv(device, d.path + 'SuccessCount'), '0');
        if (device.lookup(d.path + 'Result.1.Status') !== undefined) assert.equal(gpv(device, d.path + 'Result.1.Status'), 'Error_HostNameNotResolved');
      });

      it('Download really fetches DownloadURL: TestBytesReceived, ROM <= BOM <= EOM', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'Download');
        const complete = device.base.rootKind === 'tr098' ? 'Completed' : 'Complete';
        assert.equal(await run(device, d, { DownloadURL: `${files.url}/speed.bin` }), complete);
        assert.equal(gpv(device, d.path + 'TestBytesReceived'), String(SPEED_FILE.length));
        assert.ok(Number(gpv(device, d.path + 'TotalBytesReceived')) > SPEED_FILE.length, 'headers count in the total');
        const [rom, bom, eom] = ['ROMTime', 'BOMTime', 'EOMTime'].map((n) => Date.parse(gpv(device, d.path + n)));
        assert.ok(rom <= bom && bom <= eom, `${rom} ${bom} ${eom}`);
      });

      it('Download errors: missing file -> Error_TransferFailed (TR-181); .invalid -> CannotResolveHostName / InitConnectionFailed (TR-098); TEST-NET and refused -> Error_InitConnectionFailed', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'Download');
        const tr098 = device.base.rootKind === 'tr098';
        assert.equal(await run(device, d, { DownloadURL: `${files.url}/missing.bin` }), 'Error_TransferFailed');
        assert.equal(await run(device, d, { DownloadURL: 'http://files.invalid/x.bin' }), tr098 ? 'Error_InitConnectionFailed' : 'Error_CannotResolveHostName');
        assert.equal(await run(device, d, { DownloadURL: 'http://192.0.2.1/x.bin' }), 'Error_InitConnectionFailed');
        assert.equal(await run(device, d, { DownloadURL: 'http://127.0.0.1:9/x.bin' }), 'Error_InitConnectionFailed');
      });

      it('Upload really PUTs TestFileLength bytes to UploadURL', async () => {
        const device = newDevice(m.base());
        const d = objectOf(device, 'Upload');
        const complete = device.base.rootKind === 'tr098' ? 'Completed' : 'Complete';
        const path = `/up-${device.identity.SerialNumber}.bin`;
        assert.equal(await run(device, d, { UploadURL: files.url + path, TestFileLength: '100000' }), complete);
        assert.equal(files.uploads.get(path)?.length, 100000);
        if (device.lookup(d.path + 'TestBytesSent')) assert.equal(gpv(device, d.path + 'TestBytesSent'), '100000');
        assert.ok(Number(gpv(device, d.path + 'TotalBytesSent')) > 100000);
      });
    });
  }

  it('a CSV dump\'s DiagnosticsState (no model constraint) refuses Canceled; the generated TR-181 2.17 accepts it and ends the run', async () => {
    const csv = newDevice(MODELS[2].base());
    const f: Fault = fault(csv, spv(csv, objectOf(csv, 'IPPing'), { DiagnosticsState: 'Canceled' }), 9003);
    assert.equal(f.SetParameterValuesFault?.[0].FaultCode, 9007);
    const device = newDevice(MODELS[0].base());
    const d = objectOf(device, 'IPPing');
    const e = requested(device, d, { Host: 'a.example.net' });
    const r = ok(device, spv(device, d, { DiagnosticsState: 'Canceled' }), 'SetParameterValuesResponse');
    assert.equal(r.Status, 0);
    assert.equal(gpv(device, d.path + 'DiagnosticsState'), 'None');
    assert.equal(await runDiagnostic(device, { kind: 'IPPing', path: d.path, run: e.run }), false);
  });
});

describe('sim diagnostics: RpcOptions.diagnosticsCompleteValue', () => {
  it('a device set to "Completed" (as the XX230v reports it) ends IPPing in "Completed"; errors keep their names', async () => {
    const device = newDevice(MODELS[2].base());
    const d = objectOf(device, 'IPPing');
    const e = requested(device, d, { Host: 'a.example.net' });
    assert.equal(await runDiagnostic(device, { kind: 'IPPing', path: d.path, run: e.run }, 'Completed'), true);
    assert.equal(gpv(device, d.path + 'DiagnosticsState'), 'Completed');
    const e2 = requested(device, d, { Host: 'b.invalid' });
    assert.equal(await runDiagnostic(device, { kind: 'IPPing', path: d.path, run: e2.run }, 'Completed'), true);
    assert.equal(gpv(device, d.path + 'DiagnosticsState'), 'Error_CannotResolveHostName');
  });
});
