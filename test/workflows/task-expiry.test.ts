/**
 * A run waiting on a task that expires learns of it when the task expires,
 * not at its step's timeout: the expiry sends the waiters a notice
 * (src/tasks/committed.ts), whichever path expired it (a session that found
 * it, the task sweep). Real ACS, simulator, BullMQ.
 */
import { strict as assert } from 'node:assert';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { CommitNotices, NOTICE, SESSION_COMMITTED_QUEUE, tasksFinishedChannel, unwatchDevice, watchDevice } from '../../src/tasks/committed';
import { TASK_SWEEP_QUEUE } from '../../src/tasks/sweep';
import { createWorkflowRunner, type RunningRunner } from '../../src/workflows/engine';
import { TEST_REDIS_URL } from '../helpers/acs';
import { startCluster, type Cluster } from '../helpers/cluster';
import { sleep, until } from '../helpers/wait';
import { fleetOf, keyOf, runUntil, SHIPPED, startBench, TR181, type Bench } from './helpers';

describe('workflows: a task that expires under a waiting run', function () {
  this.timeout(60_000);
  let b: Bench;
  before(async () => {
    b = await startBench('wf_task_expiry');
  });
  after(async () => b?.close());

  it('the run fails as soon as a session finds the task expired, an hour before its step\'s timeout', async () => {
    const fleet = await fleetOf(b, TR181, 1, 'WFEXPIRY-');
    const sim = fleet.devices[0];
    const task = { name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] };
    const workflow = { name: 'expiring', definition: { steps: [{ name: 'read', task, expiry: '1s', timeout: '1h' }] } };
    const res = await b.t.nbi('/workflows/runs', { method: 'POST', body: JSON.stringify({ device: keyOf(sim), workflow }), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    await runUntil(b, id, ['waiting']);
    await sleep(1200);
    // A routine session: it finds the task past its expiry (quiet, so it commits nothing that would wake the run).
    const outcome = await sim.runSession('2 PERIODIC');
    assert.equal(outcome.result, 'completed', outcome.reason);
    assert.equal(outcome.rpcs, 0, 'an expired task is not sent');
    const run = await runUntil(b, id, ['failed'], undefined, 15_000);
    assert.match(run.reason ?? '', /step read: task getParameterValues expired/);
  });

  it('CommitNotices.expired: one message for the ?timeout= waiters, a notice per watched device only', async () => {
    const prefix = `acs-test:expiry-${process.pid}-${Date.now()}:`;
    const redis = new Redis(TEST_REDIS_URL);
    const subscriber = new Redis(TEST_REDIS_URL);
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(SESSION_COMMITTED_QUEUE, { connection, prefix: bullPrefix(prefix) });
    const heard: string[] = [];
    try {
      await subscriber.subscribe(tasksFinishedChannel(prefix));
      subscriber.on('message', (_channel, message: string) => heard.push(message));
      await watchDevice(redis, prefix, 'dev-watched');
      const notices = new CommitNotices(redis, prefix, queue);
      await notices.expired([
        { id: 1, deviceKey: 'dev-watched', expiresAt: 10 },
        { id: 2, deviceKey: 'dev-other', expiresAt: 10 },
        { id: 3, deviceKey: 'dev-watched', expiresAt: 20 },
      ]);
      await until('the waiters told', async () => heard.length > 0, 5000);
      assert.deepEqual(heard.map((m) => JSON.parse(m)), [[{ id: 1, status: 'expired' }, { id: 2, status: 'expired' }, { id: 3, status: 'expired' }]]);
      const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
      assert.deepEqual(jobs.map((j) => [j.name, j.data]), [[NOTICE.expired, { device: 'dev-watched', tasks: [1, 3] }]]);
      await notices.expired([]);
      assert.equal((await queue.getJobs(['waiting'])).length, 1, 'nothing for no task');
      await unwatchDevice(redis, prefix, 'dev-watched');
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      for (const c of [redis, subscriber, connection]) c.disconnect();
    }
  });
});

describe('workflows: a task the sweep expires, in separate processes', function () {
  this.timeout(90_000);
  let cluster: Cluster;
  let runner: RunningRunner;
  let fleet: Fleet;
  const connections: Redis[] = [];
  const connect = (): Redis => {
    const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    connections.push(r);
    return r;
  };
  before(async () => {
    cluster = await startCluster({ suite: 'wf_sweep_expiry', fronts: 1, workers: 1, presets: {}, provisions: {} });
    runner = createWorkflowRunner({ workflowsDir: SHIPPED, redisPrefix: cluster.redisPrefix, redis: connect(), store: cluster.store, log: createLogger('silent'), connect });
    fleet = await Fleet.create({ acsUrl: cluster.acsUrl, model: loadModel(TR181), devices: 1, serialBase: 'WFSWEEP-' });
    await fleet.connectAll();
    await fleet.idle();
  });
  after(async () => {
    await fleet?.close();
    await runner?.close();
    connections.forEach((c) => c.disconnect());
    await cluster?.stop();
  });

  it('a worker\'s sweep expires the task of a device that never comes back, and the run fails at once, not at its step\'s timeout', async () => {
    const workflow = { name: 'swept', definition: { steps: [{ name: 'read', task: { name: 'reboot' }, expiry: '1s', timeout: '1h' }] } };
    const run = await runner.runner.start({ device: keyOf(fleet.devices[0]), workflow });
    await until('the run waits on its task', async () => (await runner.runner.get(run.id))?.status === 'waiting', 15_000);
    await sleep(1200);
    assert.equal((await runner.runner.get(run.id))?.status, 'waiting', 'no session, so nothing found the task expired');
    // The sweep's scheduler runs once a minute: a job of its queue runs it now, in the worker process.
    const sweeps = new Queue(TASK_SWEEP_QUEUE, { connection: connect(), prefix: bullPrefix(cluster.redisPrefix) });
    try {
      await sweeps.add('sweep', {});
    } finally {
      await sweeps.close();
    }
    await until('the run failed', async () => (await runner.runner.get(run.id))?.status === 'failed', 15_000);
    assert.match((await runner.runner.get(run.id))?.reason ?? '', /step read: task reboot expired/);
    assert.ok(cluster.workers[0].count('tasks swept') >= 1, 'the worker process swept');
  });
});
