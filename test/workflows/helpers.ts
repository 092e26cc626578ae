/**
 * A real ACS (MariaDB + Redis, role all) with this suite's own workflow
 * engine on its Redis prefix, and simulator fleets to drive sessions.
 */
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import Redis from 'ioredis';
import { createFileService, type FileService } from '../../src/files';
import { createLogger } from '../../src/log';
import { deviceKeyOf } from '../../src/model/device-key';
import type { SimDevice } from '../../src/sim/device';
import { Fleet, type FleetOptions } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { isWatched } from '../../src/tasks/committed';
import { fileDeps, TaskService } from '../../src/tasks/service';
import { startWorkflowEngine, type RunningEngine } from '../../src/workflows/engine';
import { RunStore } from '../../src/workflows/run-store';
import { FINAL_RUN_STATUSES, type WorkflowRun } from '../../src/workflows/types';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { until } from '../helpers/wait';

export const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
export const TR181 = path.join(MODELS, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
export const TR098 = path.join(MODELS, 'device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv');
export const SHIPPED = path.resolve(__dirname, '../../workflows');

export interface Bench {
  t: TestAcs;
  engine: RunningEngine;
  redis: Redis;
  tasks: TaskService;
  files: FileService;
  fleets: Fleet[];
  reports: string[];
  close(): Promise<void>;
}

export async function startBench(suite: string, workflowsDir = SHIPPED, lockMs = 5000): Promise<Bench> {
  // A known file server port: the URLs the ACS's own workflow worker gives CPEs must reach it too.
  const t = await withFreePort((fsPort) => startTestAcs(suite, { sessionTimeoutMs: 5000, fsPort, fsHost: '127.0.0.1', fsUrl: `http://127.0.0.1:${fsPort}` }));
  const redis = new Redis(TEST_REDIS_URL);
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const facts = t.acs.deps?.facts;
  if (!facts) throw new Error('the test ACS has no CWMP role');
  // The ACS's own file server (fsPort) serves this store: the test's service only makes URLs on the right port.
  const files = createFileService(t.acs.store.sql, { urlBase: `http://127.0.0.1:${t.acs.fsPort}` });
  const tasks = new TaskService({ store: t.acs.store, facts, log, ...fileDeps(files) });
  const extra: Redis[] = [];
  const engine = await startWorkflowEngine({
    workflowsDir, redisPrefix: t.config.redisPrefix, redis, store: t.acs.store, tasks, taskCanceller: tasks, log, lockMs, files,
    connect: () => {
      const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
      extra.push(r);
      return r;
    },
  });
  await engine.waitUntilReady();
  const bench: Bench = {
    t, engine, redis, tasks, files, fleets: [], reports: [],
    close: async () => {
      await Promise.all(bench.fleets.map((f) => f.close()));
      await engine.close();
      for (const r of extra) r.disconnect();
      redis.disconnect();
      await t.stop();
    },
  };
  return bench;
}

/** `start` on a port free a moment ago; another one if a process took it meanwhile (a parallel test file: CI saw EADDRINUSE once). */
async function withFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= 5 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function fleetOf(b: Bench, model: string, devices: number, serialBase: string, extra: Partial<FleetOptions> = {}): Promise<Fleet> {
  const fleet = await Fleet.create({ acsUrl: b.t.cwmpUrl, model: loadModel(model), devices, serialBase, concurrency: 10, report: (key, message) => b.reports.push(`${key}: ${message}`), ...extra });
  b.fleets.push(fleet);
  await fleet.connectAll();
  return fleet;
}

export function keyOf(device: SimDevice): string {
  return deviceKeyOf(device.deviceId());
}

/** One session of the device, to its end (and the effects it scheduled that run at once). */
export async function session(fleet: Fleet, device: SimDevice, event?: string): Promise<void> {
  fleet.connect(device, event);
  await fleet.idle();
}

/**
 * A session of the device when the run waits on a task still queued, and the
 * device is not in a session: no more sessions than a CPE would make, so
 * none overlaps the sessions the simulator starts itself (transfers, diagnostics).
 */
export function taskDriver(b: Bench, fleet: Fleet, device: SimDevice, runId: () => string): () => Promise<void> {
  const runs = new RunStore(b.t.acs.store.sql);
  return async () => {
    const run = await runs.get(runId());
    const wait = run?.state.wait;
    if (!wait || wait.kind !== 'task' || device.inSession) return;
    const task = await b.tasks.get(wait.taskId);
    if (task?.status === 'queued') await session(fleet, device);
  };
}

/** Waits for the run to reach one of `statuses`, running a session of the device every `everyMs` meanwhile. */
export async function runUntil(b: Bench, id: string, statuses: readonly string[], drive?: () => Promise<void>, timeoutMs = 20_000): Promise<WorkflowRun> {
  let run: WorkflowRun | null = null;
  await until(`run ${id} ${statuses.join('/')}`, async () => {
    run = await b.engine.runner.get(id);
    if (run && statuses.includes(run.status)) return true;
    if (run && FINAL_RUN_STATUSES.includes(run.status)) throw new Error(`run ended ${run.status}: ${run.reason ?? ''}`);
    if (drive) await drive();
    return false;
  }, timeoutMs).catch(async (err: Error) => {
    throw new Error(`${err.message}; last seen: ${JSON.stringify(run)}; ${await waitDetail(b, id)}; simulator: ${b.reports.slice(-5).join(' | ')}`);
  });
  return run as unknown as WorkflowRun;
}

/** What a stuck run waits on: its wait, the status of the task it waits for, and whether its device's commits reach the engine. */
async function waitDetail(b: Bench, id: string): Promise<string> {
  try {
    const stored = await new RunStore(b.t.acs.store.sql).get(id);
    const wait = stored?.state.wait ?? null;
    const task = wait?.kind === 'task' ? await b.tasks.get(wait.taskId) : null;
    const watched = stored ? await isWatched(b.redis, b.t.config.redisPrefix, stored.device) : null;
    return `wait: ${JSON.stringify(wait)}, task: ${task ? `${task.id} ${task.status}` : 'none'}, device watched: ${String(watched)}`;
  } catch (err) {
    return `wait unknown (${(err as Error).message})`;
  }
}
