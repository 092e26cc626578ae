import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import type { SimDevice } from '../../src/sim/device';
import type { Task, TaskApi } from '../../src/tasks/types';
import { advanceRun, type AdvanceDeps } from '../../src/workflows/advance';
import { createWorkflowRunner } from '../../src/workflows/engine';
import { WORKFLOW_QUEUE } from '../../src/workflows/jobs';
import { RunStore, type StoredRun } from '../../src/workflows/run-store';
import type { TaskCanceller } from '../../src/workflows/task-cancel';
import { TEST_REDIS_URL } from '../helpers/acs';
import { until } from '../helpers/wait';
import Redis from 'ioredis';
import { fleetOf, keyOf, runUntil, startBench, TR181, type Bench } from './helpers';

/** A workflow of one firmware Download step, the task a late device must never get once the workflow gave up. */
function download(timeout = '1h'): { name: string; definition: unknown } {
  const task = { name: 'download', fileType: '1 Firmware Upgrade Image', url: 'http://127.0.0.1:9/fw-9.9.9.bin' };
  return { name: 'late-download', definition: { steps: [{ name: 'download', task, timeout }] } };
}

describe('workflows: a run that ends withdraws the task its step is waiting for (real ACS, simulator)', function () {
  this.timeout(60_000);
  let b: Bench;
  let runs: RunStore;
  let serial = 0;
  before(async () => {
    b = await startBench('wf_cancel_task');
    runs = new RunStore(b.t.acs.store.sql);
  });
  after(async () => b?.close());

  /** A device that made its first contact and does not connect again until the test says so. */
  async function quietDevice(): Promise<{ key: string; sim: SimDevice }> {
    const fleet = await fleetOf(b, TR181, 1, `WFCANCEL${serial++}-`);
    return { key: keyOf(fleet.devices[0]), sim: fleet.devices[0] };
  }

  // Each route answers its own JSON shape; the assertions say which fields they read.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await b.t.nbi(path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.status, json: await res.json().catch(() => null) };
  }

  /** The task the run's step created, once the run waits on it. */
  async function waitingTask(runId: string): Promise<number> {
    await runUntil(b, runId, ['waiting']);
    const id = (await runs.get(runId))?.state.tasks.download;
    assert.equal(typeof id, 'number', 'the run recorded its task');
    return id as number;
  }

  /** The device informs: the ACS must send it nothing (no presets in this ACS, no other task). */
  async function informsAndGetsNothing(sim: SimDevice, taskId: number): Promise<void> {
    const outcome = await sim.runSession('2 PERIODIC');
    assert.equal(outcome.result, 'completed', outcome.reason);
    assert.equal(outcome.rpcs, 0, 'the ACS sent the device a request');
    const after = await call('GET', `/tasks/${taskId}`);
    assert.equal(after.json.status, 'cancelled');
    assert.equal(after.json.sessionId, null, 'no session took the task');
  }

  it('DELETE /workflows/runs/:id cancels the queued task of its step: GET /tasks/:id shows cancelled, and the device never gets it', async () => {
    const { key, sim } = await quietDevice();
    const started = await call('POST', '/workflows/runs', { device: key, workflow: download() });
    assert.equal(started.status, 201);
    const taskId = await waitingTask(started.json.id);
    assert.equal((await call('GET', `/tasks/${taskId}`)).json.status, 'queued');
    const cancelled = await call('DELETE', `/workflows/runs/${started.json.id}`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.json.status, 'cancelled');
    assert.equal((await call('GET', `/tasks/${taskId}`)).json.status, 'cancelled');
    await informsAndGetsNothing(sim, taskId);
  });

  it('a task cancelled meanwhile (409 from the task service) does not make the run\'s cancel fail', async () => {
    const { key } = await quietDevice();
    const started = await call('POST', '/workflows/runs', { device: key, workflow: download() });
    const taskId = await waitingTask(started.json.id);
    assert.equal((await call('DELETE', `/tasks/${taskId}`)).status, 200);
    assert.equal((await call('DELETE', `/tasks/${taskId}`)).status, 409, 'the task service refuses a second cancel');
    const cancelled = await call('DELETE', `/workflows/runs/${started.json.id}`);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.json));
    assert.equal(cancelled.json.status, 'cancelled');
    assert.equal((await call('DELETE', `/workflows/runs/${started.json.id}`)).status, 200, 'cancelling the run again is no error either');
  });

  it('a step that times out with its task still queued fails the run and cancels the task: the device never gets it', async () => {
    const { key, sim } = await quietDevice();
    const run = await b.engine.runner.start({ device: key, workflow: download('1s') });
    const taskId = await waitingTask(run.id);
    const failed = await runUntil(b, run.id, ['failed'], undefined, 15_000);
    assert.equal(failed.reason, `step download: task ${taskId} did not finish in time (queued)`);
    // Withdrawn once the failure is written (advance.ts afterWrite): a reader may see the run failed a moment before.
    await until('the task cancelled', async () => (await b.tasks.get(taskId))?.status === 'cancelled', 5000);
    await informsAndGetsNothing(sim, taskId);
  });

  it('a task created while the run is being cancelled (the look\'s write loses) is cancelled, not left queued', async () => {
    const { key } = await quietDevice();
    const run = storedRun(key, b.engine.library.inline('late-download', download().definition));
    // Inserted without a job: only the look below takes it.
    await runs.insert(run);
    let created: Task | null = null;
    const tasks: TaskApi = {
      get: (id) => b.tasks.get(id),
      create: async (device, body, options) => {
        created = await b.tasks.create(device, body, options);
        await b.engine.runner.cancel(run.id, 'cancelled mid-look');
        return created;
      },
    };
    const queue = new Queue(WORKFLOW_QUEUE, { connection: b.redis.duplicate({ maxRetriesPerRequest: null }), prefix: bullPrefix(b.t.config.redisPrefix) });
    try {
      const deps: AdvanceDeps = { runs, store: b.t.acs.store, tasks, taskCanceller: b.tasks, queue, redis: b.redis, redisPrefix: b.t.config.redisPrefix, log: createLogger('silent'), lockMs: 5000 };
      await advanceRun(deps, run.id);
    } finally {
      await queue.close();
    }
    assert.ok(created, 'the look created a task');
    const stored = await runs.get(run.id);
    assert.equal(stored?.status, 'cancelled');
    assert.deepEqual(stored?.state.tasks, {}, 'the cancelled run never recorded it');
    assert.equal((await b.tasks.get((created as Task).id))?.status, 'cancelled');
  });

  it('a cancel whose task withdrawal fails (database down) throws; cancelling the cancelled run again withdraws the task', async () => {
    const { key } = await quietDevice();
    let failures = 1;
    const flaky: TaskCanceller = {
      cancel: async (id) => {
        if (failures-- > 0) throw Object.assign(new Error('database unavailable'), { code: 'ACS_ERR_UNAVAILABLE' });
        return b.tasks.cancel(id);
      },
    };
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const own = createWorkflowRunner({ redisPrefix: b.t.config.redisPrefix, connect: () => connection, redis: b.redis, store: b.t.acs.store, log: createLogger('silent'), taskCanceller: flaky });
    try {
      const run = await own.runner.start({ device: key, workflow: download() });
      const taskId = await waitingTask(run.id);
      await assert.rejects(own.runner.cancel(run.id), /database unavailable/);
      assert.equal((await own.runner.get(run.id))?.status, 'cancelled', 'the run is cancelled first');
      assert.equal((await b.tasks.get(taskId))?.status, 'queued');
      assert.equal((await own.runner.cancel(run.id))?.status, 'cancelled');
      assert.equal((await b.tasks.get(taskId))?.status, 'cancelled');
    } finally {
      await own.close();
      connection.disconnect();
    }
  });
});

/** A new run at its first step, as Runner.start stores it. */
function storedRun(device: string, definition: StoredRun['definition']): StoredRun {
  const now = Date.now();
  return {
    id: randomUUID(),
    device, workflow: definition.name, args: {}, status: 'running', step: definition.steps[0].name, reason: null, output: {},
    campaignId: null, campaignStage: null, createdAt: now, updatedAt: now, version: 0, definition,
    state: { index: 0, compensating: false, failure: null, vars: null, tasks: {}, mark: now, wait: null, moves: 0, armed: true },
  };
}
