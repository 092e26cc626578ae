/**
 * Wiring: the runner any process may use, and the workers of worker
 * processes — the `workflows` queue (advance jobs) and the consumer of
 * SESSION_COMMITTED_QUEUE (news of watched devices: store it, look at the
 * device's runs).
 */
import type { AcsEvent } from '../webhooks/types';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeviceStore } from '../db/types';
import { bullPrefix } from '../engine/queue';
import type { Logger } from '../log';
import { SESSION_COMMITTED_QUEUE, type SessionCommitted, type TasksExpired } from '../tasks/committed';
import type { TaskApi } from '../tasks/types';
import { advanceRun, type AdvanceDeps } from './advance';
import { enqueueAdvance, WORKFLOW_QUEUE, type AdvanceJob } from './jobs';
import { WorkflowLibrary } from './library';
import { RunStore, type DeviceNews } from './run-store';
import { Runner } from './runner';
import type { TaskCanceller } from './task-cancel';
import type { WorkflowFiles, WorkflowRunner } from './types';
import { closeWorker } from '../infra/bull-worker';
import { logBullErrors } from '../infra/redis-outage';

/** News older than this is dropped: no wait lasts that long. */
const NEWS_KEEP_MS = 7 * 86_400_000;

export interface WorkflowOptions {
  /** Folder of workflow files (WORKFLOWS_DIR, default ./workflows). */
  workflowsDir?: string;
  redisPrefix: string;
  /** A new connection for BullMQ (maxRetriesPerRequest: null); each queue and worker gets its own. */
  connect: () => Redis;
  /** The process's command connection (locks, watched devices). */
  redis: Redis;
  store: DeviceStore;
  log: Logger;
  /** Withdraws the unfinished task of a run that is cancelled or whose step timed out (TaskService); absent: such tasks stay queued. */
  taskCanceller?: TaskCanceller;
}

export interface EngineOptions extends WorkflowOptions {
  tasks: TaskApi;
  /** Jobs one worker process takes at once (default 8). */
  concurrency?: number;
  /** BullMQ job lock and the run lock (ms, default 30000): how soon a killed worker's job is redone. */
  lockMs?: number;
  /** BullMQ's check for stalled jobs (ms, default lockMs). */
  stalledIntervalMs?: number;
  /** Asks a device to connect now (task steps with connectionRequest: true). */
  connectionRequest?: (device: string) => Promise<unknown>;
  /** The ACS's file store (upload steps with uploadTo: config backups). */
  files?: WorkflowFiles;
  /** Told of runs that ended done or failed (webhooks). */
  emit?: (events: AcsEvent[]) => Promise<void>;
}

export interface RunningRunner {
  runner: WorkflowRunner;
  library: WorkflowLibrary;
  close(): Promise<void>;
}

/** A runner for processes that start and read runs but run no steps (NBI). */
export function createWorkflowRunner(options: WorkflowOptions): RunningRunner {
  const connection = options.connect();
  const queue = new Queue(WORKFLOW_QUEUE, { connection, prefix: bullPrefix(options.redisPrefix, connection) });
  logBullErrors(queue, options.log, 'workflow queue');
  const library = new WorkflowLibrary(options.workflowsDir ?? './workflows');
  const runner = new Runner({ runs: new RunStore(options.store.sql), library, queue, redis: options.redis, redisPrefix: options.redisPrefix, taskCanceller: options.taskCanceller });
  return { runner, library, close: () => queue.close() };
}

export interface RunningEngine extends RunningRunner {
  /** Resolves when both workers are connected. */
  waitUntilReady(): Promise<void>;
}

function newsOf(c: SessionCommitted): DeviceNews[] {
  const events: DeviceNews[] = c.events.map((e) => ({ sessionId: c.sessionId, time: c.time, kind: 'event', name: e.code, commandKey: e.commandKey, detail: null }));
  const requests: DeviceNews[] = c.requests.map((r) => ({
    sessionId: c.sessionId,
    time: c.time,
    kind: 'request',
    name: r.method,
    commandKey: typeof r.detail.CommandKey === 'string' ? r.detail.CommandKey : '',
    detail: r.detail,
  }));
  return [...events, ...requests];
}

/** Worker processes: runs the steps of every run. */
export async function startWorkflowEngine(options: EngineOptions): Promise<RunningEngine> {
  const base = createWorkflowRunner(options);
  const prefix = bullPrefix(options.redisPrefix, options.redis);
  const lockMs = options.lockMs ?? 30_000;
  const queue = new Queue(WORKFLOW_QUEUE, { connection: options.connect(), prefix });
  const runs = new RunStore(options.store.sql);
  const deps: AdvanceDeps = { runs, store: options.store, tasks: options.tasks, queue, redis: options.redis, redisPrefix: options.redisPrefix, log: options.log, lockMs, connectionRequest: options.connectionRequest, files: options.files, taskCanceller: options.taskCanceller, emit: options.emit };
  const workerOptions = { prefix, concurrency: options.concurrency ?? 8, lockDuration: lockMs, stalledInterval: options.stalledIntervalMs ?? lockMs };
  const advancer = new Worker<AdvanceJob>(WORKFLOW_QUEUE, (job) => advanceRun(deps, job.data.runId), { ...workerOptions, connection: options.connect() });
  const consumer = new Worker<SessionCommitted | TasksExpired>(SESSION_COMMITTED_QUEUE, (job) => onNotice(deps, job), { ...workerOptions, connection: options.connect() });
  for (const w of [advancer, consumer, queue]) logBullErrors(w, options.log, 'workflow engine');
  advancer.on('failed', (job, err) => options.log.error({ err, runId: job?.data.runId }, 'workflow step failed'));
  const ready = Promise.all([advancer.waitUntilReady(), consumer.waitUntilReady()]).then(() => recover(deps));
  return {
    runner: base.runner,
    library: base.library,
    waitUntilReady: () => ready,
    close: async () => {
      await ready.catch(() => undefined);
      await closeWorker(advancer);
      await closeWorker(consumer);
      await queue.close();
      await base.close();
    },
  };
}

/** A session's notice, not an expiry's (committed.ts: the job names NOTICE.session, NOTICE.expired). */
function isSessionNotice(n: SessionCommitted | TasksExpired): n is SessionCommitted {
  return 'sessionId' in n;
}

/** A committed session of a watched device (keep its news), or its tasks expired: look at the device's runs. */
async function onNotice(deps: AdvanceDeps, job: Job<SessionCommitted | TasksExpired>): Promise<void> {
  const news = isSessionNotice(job.data) ? newsOf(job.data) : [];
  const device = job.data.device;
  if (news.length > 0) await deps.runs.addNews(device, news, Date.now() - NEWS_KEEP_MS);
  for (const run of await deps.runs.active(device)) await enqueueAdvance(deps.queue, run.id, run.version);
}

/** At start-up: a look at every run not final (jobs lost with a Redis that lost its data). */
async function recover(deps: AdvanceDeps): Promise<void> {
  for (const r of await deps.runs.allActive()) await enqueueAdvance(deps.queue, r.id, r.version, 0, 'recover');
}
