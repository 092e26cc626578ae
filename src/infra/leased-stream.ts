/**
 * Reading a Redis stream that many processes append to, one reader of the
 * cluster at a time: a lease in Redis, taken over within LEASE_MS of its
 * holder's death. The reader handles a read's entries, then deletes them (or
 * its handler does, later):
 * until `handle` succeeds (the database is down), they stay and are read
 * again, so `handle` must be idempotent per entry (an entry may also be read
 * twice when the lease changes hands mid-read).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { disconnectNow } from './redis-disconnect';

const LEASE_MS = 10_000;
/** How often a process without the lease tries to take it. */
const LEASE_RETRY_MS = 2_000;
/** How long a close waits for the lease's release. */
const RELEASE_WAIT_MS = 1_000;
/** How long a read waits for new entries (and so how often the lease is renewed when there are none). */
const BLOCK_MS = 1_000;

// Renews the lease if `ARGV[1]` holds it, takes it if nobody does: 1 when held.
const HOLD = `local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type StreamEntry = [id: string, fields: string[]];

export interface LeasedStreamOptions {
  /** Commands (the lease, deletes): its own connection, closed with it. */
  redis: Redis;
  /** Its own connection too: the reads block. */
  reader: Redis;
  stream: string;
  lease: string;
  log: Logger;
  /** For the log line of a failed read. */
  what: string;
  /** Entries per read. */
  count: number;
  /**
   * After a read of fewer than `count` entries, the next waits this long: it
   * then takes several appenders' entries at once, handled in fewer, fuller
   * writes. For streams whose readers can wait.
   */
  gatherMs: number;
  /** false: `handle` deletes its entries itself, once done with them (it answers before: the reader reads on). */
  deletes?: boolean;
  handle(entries: StreamEntry[]): Promise<void>;
}

export interface LeasedStreamReader {
  /** Whether this reader holds the lease now, as Redis says (not as it last renewed it). */
  holds(): Promise<boolean>;
  close(): Promise<void>;
}

export function readLeasedStream(o: LeasedStreamOptions): LeasedStreamReader {
  const token = randomBytes(12).toString('hex');
  let closed = false;
  const hold = async () => Number(await o.redis.eval(HOLD, 1, o.lease, token, LEASE_MS)) === 1;

  async function loop(): Promise<void> {
    // Entries before `last` were handled and deleted; a new holder starts from the oldest left.
    let last = '0-0';
    while (!closed) {
      try {
        if (!(await hold())) {
          last = '0-0';
          await sleep(LEASE_RETRY_MS);
          continue;
        }
        const read = (await o.reader.xread('COUNT', o.count, 'BLOCK', BLOCK_MS, 'STREAMS', o.stream, last)) as [string, StreamEntry[]][] | null;
        const entries = read?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        await o.handle(entries);
        if (o.deletes !== false) await o.redis.xdel(o.stream, ...entries.map(([id]) => id));
        last = entries[entries.length - 1][0];
        if (entries.length < o.count) await sleep(o.gatherMs);
      } catch (err) {
        if (closed) break;
        o.log.error({ err }, `${o.what} failed; its entries stay in the stream`);
        await sleep(BLOCK_MS);
      }
    }
  }

  const running = loop();
  return {
    holds: async () => (await o.redis.get(o.lease)) === token,
    close: async () => {
      closed = true;
      // Ends a blocked read at once.
      disconnectNow(o.reader);
      // A command connection waiting for its server would hold the loop's command until it is back: the lease then lapses by itself (LEASE_MS).
      if (o.redis.status !== 'ready') disconnectNow(o.redis);
      await running;
      // A server that died unseen (the connection still "ready") would hold the release until it is back: it lapses by itself then.
      await Promise.race([o.redis.eval(RELEASE, 1, o.lease, token).catch(() => undefined), sleep(RELEASE_WAIT_MS)]);
      disconnectNow(o.redis);
    },
  };
}

/** The JSON array under field `name` of an entry; null when it is missing or unreadable. */
export function jsonArrayField<T>(fields: string[], name: string): T[] | null {
  const at = fields.indexOf(name);
  try {
    const value: unknown = at >= 0 ? JSON.parse(fields[at + 1]) : null;
    return Array.isArray(value) ? (value as T[]) : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
