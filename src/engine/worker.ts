/**
 * An engine worker: takes session steps from BullMQ, plans them, and
 * publishes the answer to the front end that waits for it. Steps are
 * idempotent: a step taken twice (a front end that gave up waiting and asked
 * again) plans the same RPCs, and the front end keeps the first answer.
 * Also fires scheduled presets: BullMQ job schedulers, so each fires once per
 * cluster, opening the preset's window for every device that informs in it.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisSessionStore } from '../cwmp/session/redis-store';
import type { DeviceStore } from '../db/types';
import { createLogger, type Logger } from '../log';
import type { Preset } from '../presets/types';
import type { PresetRegistry } from '../presets/registry';
import { KeptSchedulers } from './job-schedulers';
import { openWindow } from './schedules';
import { defaultChannelBudget } from './channel-budget';
import { bullPrefix, STEP_QUEUE, type StepJob, type StepReply } from './queue';
import { SessionCache } from './session-cache';
import { step, type StepDeps } from './step';
import { engineStats, timed } from './stats';
import { metrics } from '../metrics/registry';
import { closeWorker } from '../infra/bull-worker';
import { logBullErrors } from '../infra/redis-outage';

export interface WorkerOptions {
  redisPrefix: string;
  concurrency: number;
  /** Connections: BullMQ's worker needs its own (blocking) one; commands go through `redis`. */
  connect: () => Redis;
  redis: Redis;
  sessions: RedisSessionStore;
  store: DeviceStore;
  log: Logger;
}

/** A step answered this long after it was queued may have outlasted its front end's wait: its answer is kept. */
const LATE_MS = 1_000;
const ANSWER_KEPT_MS = 60_000;
const MAX_ANSWERS_KEPT = 2_000;

interface ScheduleJob {
  preset: string;
  durationS: number;
}

export class EngineWorker {
  private readonly worker: Worker;
  private readonly queue: Queue;
  private readonly schedulers: KeptSchedulers;
  private readonly cache: SessionCache;
  private readonly running = new Map<string, Promise<StepReply>>();
  /** Steps answered lately, by "sid:step": a step asked again after its answer came too late is answered at once. */
  private readonly answered = new Map<string, { reply: StepReply; at: number }>();
  private readonly deps: StepDeps & { presets: PresetRegistry };

  constructor(deps: StepDeps & { presets: PresetRegistry }, private readonly options: WorkerOptions) {
    this.deps = { ...deps, budget: deps.budget ?? defaultChannelBudget(deps.pool.timeoutMs) };
    this.cache = new SessionCache(options.store);
    const connection = options.connect();
    const prefix = bullPrefix(options.redisPrefix, connection);
    this.queue = new Queue(STEP_QUEUE, { connection, prefix });
    this.schedulers = new KeptSchedulers(this.queue, connection, options.log);
    this.worker = new Worker(STEP_QUEUE, (job) => this.process(job), {
      connection: options.connect(),
      prefix,
      concurrency: options.concurrency,
      // A step whose worker died is asked again by its front end; BullMQ need not retry it as well.
      maxStalledCount: 0,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 1000 },
    });
    logBullErrors(this.worker, options.log, 'engine worker');
    logBullErrors(this.queue, options.log, 'engine step queue');
  }

  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
    await this.syncSchedules(this.deps.presets.list());
  }

  private async process(job: Job): Promise<void> {
    if (job.name === 'schedule') return this.openWindow(job.data as ScheduleJob);
    const data = job.data as StepJob;
    const t0 = performance.now();
    const reply = await this.runStep(data, job.timestamp);
    reply.ms = performance.now() - t0;
    metrics.workerStepSeconds.observe(reply.ms / 1000);
    await this.options.redis.publish(data.replyTo, JSON.stringify(reply));
  }

  /**
   * A step asked again while its first try still runs here (a slow ext()
   * outlasting the front end's wait) shares that run: the session's cached
   * table must not be changed by two runs at once, nor an extension called twice.
   */
  private runStep(job: StepJob, queuedAt: number): Promise<StepReply> {
    const key = `${job.sid}:${job.step}`;
    const running = this.running.get(key);
    if (running) return running;
    const answered = this.answered.get(key);
    if (answered) return Promise.resolve(answered.reply);
    const run = this.planStep(job).finally(() => this.running.delete(key));
    this.running.set(key, run);
    void run.then((reply) => {
      if (Date.now() - queuedAt >= LATE_MS) this.remember(key, reply);
    });
    return run;
  }

  /**
   * Keeps the answer of a step that came late while its front end may still
   * ask again (ENGINE_STEP_TIMEOUT_MS x 3 at most): planning it again would
   * run the scripts again (a faulting one included), and a worker that fell
   * behind would fall further behind.
   */
  private remember(key: string, reply: StepReply): void {
    if (!reply.output) return;
    const now = performance.now();
    this.answered.set(key, { reply, at: now });
    for (const [k, v] of this.answered) {
      if (now - v.at < ANSWER_KEPT_MS && this.answered.size <= MAX_ANSWERS_KEPT) break;
      this.answered.delete(k);
    }
  }

  private async planStep(job: StepJob): Promise<StepReply> {
    const { sessions, log } = this.options;
    const base = { sid: job.sid, step: job.step };
    try {
      const [state, entries] = await Promise.all([sessions.load(job.sid), sessions.readLog(job.sid)]);
      if (!state?.provision) return { ...base, error: 'the session has ended' };
      // Its front end stopped asking (no answer after its last try): running the scripts again would only add load.
      if (state.provision.done) return { ...base, error: 'the session\'s provisioning has ended' };
      if (state.provision.steps !== job.step) return { ...base, error: `stale step ${job.step} (session is at ${state.provision.steps})` };
      const cached = await this.cache.get(state, entries);
      engineStats.steps++;
      const output = await timed('stepMs', () => step(this.deps, state, cached));
      if (output.provision.done) this.cache.forget(state.id);
      else this.cache.settle(state.id, entries.length + output.log.length);
      log.debug({ deviceId: state.deviceKey, sessionId: state.id, step: output.provision.steps, requests: output.requests.map((r) => r.request.method) }, 'engine step');
      return { ...base, output };
    } catch (err) {
      this.cache.forget(job.sid);
      log.error({ err, sessionId: job.sid }, 'engine step failed');
      return { ...base, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async openWindow(job: ScheduleJob): Promise<void> {
    const until = await openWindow(this.options.redis, this.options.redisPrefix, job.preset, job.durationS);
    this.options.log.info({ preset: job.preset, until: new Date(until).toISOString() }, 'preset schedule window opened');
  }

  /**
   * One BullMQ job scheduler per scheduled preset, kept (re-created after a
   * Redis loss); schedulers of presets gone or unscheduled are removed, those
   * another process made included.
   */
  async syncSchedules(presets: readonly Preset[]): Promise<void> {
    const wanted = new Map(presets.filter((p) => p.schedule).map((p) => [`preset:${p.name}`, p]));
    const known = [...(await this.queue.getJobSchedulers()).map((s) => s.key), ...this.schedulers.ids()];
    for (const id of new Set(known)) {
      if (id.startsWith('preset:') && !wanted.has(id)) await this.schedulers.remove(id);
    }
    for (const [id, p] of wanted) {
      const schedule = p.schedule as NonNullable<Preset['schedule']>;
      await this.schedulers.set(id, {
        repeat: { pattern: schedule.cron, tz: 'UTC' },
        template: { name: 'schedule', data: { preset: p.name, durationS: schedule.durationS } satisfies ScheduleJob, opts: { removeOnComplete: true, removeOnFail: 100 } },
      });
    }
  }

  async close(): Promise<void> {
    // Printed whatever LOG_LEVEL says (but silent): the benchmark reads it.
    const log = this.options.log.isLevelEnabled('info') || this.options.log.level === 'silent' ? this.options.log : createLogger('info');
    log.info({ ...engineStats }, 'engine stats');
    this.schedulers.close();
    await closeWorker(this.worker);
    await this.queue.close();
  }
}
