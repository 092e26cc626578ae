/**
 * Closing a BullMQ worker: gracefully (its running jobs finish) while its
 * Redis answers; at once when it does not. BullMQ's graceful close then waits
 * for Redis for good: it QUITs its blocking connection and waits for the
 * connection's end, which one waiting to reconnect never reaches
 * (taskforcesh/bullmq#4656), and it waits for running jobs whose Redis
 * commands are held: a process asked to stop during a Redis outage never
 * stopped. Jobs cut short are taken again as stalled.
 */
import type { Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';

/** How long a Redis that says it is ready may take to answer a PING before the close is forced. */
const PROBE_MS = 250;

export async function closeWorker(worker: Pick<Worker, 'opts' | 'close'>): Promise<void> {
  await worker.close(!(await answers(worker.opts.connection)));
}

/**
 * Asked, not read off the status: a Redis Cluster whose every node is gone
 * can still say "ready" (seen: the webhook delivery worker's connection, 1.5 s
 * after the whole cluster died, and its close then waited for good).
 */
async function answers(c: Worker['opts']['connection']): Promise<boolean> {
  // Connection options, not a connection: BullMQ made and owns the connection.
  if (!(c instanceof Redis || c instanceof Cluster)) return true;
  if (c.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_MS)));
  try {
    return await Promise.race([c.ping().then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
