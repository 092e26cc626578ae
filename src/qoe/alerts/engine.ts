/**
 * The alert rules' evaluation on BullMQ, in worker processes. Queue
 * `qoe-alerts`:
 *
 * - `sweep` (a job scheduler every `everyMs`, one for the cluster) lists the
 *   profiles some enabled rule reads and adds one `evaluate {profile}` job
 *   for each;
 * - `evaluate` runs evaluation.ts for the profile at the job's time. Its job
 *   id is `evaluate-<profile>`: at most one queued or running per profile in
 *   the cluster; a stalled job retried elsewhere repeats an idempotent run.
 *
 * All state is in the database (rules, alerts, per-profile marks); the
 * scheduler is in Redis and every worker re-creates it if Redis loses it
 * (engine/job-schedulers.ts).
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SqlAccess } from '../../db/types';
import { startSweptQueue } from '../../engine/swept-queue';
import type { Logger } from '../../log';
import type { AcsEvent } from '../../webhooks/types';
import type { RunStart } from '../../workflows/types';
import type { SeriesReader } from '../types';
import { evaluateProfile, type EvaluationDeps, type EvaluationResult } from './evaluation';
import { AlertStore } from './store';

export const QOE_ALERT_QUEUE = 'qoe-alerts';

export interface AlertEngineOptions {
  redisPrefix: string;
  /** A new connection for BullMQ (maxRetriesPerRequest: null). */
  connect: () => Redis;
  /** The database of the rules, the alerts and the devices (the device store's sql). */
  sql: SqlAccess;
  series: SeriesReader;
  log: Logger;
  /** Told of raised and cleared alerts: the webhook emitter's emit. */
  emit?: (events: AcsEvent[]) => Promise<void>;
  /** Starts a rule's workflow on the device: a WorkflowRunner's start. */
  startWorkflow?: (run: RunStart) => Promise<unknown>;
  /** How often the rules are evaluated (default 60 s). */
  everyMs?: number;
  /** Profiles evaluated at once by this worker (default 2). */
  concurrency?: number;
  /** See EvaluationDeps. */
  pageSize?: number;
  overlapMs?: number;
}

export interface AlertEngine {
  store: AlertStore;
  /** Evaluates every active profile once, now, in this process (tests, the CLI). */
  evaluateNow(at?: number): Promise<Record<string, EvaluationResult>>;
  close(): Promise<void>;
}

export async function startAlertEngine(o: AlertEngineOptions): Promise<AlertEngine> {
  const store = new AlertStore(o.sql);
  const deps: EvaluationDeps = { store, series: o.series, sql: o.sql, log: o.log, emit: o.emit, startWorkflow: o.startWorkflow, pageSize: o.pageSize, overlapMs: o.overlapMs };
  const enqueue = async (queue: Queue): Promise<void> => {
    const profiles = await store.activeProfiles();
    if (profiles.length === 0) return;
    const opts = (p: string) => ({ jobId: `evaluate-${p}`, removeOnComplete: true, removeOnFail: true });
    await queue.addBulk(profiles.map((profile) => ({ name: 'evaluate', data: { profile }, opts: opts(profile) })));
  };
  const run = (queue: Queue) => async (job: Job): Promise<void> => {
    if (job.name === 'sweep') return enqueue(queue);
    if (job.name !== 'evaluate') return;
    const profile = String((job.data as { profile: unknown }).profile);
    const r = await evaluateProfile(deps, profile, Date.now());
    if (r.raised + r.cleared > 0) o.log.info({ profile, ...r }, 'qoe alerts evaluated');
  };
  const swept = await startSweptQueue({
    name: QOE_ALERT_QUEUE, connect: o.connect, redisPrefix: o.redisPrefix, log: o.log, what: 'qoe alert',
    sweepEveryMs: o.everyMs ?? 60_000, concurrency: o.concurrency ?? 2, run,
  });
  return {
    store,
    evaluateNow: async (at = Date.now()) => {
      const out: Record<string, EvaluationResult> = {};
      for (const profile of await store.activeProfiles()) out[profile] = await evaluateProfile(deps, profile, at);
      return out;
    },
    close: () => swept.close(),
  };
}
