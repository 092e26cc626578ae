import { strict as assert } from 'node:assert';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { SESSION_COMMITTED_QUEUE, type SessionCommitted } from '../../src/tasks/committed';
import { createLogger } from '../../src/log';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { createWorkflowRunner, type RunningRunner } from '../../src/workflows/engine';
import { RunStore } from '../../src/workflows/run-store';
import { TEST_REDIS_URL } from '../helpers/acs';
import { startCluster, type Cluster } from '../helpers/cluster';
import { alive, sleep, until } from '../helpers/wait';
import { keyOf, SHIPPED, TR181 } from './helpers';

describe('workflows: a run survives kill -9 of every worker process (cluster of separate processes)', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let runner: RunningRunner;
  let redis: Redis;
  let fleet: Fleet;
  const connections: Redis[] = [];
  before(async () => {
    cluster = await startCluster({ suite: 'wf_durable', fronts: 1, workers: 2, presets: {}, provisions: {} });
    redis = new Redis(TEST_REDIS_URL);
    runner = createWorkflowRunner({
      workflowsDir: SHIPPED, redisPrefix: cluster.redisPrefix, redis, store: cluster.store, log: createLogger('silent'),
      connect: () => {
        const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
        connections.push(r);
        return r;
      },
    });
    // The diagnostic takes 3 s: time to kill every worker while the run waits for it.
    fleet = await Fleet.create({ acsUrl: cluster.acsUrl, model: loadModel(TR181), devices: 1, serialBase: 'WFKILL-', rpcOptions: { diagnosticsDelayMs: 3000 } });
    await fleet.connectAll();
  });
  after(async () => {
    await fleet?.close();
    await runner?.close();
    connections.forEach((c) => c.disconnect());
    redis?.disconnect();
    await cluster?.stop();
  });

  it('kill -9 of both workers while the run waits for "8 DIAGNOSTICS COMPLETE"; the event arrives with no worker up; new workers finish the run', async () => {
    const device = fleet.devices[0];
    const runs = new RunStore(cluster.store.sql);
    const run = await runner.runner.start({ device: keyOf(device), workflow: 'ipping', args: { host: 'example.net', repetitions: 2 } });
    const step = async (): Promise<string | null> => (await runner.runner.get(run.id))?.step ?? null;
    // Sessions pick the tasks up (no connection requests here): prepare, then request.
    await until('the run waits for the diagnostic', async () => {
      if ((await runs.get(run.id))?.state.wait?.kind === 'task' && !device.inSession) {
        fleet.connect(device);
        await fleet.idle();
      }
      return (await step()) === 'complete';
    }, 20_000);
    const [w1, w2] = cluster.workers;
    await Promise.all([cluster.kill(w1), cluster.kill(w2)]);
    assert.equal(alive(w1.acs.child.pid as number) || alive(w2.acs.child.pid as number), false);
    // The diagnostic ends and the device informs "8 DIAGNOSTICS COMPLETE" while no worker runs: the notice waits in Redis.
    const notices = new Queue(SESSION_COMMITTED_QUEUE, { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: bullPrefix(cluster.redisPrefix) });
    try {
      await until('the "8 DIAGNOSTICS COMPLETE" session\'s notice waits in Redis', async () => (await notices.getWaitingCount()) >= 1, 15_000);
      const [job] = await notices.getWaiting();
      assert.deepEqual((job.data as SessionCommitted).events.map((e) => e.code), ['8 DIAGNOSTICS COMPLETE']);
    } finally {
      await notices.close();
    }
    await fleet.idle();
    await sleep(500);
    assert.equal((await runner.runner.get(run.id))?.step, 'complete', 'nothing moved without workers');
    // Both at once, as a supervisor brings back what died together.
    await Promise.all([cluster.restart(w1), cluster.restart(w2)]);
    await until('the run is done', async () => {
      const r = await runs.get(run.id);
      if (r?.state.wait?.kind === 'task' && !device.inSession) {
        const waiting = r.state.wait;
        const task = await cluster.store.sql.autocommit((db) => db.select('SELECT status FROM tasks WHERE id = ?', [waiting.taskId]));
        if (task[0]?.status === 'queued') {
          fleet.connect(device);
          await fleet.idle();
        }
      }
      return r?.status === 'done' || r?.status === 'failed';
    }, 60_000);
    const done = await runner.runner.get(run.id);
    assert.equal(done?.status, 'done', done?.reason ?? '');
    assert.equal((done?.output.results as { results: Record<string, string> }).results.SuccessCount, '2');
    // Each task step created exactly one task, though the jobs ran on processes that died.
    const tasks = await cluster.store.sql.autocommit((db) => db.select('SELECT id FROM tasks WHERE device_key = ?', [keyOf(device)]));
    assert.equal(tasks.length, 3, 'prepare, request, read');
  });
});
