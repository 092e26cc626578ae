/**
 * A BullMQ queue whose work starts from a sweep: a kept job scheduler
 * (job-schedulers.ts) adds a 'sweep' job every `sweepEveryMs`, whichever
 * worker takes it looks for what is due and adds the queue's own jobs; the
 * workers run both. Campaigns, the QoE alert rules and scheduled reports
 * work so.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { KeptSchedulers, UNREAD_EVENTS } from './job-schedulers';
import { bullPrefix } from './queue';
import { closeWorker } from '../infra/bull-worker';
import { logBullErrors } from '../infra/redis-outage';
import { FailureStreak } from '../infra/failure-streak';

export interface SweptQueueOptions {
  name: string;
  /** A new connection for BullMQ (maxRetriesPerRequest: null). */
  connect: () => Redis;
  redisPrefix: string;
  log: Logger;
  /** In log lines: "<what> job failed". */
  what: string;
  sweepEveryMs: number;
  concurrency: number;
  /** Runs a job of the queue ('sweep' included), given the queue to add jobs to. */
  run: (queue: Queue) => (job: Job) => Promise<unknown>;
}

export interface SweptQueue {
  queue: Queue;
  close(): Promise<void>;
}

export async function startSweptQueue(o: SweptQueueOptions): Promise<SweptQueue> {
  const connection = o.connect();
  const prefix = bullPrefix(o.redisPrefix, connection);
  const queue = new Queue(o.name, { connection, prefix, streams: UNREAD_EVENTS });
  const worker = new Worker(o.name, o.run(queue), { connection: o.connect(), prefix, concurrency: o.concurrency });
  watchFailures(worker, o.log, o.what);
  logBullErrors(worker, o.log, `${o.what} worker`);
  logBullErrors(queue, o.log, `${o.what} queue`);
  await worker.waitUntilReady();
  const schedulers = new KeptSchedulers(queue, connection, o.log);
  await schedulers.set(`${o.name}-sweep`, { repeat: { every: o.sweepEveryMs }, template: { name: 'sweep', opts: { removeOnComplete: true, removeOnFail: 100 } } });
  return {
    queue,
    close: async () => {
      schedulers.close();
      await closeWorker(worker);
      await queue.close();
    },
  };
}

/**
 * A failing sweep is logged once per streak (failure-streak.ts): while the
 * database was down, the sweep each second failed with the same line each
 * second. A sweep that completes ends the streak. The other jobs, each of
 * its own campaign, rule or schedule, are logged as they fail: one's
 * streak would hide another's failures.
 */
function watchFailures(worker: Worker, log: Logger, what: string): void {
  const sweeps = new FailureStreak(log.child({ job: 'sweep' }), { lost: `${what} sweep failed`, still: `${what} sweeps still failing`, back: `${what} sweeps succeed again` });
  worker.on('failed', (job, err) => {
    if (job?.name === 'sweep') sweeps.failed(err);
    else log.error({ err, job: job?.name, data: job?.data }, `${what} job failed`);
  });
  worker.on('completed', (job) => {
    if (job.name === 'sweep') sweeps.succeeded();
  });
}
