import { strict as assert } from 'node:assert';
import { isWatched } from '../../src/tasks/committed';
import { fleetOf, keyOf, runUntil, startBench, taskDriver, TR181, type Bench } from './helpers';

describe('workflows: the engine against a real ACS and the simulator', function () {
  this.timeout(60_000);
  let b: Bench;
  before(async () => {
    b = await startBench('wf_engine');
  });
  after(async () => b?.close());

  it('runs a task step in the device\'s next session, then an output step reading the stored parameters', async () => {
    const fleet = await fleetOf(b, TR181, 1, 'WFENG-');
    const device = fleet.devices[0];
    const key = keyOf(device);
    const started = await b.engine.runner.start({
      device: key,
      workflow: {
        name: 'read-version',
        definition: {
          steps: [
            { name: 'read', task: { name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] } },
            { name: 'out', output: { version: '{{param:Device.DeviceInfo.SoftwareVersion}}', task: '{{steps.read.taskId}}' } },
          ],
        },
      },
    });
    assert.equal(started.status, 'running');
    assert.equal(await isWatched(b.redis, b.t.config.redisPrefix, key), true, 'the device is watched while a run waits on it');
    const waiting = await runUntil(b, started.id, ['waiting']);
    assert.equal(waiting.step, 'read');
    const done = await runUntil(b, started.id, ['done'], taskDriver(b, fleet, device, () => started.id));
    const out = done.output.out as { version: string; task: number };
    assert.equal(out.version, device.model.getValue('Device.DeviceInfo.SoftwareVersion'));
    assert.equal(out.task, (done.output.read as { taskId: number }).taskId);
    assert.equal(await isWatched(b.redis, b.t.config.redisPrefix, key), false, 'unwatched once final');
    const listed = await b.engine.runner.list({ device: key });
    assert.deepEqual(listed.map((r) => r.id), [started.id]);
  });
});
