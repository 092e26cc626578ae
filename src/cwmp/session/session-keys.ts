/**
 * The Redis key names of sessions (see redis-store.ts for what each holds).
 * On a Redis Cluster a session's keys carry its device's shard tag
 * (infra/hash-tags.ts), and its id starts with that shard (two hex digits),
 * so that the keys of a session known only by its id (from a cookie, or a
 * deadline set) are found in the right slot. On a single Redis: no tags, one
 * shard, random ids, the names of before cluster support.
 */
import { randomFillSync } from 'node:crypto';
import { askedKey } from '../../connreq/keys';
import { CLUSTER_SHARDS, deviceTag, shardOfDevice, shardsOf, shardTag, type KeyLayout } from '../../infra/hash-tags';

/** Session ids are cut from a pool of random bytes, filled 256 ids at a time: one call into OpenSSL per id showed in a quiet session's profile (~1 %). */
const ID_BYTES = 16;
const pool = Buffer.alloc(ID_BYTES * 256);
let used = pool.length;

function randomId(): Buffer {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  // A copy: the pool is filled again later, and the id may still be changed (its shard byte).
  const id = Buffer.from(pool.subarray(used, used + ID_BYTES));
  used += ID_BYTES;
  return id;
}

/** The device's session lock: held while a session with it is open (connection requests wait for it to go). */
export function lockKey(prefix: string, deviceKey: string, layout: KeyLayout): string {
  return `${prefix}${deviceTag(layout, deviceKey)}lock:${deviceKey}`;
}

export class SessionKeys {
  constructor(
    private readonly prefix: string,
    private readonly layout: KeyLayout,
  ) {}

  /** Every shard, for the sweepers that read the per-shard sets. */
  get shards(): number[] {
    return shardsOf(this.layout);
  }

  /** A new session id (32 hex digits) for a device; on a cluster its first byte is the device's shard. */
  newSessionId(deviceKey: string): string {
    const id = randomId();
    if (this.layout.isCluster) id[0] = shardOfDevice(this.layout, deviceKey);
    return id.toString('hex');
  }

  /** The shard a session id names (0 for an id this ACS did not make: its keys are simply not there). */
  shardOfSession(sid: string): number {
    return this.layout.isCluster ? (parseInt(sid.slice(0, 2), 16) || 0) % CLUSTER_SHARDS : 0;
  }

  shardOfDevice(deviceKey: string): number {
    return shardOfDevice(this.layout, deviceKey);
  }

  lock(deviceKey: string): string {
    return lockKey(this.prefix, deviceKey, this.layout);
  }

  /** The device's connection-request mark, cleared when its session opens. */
  asked(deviceKey: string): string {
    return askedKey(this.prefix, deviceKey, this.layout);
  }

  session(sid: string): string {
    return this.bySession(sid, `session:${sid}`);
  }

  log(sid: string): string {
    return this.bySession(sid, `session:${sid}:log`);
  }

  deadlines(shard: number): string {
    return this.inShard(shard, 'deadlines');
  }

  ending(shard: number): string {
    return this.inShard(shard, 'ending');
  }

  touched(shard: number): string {
    return this.inShard(shard, 'touched');
  }

  /** Untagged: written on its own, read by address alone. */
  addr(ip: string): string {
    return `${this.prefix}addr:${ip}`;
  }

  nonce(replayKey: string): string {
    return `${this.prefix}nonce:${replayKey}`;
  }

  private bySession(sid: string, name: string): string {
    return this.inShard(this.shardOfSession(sid), name);
  }

  private inShard(shard: number, name: string): string {
    return `${this.prefix}${shardTag(this.layout, shard)}${name}`;
  }
}
