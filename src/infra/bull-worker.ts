/**
 * Closing a BullMQ worker: gracefully (its running jobs finish) while its
 * Redis answers; at once when it does not. BullMQ's graceful close then waits
 * for Redis for good: it QUITs its blocking connection and waits for the
 * connection's end, which one waiting to reconnect never reaches
 * (taskforcesh/bullmq#4656): a process asked to stop during a Redis outage
 * never stopped. Jobs cut short are taken again as stalled.
 */
import type { Worker } from 'bullmq';

export function closeWorker(worker: Pick<Worker, 'opts' | 'close'>): Promise<void> {
  const c = worker.opts.connection;
  const answers = !('status' in c) || c.status === 'ready';
  return worker.close(!answers);
}
