/**
 * Scheduled reports on BullMQ, in worker processes. Queue `qoe-reports`:
 *
 * - `sweep` (a job scheduler every `sweepMs`, one for the cluster) reads the
 *   schedules due (next_due <= now), adds a `run {id, due}` job for each,
 *   then moves next_due past now (missed due times are not made up: one run,
 *   for the latest of them). The job id `run-<id>-<due>` is the same whoever adds
 *   it, and completed jobs are kept a day, so a due time is queued once;
 * - `run` runs the report and emits it (schedule-run.ts), claiming the due
 *   time in the database first: a second run of it, on any worker, does
 *   nothing.
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SqlAccess } from '../../db/types';
import { startSweptQueue } from '../../engine/swept-queue';
import type { Logger } from '../../log';
import type { AcsEvent } from '../../webhooks/types';
import type { ProfileLookup } from '../series/types';
import { ReportService } from './run';
import { latestDue, nextDue } from './schedule-input';
import { runSchedule, type RunDeps, type RunOutcome } from './schedule-run';
import { ScheduleStore } from './schedule-store';

export const QOE_REPORT_QUEUE = 'qoe-reports';
const DAY_S = 86_400;

export interface ReportSchedulerOptions {
  redisPrefix: string;
  /** A new connection for BullMQ (maxRetriesPerRequest: null). */
  connect: () => Redis;
  /** The device store's sql: schedules, series and devices. */
  sql: SqlAccess;
  /** The collection profiles by name (a ProfileView's lookup). */
  profiles: ProfileLookup;
  log: Logger;
  /** The webhook emitter's emit: each run's qoe.report event. */
  emit?: (events: AcsEvent[]) => Promise<void>;
  /** The NBI's public URL, for the link in a truncated report. */
  apiBase?: string;
  /** How often due schedules are looked for (default 60 s). */
  sweepMs?: number;
  /** Reports run at once by this worker (default 1: a report reads a whole fleet). */
  concurrency?: number;
}

export interface ReportScheduler {
  store: ScheduleStore;
  /** Queues the runs due at `now` (what a sweep does); answers how many. */
  sweepNow(now?: number): Promise<number>;
  close(): Promise<void>;
}

const RUN_OPTS = { removeOnComplete: { age: DAY_S }, removeOnFail: { age: 7 * DAY_S }, attempts: 3, backoff: { type: 'exponential', delay: 10_000 } };

async function sweep(queue: Queue, store: ScheduleStore, now: number): Promise<number> {
  const due = await store.due(now);
  if (due.length === 0) return 0;
  const runs = due.map((s) => ({ ...s, at: latestDue(s.every, s.nextDue, now) }));
  await queue.addBulk(runs.map((s) => ({ name: 'run', data: { id: s.id, due: s.at }, opts: { ...RUN_OPTS, jobId: `run-${s.id}-${s.at}` } })));
  for (const s of runs) await store.advance(s.id, s.nextDue, nextDue(s.every, Math.max(now, s.at)));
  return due.length;
}

export async function startReportScheduler(o: ReportSchedulerOptions): Promise<ReportScheduler> {
  const store = new ScheduleStore(o.sql);
  const deps: RunDeps = { store, reports: new ReportService({ sql: o.sql, profiles: o.profiles }), emit: o.emit, apiBase: o.apiBase };
  const run = (queue: Queue) => async (job: Job): Promise<RunOutcome | number> => {
    if (job.name === 'sweep') return sweep(queue, store, Date.now());
    const { id, due } = job.data as { id: number; due: number };
    const outcome = await runSchedule(deps, Number(id), Number(due));
    o.log.info({ schedule: id, due, outcome }, 'qoe report schedule run');
    return outcome;
  };
  const swept = await startSweptQueue({
    name: QOE_REPORT_QUEUE, connect: o.connect, redisPrefix: o.redisPrefix, log: o.log, what: 'qoe report',
    sweepEveryMs: o.sweepMs ?? 60_000, concurrency: o.concurrency ?? 1, run,
  });
  return {
    store,
    sweepNow: (now = Date.now()) => sweep(swept.queue, store, now),
    close: () => swept.close(),
  };
}
