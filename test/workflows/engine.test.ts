import { strict as assert } from 'node:assert';
import type { SimDevice } from '../../src/sim/device';
import type { Fleet } from '../../src/sim/fleet';
import { Queue } from 'bullmq';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { isWatched } from '../../src/tasks/committed';
import { advanceRun, type AdvanceDeps } from '../../src/workflows/advance';
import { enqueueAdvance, WORKFLOW_QUEUE } from '../../src/workflows/jobs';
import { RunStore } from '../../src/workflows/run-store';
import { sleep } from '../helpers/wait';
import { fleetOf, keyOf, runUntil, session, startBench, taskDriver, TR181, type Bench } from './helpers';

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

describe('workflows: steps, branches, timeouts, compensation and cancel (real ACS, simulator)', function () {
  this.timeout(60_000);
  let b: Bench;
  let serial = 0;
  before(async () => {
    b = await startBench('wf_steps');
  });
  after(async () => b?.close());

  async function device(): Promise<{ key: string; fleet: Fleet; sim: SimDevice }> {
    const fleet = await fleetOf(b, TR181, 1, `WFSTEP${serial++}-`);
    return { key: keyOf(fleet.devices[0]), fleet, sim: fleet.devices[0] };
  }

  const branching = {
    args: { mode: { required: true } },
    steps: [
      { name: 'a', output: { x: 1 } },
      { name: 'b', switch: [{ when: '"{{args.mode}}" = "fail"', fail: 'boom: {{args.mode}}' }, { when: '"{{args.mode}}" = "skip"', goto: 'd' }] },
      { name: 'c', output: { visited: true } },
      { name: 'd', output: { end: true } },
    ],
    compensateFrom: 'b',
    compensate: [{ name: 'undo', output: { undone: '{{steps.a.x}}' } }],
  };

  it('switch: goto skips steps; fail ends the run with its reason, after the compensate steps', async () => {
    const { key } = await device();
    const skip = await b.engine.runner.start({ device: key, workflow: { name: 'branching', definition: branching }, args: { mode: 'skip' } });
    const skipped = await runUntil(b, skip.id, ['done']);
    assert.deepEqual(Object.keys(skipped.output).sort(), ['a', 'd']);
    const fail = await b.engine.runner.start({ device: key, workflow: { name: 'branching', definition: branching }, args: { mode: 'fail' } });
    const failed = await runUntil(b, fail.id, ['failed']);
    assert.equal(failed.reason, 'boom: fail');
    assert.deepEqual(failed.output.undo, { undone: 1 }, 'the compensate steps ran');
    assert.equal(failed.step, null);
  });

  it('a wait that sees nothing fails at its timeout, naming what it waited for', async () => {
    const { key } = await device();
    const run = await b.engine.runner.start({ device: key, workflow: { name: 'never', definition: { steps: [{ name: 'w', wait: { event: '8 DIAGNOSTICS COMPLETE', timeout: '1s' } }] } } });
    const waiting = await runUntil(b, run.id, ['waiting']);
    assert.equal(waiting.step, 'w');
    const failed = await runUntil(b, run.id, ['failed'], undefined, 10_000);
    assert.equal(failed.reason, 'step w: timed out waiting for event "8 DIAGNOSTICS COMPLETE"');
  });

  it('a wait on a routine event (2 PERIODIC) ends at the device\'s next periodic Inform, though that Inform brings nothing new', async () => {
    const { key, fleet, sim } = await device();
    // A periodic session with nothing new: from here on such sessions end quiet (nothing committed).
    await session(fleet, sim, '2 PERIODIC');
    const run = await b.engine.runner.start({ device: key, workflow: { name: 'next-inform', definition: { steps: [{ name: 'w', wait: { event: '2 PERIODIC', timeout: '20s' } }] } } });
    await runUntil(b, run.id, ['waiting']);
    await session(fleet, sim, '2 PERIODIC');
    const done = await runUntil(b, run.id, ['done'], undefined, 10_000);
    assert.equal((done.output.w as { name: string }).name, '2 PERIODIC');
    assert.ok((done.output.w as { time: number }).time >= done.createdAt, 'the news is of a session after the run started');
  });

  it('a condition wait on the stored parameters: true at once ends the wait', async () => {
    const { key, sim } = await device();
    const version = sim.model.getValue('Device.DeviceInfo.SoftwareVersion');
    const run = await b.engine.runner.start({
      device: key,
      workflow: { name: 'cond', definition: { args: { v: { required: true } }, steps: [{ name: 'w', wait: { condition: 'Device.DeviceInfo.SoftwareVersion = "{{args.v}}"', timeout: '10s' } }] } },
      args: { v: version },
    });
    const done = await runUntil(b, run.id, ['done']);
    assert.deepEqual(done.output.w, { condition: true });
  });

  it('a task the CPE faults fails the run with the fault (and its parameters); onFault: continue goes on', async () => {
    const { key, fleet, sim } = await device();
    const spv = { name: 'setParameterValues', parameterValues: [['Device.DeviceInfo.Manufacturer', 'x']] };
    const strict = await b.engine.runner.start({ device: key, workflow: { name: 'spv', definition: { steps: [{ name: 'set', task: spv }] } } });
    const failed = await runUntil(b, strict.id, ['failed'], taskDriver(b, fleet, sim, () => strict.id));
    assert.match(failed.reason ?? '', /^step set: task setParameterValues fault 9003: .*Device\.DeviceInfo\.Manufacturer: 9008/);
    const lenient = await b.engine.runner.start({ device: key, workflow: { name: 'spv', definition: { steps: [{ name: 'set', task: spv, onFault: 'continue' }, { name: 'after', output: { code: '{{steps.set.fault.code}}' } }] } } });
    const done = await runUntil(b, lenient.id, ['done'], taskDriver(b, fleet, sim, () => lenient.id));
    assert.deepEqual(done.output.after, { code: 9003 });
  });

  it('cancel: a waiting run becomes cancelled and its device is no longer watched; a final run stays as it is', async () => {
    const { key } = await device();
    const run = await b.engine.runner.start({ device: key, workflow: { name: 'never', definition: { steps: [{ name: 'w', wait: { event: '1 BOOT', timeout: '1h' } }] } } });
    await runUntil(b, run.id, ['waiting']);
    const cancelled = await b.engine.runner.cancel(run.id, 'not needed');
    assert.equal(cancelled?.status, 'cancelled');
    assert.equal(cancelled?.reason, 'not needed');
    assert.equal(await isWatched(b.redis, b.t.config.redisPrefix, key), false);
    assert.equal((await b.engine.runner.cancel(run.id))?.reason, 'not needed', 'cancelling again changes nothing');
    assert.equal(await b.engine.runner.cancel('00000000-0000-0000-0000-000000000000'), null);
  });

  it('start refuses an unknown workflow, a missing or unknown argument, a bad device id, naming the field', async () => {
    const { key } = await device();
    const refused = async (start: Parameters<typeof b.engine.runner.start>[0], message: RegExp): Promise<void> => {
      await assert.rejects(b.engine.runner.start(start), (err: { code?: string; message: string }) => err.code === 'ACS_ERR_BAD_REQUEST' && message.test(err.message));
    };
    await refused({ device: key, workflow: 'no-such-flow' }, /^workflow: no workflow named "no-such-flow"/);
    await refused({ device: key, workflow: 'ipping' }, /^args\.host is required by workflow ipping$/);
    await refused({ device: key, workflow: 'ipping', args: { host: 'a', colour: 'red' } }, /^args\.colour: workflow ipping takes no such argument/);
    await refused({ device: '', workflow: 'ipping', args: { host: 'a' } }, /^device/);
    await refused({ device: key, workflow: { name: 'x', definition: { steps: [] } } }, /^workflow\.definition: steps must be a non-empty list/);
    assert.deepEqual(await b.engine.runner.list({ device: key }), [], 'nothing was started');
  });
});

describe('workflows: looks at a run are idempotent', function () {
  this.timeout(60_000);
  let b: Bench;
  before(async () => {
    b = await startBench('wf_idem');
  });
  after(async () => b?.close());

  it('many advance jobs of one run at once (duplicates, stale ones) create its task once', async () => {
    const fleet = await fleetOf(b, TR181, 1, 'WFIDEM-');
    const key = keyOf(fleet.devices[0]);
    const queue = new Queue(WORKFLOW_QUEUE, { connection: b.redis.duplicate({ maxRetriesPerRequest: null }), prefix: bullPrefix(b.t.config.redisPrefix) });
    try {
      const run = await b.engine.runner.start({ device: key, workflow: { name: 'one-task', definition: { steps: [{ name: 'read', task: { name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] } }] } } });
      const deps: AdvanceDeps = { runs: new RunStore(b.t.acs.store.sql), store: b.t.acs.store, tasks: b.tasks, queue, redis: b.redis, redisPrefix: b.t.config.redisPrefix, log: createLogger('silent'), lockMs: 5000 };
      await Promise.all([
        ...Array.from({ length: 8 }, () => advanceRun(deps, run.id)),
        ...Array.from({ length: 8 }, (_, i) => enqueueAdvance(queue, run.id, i % 3)),
      ]);
      await runUntil(b, run.id, ['waiting']);
      await sleep(1000);
      const tasks = await b.tasks.list({ device: key, limit: 10 });
      assert.equal(tasks.length, 1, JSON.stringify(tasks.map((t) => t.id)));
      const stored = await deps.runs.get(run.id);
      assert.equal(stored?.state.tasks.read, tasks[0].id);
    } finally {
      await queue.close();
    }
  });
});
