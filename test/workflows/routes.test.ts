import { strict as assert } from 'node:assert';
import { workflowRoutes } from '../../src/workflows/routes';
import { serveRouters, type NbiServer } from '../helpers/nbi-server';
import { fleetOf, keyOf, runUntil, startBench, TR181, type Bench } from './helpers';

describe('workflows: REST routes (/workflows, /workflows/runs)', function () {
  this.timeout(60_000);
  let b: Bench;
  let nbi: NbiServer;
  let key: string;
  before(async () => {
    b = await startBench('wf_routes');
    nbi = await serveRouters(b.t.acs.store, [workflowRoutes(b.engine.runner, b.engine.library)]);
    key = keyOf((await fleetOf(b, TR181, 1, 'WFREST-')).devices[0]);
  });
  after(async () => {
    await nbi?.close();
    await b?.close();
  });

  // The JSON of each route has its own shape: the assertions below say which fields they read.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const { status, body: json } = await nbi.call<any>(method, path, body);
    return { status, json };
  }

  it('GET /workflows lists the definitions with their args and steps', async () => {
    const { status, json } = await call('GET', '/workflows');
    assert.equal(status, 200);
    const ipping = (json as { name: string; args: Record<string, { required: boolean }>; steps: { name: string }[] }[]).find((w) => w.name === 'ipping');
    assert.equal(ipping?.args.host.required, true);
    assert.deepEqual(ipping?.steps.map((s) => s.name), ['prepare', 'request', 'complete', 'read', 'check', 'results']);
  });

  it('POST /workflows/runs → 201 the run; GET by id, by device, status and workflow; DELETE cancels', async () => {
    const created = await call('POST', '/workflows/runs', { device: key, workflow: 'ipping', args: { host: 'example.net' } });
    assert.equal(created.status, 201);
    assert.equal(created.json.workflow, 'ipping');
    assert.deepEqual(created.json.args, { host: 'example.net', repetitions: 3, timeoutMs: 1000, dataBlockSize: 64 });
    await runUntil(b, created.json.id, ['waiting']);
    const one = await call('GET', `/workflows/runs/${created.json.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.json.status, 'waiting');
    assert.equal(one.json.step, 'prepare');
    const byDevice = await call('GET', `/workflows/runs?device=${encodeURIComponent(key)}&status=waiting&workflow=ipping`);
    assert.deepEqual(byDevice.json.map((r: { id: string }) => r.id), [created.json.id]);
    assert.deepEqual((await call('GET', `/workflows/runs?device=${encodeURIComponent(key)}&status=done`)).json, []);
    const cancelled = await call('DELETE', `/workflows/runs/${created.json.id}`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.json.status, 'cancelled');
  });

  it('400 naming the field for bad input; 404 for an unknown run', async () => {
    const cases: [unknown, RegExp][] = [
      [{ device: key, workflow: 'nope' }, /^workflow: no workflow named "nope"/],
      [{ device: key, workflow: 'ipping' }, /^args\.host is required/],
      [{ device: key, workflow: 'ipping', args: { host: 'x', bogus: 1 } }, /^args\.bogus/],
      [{ workflow: 'ipping' }, /^device/],
      [{ device: key }, /^workflow/],
      [[1, 2], /^body must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const r = await call('POST', '/workflows/runs', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.json.error, message);
    }
    assert.equal((await call('GET', '/workflows/runs?status=sleeping')).status, 400);
    assert.equal((await call('GET', '/workflows/runs?limit=0')).status, 400);
    assert.equal((await call('GET', '/workflows/runs/unknown-id')).status, 404);
    assert.equal((await call('DELETE', '/workflows/runs/unknown-id')).status, 404);
  });
});
