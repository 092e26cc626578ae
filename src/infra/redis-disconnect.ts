/**
 * Ending a Redis connection whatever its state. ioredis's disconnect() on a
 * connection that lost its server and waits to reconnect (status
 * "reconnecting", no socket) only cancels the retry: the connection stays
 * "reconnecting" for good and the commands it holds (a blocked XREAD under
 * maxRetriesPerRequest null) never settle, so whatever awaits them (a stream
 * reader's loop, the close waiting for that loop) waits forever. Seen as a
 * process that never finished closing after its Redis restarted.
 */
import type { Redis } from 'ioredis';

/** Clusters that disconnectNow is ending: their next attempt to reconnect is their last. */
const ending = new WeakSet<object>();

/**
 * Every Redis Cluster connection's retry strategy (connectTo): ioredis's own
 * delays, until disconnectNow marks the cluster. Called by ioredis with the
 * cluster as `this`.
 */
export function clusterRetry(this: unknown, times: number): number | null {
  return ending.has(this as object) ? null : Math.min(100 + times * 2, 2000);
}

export function disconnectNow(r: Redis): void {
  if (r.isCluster && r.status === 'reconnecting') {
    // A Cluster's disconnect() at this point is followed by no close event, so its held commands stay held. Its
    // pending attempt (at most 2 s away) is left to run instead: failing, it ends the cluster and rejects them
    // ("None of startup nodes is available"); succeeding, it runs them, and the cluster is disconnected then.
    ending.add(r);
    r.once('ready', () => r.disconnect());
    return;
  }
  // A connection attempt started and closed in the same tick ends at once: ioredis then rejects the held commands ("Connection is closed.") and ends.
  if (r.status === 'reconnecting') r.connect().catch(() => undefined);
  r.disconnect();
}
