/**
 * A CPE that answers a connection request within a second of the last one
 * with 503 (as rate-limiting CPEs do) and sends no periodic Inform:
 * - a workflow whose task steps each ask it to connect: every step's request
 *   is asked again until the CPE takes it, and the run finishes in seconds
 *   instead of waiting for the next periodic Inform;
 * - tasks posted with ?connection_request&timeout=: asked again within the
 *   wait, so the second of two quick tasks is done too (200), on both APIs.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { until } from '../helpers/wait';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

describe('connection requests asked again while the CPE answers 503', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let fleet: Fleet;
  before(async () => {
    t = await startTestAcs('wf_cr_retry', { connectionRequestIntervalMs: 0 });
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'WCR', connectionRequests: true });
    await fleet.connectAll();
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  it('runs a three-step ipping to the end on connection requests alone', async () => {
    const key = deviceKeyOf(fleet.devices[0].deviceId());
    const creds = await t.nbi(`/devices/${encodeURIComponent(key)}/connection-request-credentials`, { method: 'PUT', body: JSON.stringify({ username: 'cr-WCR000000', password: 'crpw-WCR000000' }) });
    assert.equal(creds.status, 204);
    const r = await t.nbi('/workflows/runs', { method: 'POST', body: JSON.stringify({ device: key, workflow: 'ipping', args: { host: 'example.net', repetitions: 1 } }) });
    assert.equal(r.status, 201, await r.clone().text());
    const { id } = (await r.json()) as { id: string };
    let run: { status: string; reason?: string | null } = { status: '' };
    await until('the run finished', async () => {
      run = (await (await t.nbi(`/workflows/runs/${id}`)).json()) as typeof run;
      return ['done', 'failed', 'cancelled'].includes(run.status);
    }, 40_000);
    assert.equal(run.status, 'done', JSON.stringify(run));
  });

  it('runs two tasks posted one after the other with ?connection_request&timeout=, the second asked again after the 503', async () => {
    const key = deviceKeyOf(fleet.devices[0].deviceId());
    const post = () => t.nbi(`/devices/${encodeURIComponent(key)}/tasks?connection_request&timeout=15000`, { method: 'POST', body: JSON.stringify({ name: 'getRPCMethods' }) });
    const first = await post();
    assert.equal(first.status, 200, await first.clone().text());
    const second = await post();
    const body = (await second.json()) as { status: string; connectionRequest: { outcome: string } };
    assert.equal(second.status, 200, JSON.stringify(body));
    assert.equal(body.connectionRequest.outcome, 'ok', 'the last answer is the CPE taking it');
  });
});
