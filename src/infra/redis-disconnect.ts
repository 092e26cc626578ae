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

export function disconnectNow(r: Redis): void {
  // A connection attempt started and closed in the same tick ends at once: ioredis then rejects the held commands ("Connection is closed.") and ends.
  if (r.status === 'reconnecting' && !r.isCluster) r.connect().catch(() => undefined);
  r.disconnect();
}
