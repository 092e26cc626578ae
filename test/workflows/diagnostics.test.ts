import { strict as assert } from 'node:assert';
import type { Fleet } from '../../src/sim/fleet';
import type { WorkflowRun } from '../../src/workflows/types';
import { fileServer, type FileServer } from '../helpers/file-server';
import { sleep, until } from '../helpers/wait';
import { fleetOf, keyOf, runUntil, session, startBench, taskDriver, TR098, TR181, type Bench } from './helpers';

interface Output {
  state: string;
  object: string;
  results: Record<string, string>;
}

describe('workflows: shipped diagnostics end to end with the simulator (TR-181 and TR-098)', function () {
  this.timeout(90_000);
  let b: Bench;
  let files: FileServer;
  let serial = 0;
  before(async () => {
    b = await startBench('wf_diag');
    files = await fileServer({ '/speed.bin': Buffer.alloc(100_000, 1) });
  });
  after(async () => {
    await b?.close();
    await files?.close();
  });

  async function diagnose(model: string, workflow: string, args: Record<string, unknown>, status: 'done' | 'failed'): Promise<{ run: WorkflowRun; fleet: Fleet }> {
    const fleet = await fleetOf(b, model, 1, `WFDIAG${serial++}-`);
    const device = fleet.devices[0];
    const started = await b.engine.runner.start({ device: keyOf(device), workflow, args });
    const run = await runUntil(b, started.id, [status], taskDriver(b, fleet, device, () => started.id), 30_000);
    return { run, fleet };
  }

  for (const [label, model, root] of [['TR-181', TR181, 'Device.'], ['TR-098', TR098, 'InternetGatewayDevice.']] as const) {
    describe(label, () => {
      it('IPPing: returns the results object (SuccessCount, response times)', async () => {
        const { run } = await diagnose(model, 'ipping', { host: 'example.net', repetitions: 2 }, 'done');
        const out = run.output.results as Output;
        assert.match(out.state, /^Completed?$/);
        assert.ok(out.object.startsWith(root), out.object);
        assert.equal(out.results.SuccessCount, '2');
        assert.equal(out.results.FailureCount, '0');
        assert.ok(Number(out.results.AverageResponseTime) > 0, JSON.stringify(out.results));
      });

      it('IPPing of a name that does not resolve fails with Error_CannotResolveHostName', async () => {
        const { run } = await diagnose(model, 'ipping', { host: 'nowhere.invalid' }, 'failed');
        assert.equal(run.reason, 'IPPing failed: Error_CannotResolveHostName');
        assert.equal(run.output.results, undefined);
      });

      it('TraceRoute: returns the hops; beyond MaxHopCount fails with Error_MaxHopCountExceeded', async () => {
        const ok = (await diagnose(model, 'traceroute', { host: 'hops-3.example.net', tries: 1 }, 'done')).run.output.results as Output;
        assert.equal(ok.results.RouteHopsNumberOfEntries ?? ok.results.NumberOfRouteHops, '3', JSON.stringify(ok.results));
        const far = await diagnose(model, 'traceroute', { host: 'hops-10.example.net', maxHopCount: 5, tries: 1 }, 'failed');
        assert.equal(far.run.reason, 'TraceRoute failed: Error_MaxHopCountExceeded');
      });

      it('TraceRoute: a shorter route after a longer one leaves none of the longer one\'s hops in the results', async () => {
        const fleet = await fleetOf(b, model, 1, `WFDIAG${serial++}-`);
        const device = fleet.devices[0];
        const trace = async (host: string) => {
          const started = await b.engine.runner.start({ device: keyOf(device), workflow: 'traceroute', args: { host, tries: 1 } });
          return (await runUntil(b, started.id, ['done'], taskDriver(b, fleet, device, () => started.id), 30_000)).output.results as Output;
        };
        const hops = (out: Output) => new Set(Object.keys(out.results).map((k) => /^RouteHops\.(\d+)\./.exec(k)?.[1]).filter((n) => n !== undefined));
        assert.deepEqual([...hops(await trace('hops-5.example.net'))].sort(), ['1', '2', '3', '4', '5']);
        assert.deepEqual([...hops(await trace('hops-2.example.net'))].sort(), ['1', '2'], 'hops 3 to 5 of the first route are gone');
      });

      it('NSLookup: returns the results', async () => {
        const { run } = await diagnose(model, 'nslookup', { hostName: 'example.org' }, 'done');
        const out = run.output.results as Output;
        assert.equal(out.state, 'Complete');
        assert.equal(out.results.SuccessCount, '1', JSON.stringify(out.results));
        const status = Object.entries(out.results).find(([k]) => /^Result\.\d+\.Status$/.test(k));
        // TR-181 lists each answer; the TR-098 vendor object of this model keeps the counts only.
        if (root === 'Device.') assert.equal(status?.[1], 'Success', JSON.stringify(out.results));
      });

      it('DownloadDiagnostics (TR-143): measures a real transfer', async () => {
        const { run } = await diagnose(model, 'download-diagnostics', { url: `${files.url}/speed.bin` }, 'done');
        const out = run.output.results as Output;
        assert.match(out.state, /^Completed?$/);
        assert.ok(Number(out.results.TestBytesReceived ?? out.results.TotalBytesReceived) >= 100_000, JSON.stringify(out.results));
      });

      it('UploadDiagnostics (TR-143): uploads TestFileLength bytes; an unresolvable host fails with the error state', async () => {
        const { run } = await diagnose(model, 'upload-diagnostics', { url: `${files.url}/up.bin`, fileLength: 5000 }, 'done');
        assert.match((run.output.results as Output).state, /^Completed?$/);
        assert.equal(files.uploads.get('/up.bin')?.length, 5000);
        const bad = await diagnose(model, 'upload-diagnostics', { url: 'http://nowhere.invalid/up' }, 'failed');
        assert.match(bad.run.reason ?? '', /^UploadDiagnostics \(TR-143\) failed: Error_(CannotResolveHostName|InitConnectionFailed)$/);
      });
    });
  }

  it('a periodic Inform while the test runs is not completion: the run keeps waiting for "8 DIAGNOSTICS COMPLETE"', async () => {
    const fleet = await fleetOf(b, TR181, 1, 'WFDIAGSLOW-', { rpcOptions: { diagnosticsDelayMs: 3000 } });
    const device = fleet.devices[0];
    const started = await b.engine.runner.start({ device: keyOf(device), workflow: 'ipping', args: { host: 'example.net' } });
    const drive = taskDriver(b, fleet, device, () => started.id);
    await runUntil(b, started.id, ['waiting'], async () => undefined);
    await until('the run waits at complete', async () => {
      await drive();
      return (await b.engine.runner.get(started.id))?.step === 'complete';
    });
    await session(fleet, device, '2 PERIODIC');
    await sleep(500);
    const still = await b.engine.runner.get(started.id);
    assert.equal(still?.status, 'waiting');
    assert.equal(still?.step, 'complete', 'a periodic Inform does not end the wait');
    const done = await runUntil(b, started.id, ['done'], taskDriver(b, fleet, device, () => started.id), 30_000);
    assert.equal((done.output.results as Output).results.SuccessCount, '3');
  });
});
