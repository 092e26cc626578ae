/**
 * The retention sweep of tasks, once a minute per cluster (a BullMQ job
 * scheduler: whichever worker takes the job runs it): open tasks past their
 * expiry become expired (each told of as task.failed), finished tasks older
 * than TASK_RETENTION_MS go.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { sweepTasks } from '../db/tasks';
import { KeptSchedulers, UNREAD_EVENTS } from '../engine/job-schedulers';
import type { DeviceStore, ExpiredTask } from '../db/types';
import type { Logger } from '../log';
import { closeWorker } from '../infra/bull-worker';
import { logBullErrors } from '../infra/redis-outage';

export const TASK_SWEEP_QUEUE = 'task-sweep';
const EVERY_MS = 60_000;
/** Tasks expired (and old ones deleted) per transaction; a sweep goes on while a whole batch expired. */
const BATCH = 1000;

export interface TaskSweepOptions {
  prefix: string;
  connect: () => Redis;
  store: DeviceStore;
  retentionMs: number;
  log: Logger;
  /** Told of the tasks a sweep marked expired, once committed (task.failed, the waiters' notice). */
  expired(tasks: ExpiredTask[], now: number): Promise<void>;
}

export async function startTaskSweep(o: TaskSweepOptions): Promise<{ close(): Promise<void> }> {
  const connection = o.connect();
  const queue = new Queue(TASK_SWEEP_QUEUE, { connection, prefix: o.prefix, streams: UNREAD_EVENTS });
  const worker = new Worker(
    TASK_SWEEP_QUEUE,
    async () => {
      for (;;) {
        const now = Date.now();
        const { expired, deleted } = await o.store.sql.transaction((db) => sweepTasks(db, now, o.retentionMs, BATCH));
        if (expired.length + deleted > 0) o.log.info({ expired: expired.length, deleted }, 'tasks swept');
        // After the commit: an event never tells of an expiry that was rolled back.
        if (expired.length > 0) await o.expired(expired, now);
        if (expired.length < BATCH) break;
      }
    },
    { connection: o.connect(), prefix: o.prefix, removeOnComplete: { count: 0 }, removeOnFail: { count: 100 } },
  );
  logBullErrors(worker, o.log, 'task sweep worker');
  logBullErrors(queue, o.log, 'task sweep queue');
  const schedulers = new KeptSchedulers(queue, connection, o.log);
  await schedulers.set('sweep', { repeat: { every: EVERY_MS }, template: { name: 'sweep' } });
  return {
    close: async () => {
      schedulers.close();
      await closeWorker(worker);
      await queue.close();
    },
  };
}
