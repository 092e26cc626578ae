import type { Redis } from 'ioredis';
import { defineScripts, registerScript } from '../../infra/redis-scripts';
import { OpenedSessions } from './opened';
import { SessionKeys } from './session-keys';
import type { SessionLogEntry, SessionState } from './state';

/** Deletes a key only if it still holds the caller's value: a lock is released by its owner only. */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Opens a session atomically: takes the device's lock and, only if that
 * worked, writes the state, its deadline and its address (what the Inform
 * said that must last was stored before, see inform.ts), and clears the
 * device's connection-request mark. KEYS: lock, session, deadlines, asked,
 * addr (single Redis only: on a cluster it is in no device's slot, and is
 * set after). ARGV: sid, ttl ms, state JSON, deadline, address ttl ms.
 * Returns nil when opened, else the holder's sid ('' if the lock vanished meanwhile).
 */
const LOCK_AND_OPEN = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return redis.call('GET', KEYS[1]) or '' end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('DEL', KEYS[4])
if KEYS[5] then redis.call('SET', KEYS[5], ARGV[1], 'PX', ARGV[5]) end
return false`;

/**
 * Saves a step of a live session, and only of a live one: the device's lock
 * must still name it and its deadline must still be set (nobody claimed it to
 * end it). KEYS: lock, session, deadlines, log. ARGV: sid, ttl ms, state
 * JSON, deadline, log entries... Returns 1 if saved, 0 if the session is over.
 */
const SAVE_IF_LIVE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] or not redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if #ARGV > 4 then
  redis.call('RPUSH', KEYS[4], unpack(ARGV, 5))
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
end
return 1`;

/**
 * Ends a session that learnt nothing, if this caller wins the claim: touch,
 * forget, unlock. KEYS: deadlines, touched, session, log, lock. ARGV: sid,
 * device key, inform time. Returns 1 if ended here, 0 if another process claimed it.
 */
const END_QUIET = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 'GT', ARGV[3], ARGV[2])
redis.call('DEL', KEYS[3], KEYS[4])
if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
return 1`;

/**
 * END_QUIET for a session this process opened and did not read back (see
 * opened.ts): it also tells a session that is gone (ended and forgotten)
 * from one another process is ending. Same KEYS and ARGV as END_QUIET.
 * Returns 1 if ended here, 0 if another process claimed it, -1 if it is gone.
 */
const END_OPENED_QUIET = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return redis.call('EXISTS', KEYS[3]) - 1 end
redis.call('ZADD', KEYS[2], 'GT', ARGV[3], ARGV[2])
redis.call('DEL', KEYS[3], KEYS[4])
if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
return 1`;

/**
 * Claims the right to end a session, with a lease: from `deadlines` (it timed
 * out, or its own process ends it), or from `ending` when the lease of the
 * process that claimed it ran out (it died between claim and commit). The
 * session moves to `ending` until the lease; saves are refused from then on.
 * KEYS: deadlines, ending, log. ARGV: sid, now, lease end. Returns the log, or
 * nil when someone else holds the claim.
 */
const CLAIM = `
local claimed = redis.call('ZREM', KEYS[1], ARGV[1]) == 1
if not claimed then
  local lease = redis.call('ZSCORE', KEYS[2], ARGV[1])
  claimed = lease ~= false and tonumber(lease) <= tonumber(ARGV[2])
end
if not claimed then return false end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return redis.call('LRANGE', KEYS[3], 0, -1)`;

/**
 * The last save of a session that ends with this POST, and its claim, in one
 * round trip: SAVE_IF_LIVE, then CLAIM from `deadlines`. KEYS: lock, session,
 * deadlines, log, ending. ARGV: sid, ttl ms, state JSON, lease end, log
 * entries... Returns the whole log, or nil when the session is no longer live.
 */
const SAVE_AND_CLAIM = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('ZREM', KEYS[3], ARGV[1]) == 0 then return false end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if #ARGV > 4 then
  redis.call('RPUSH', KEYS[4], unpack(ARGV, 5))
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
end
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
return redis.call('LRANGE', KEYS[4], 0, -1)`;

/** Forgets a finished session and frees its device. KEYS: session, log, ending, lock. ARGV: sid. */
const DROP = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('DEL', KEYS[4]) end
return 1`;

/** Frees a lock whose session no longer exists (its process died while ending it). KEYS: lock, session. ARGV: sid. */
const BREAK_STALE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('EXISTS', KEYS[2]) == 0 then return redis.call('DEL', KEYS[1]) end
return 0`;

type Script = (...args: (string | number)[]) => Promise<unknown>;

// No address key on a cluster. A fixed count (not one per call): ioredis's cluster auto-pipelining routes a script by its first argument.
registerScript('acsLockAndOpen', { keys: (cluster) => (cluster ? 4 : 5), lua: LOCK_AND_OPEN });
// The same script without the address key, for processes that never look a session up by address.
registerScript('acsLockAndOpenNoAddr', { keys: () => 4, lua: LOCK_AND_OPEN });
registerScript('acsEndOpenedQuiet', { keys: () => 5, lua: END_OPENED_QUIET });
registerScript('acsSaveIfLive', { keys: () => 4, lua: SAVE_IF_LIVE });
registerScript('acsEndQuiet', { keys: () => 5, lua: END_QUIET });
registerScript('acsBreakStaleLock', { keys: () => 2, lua: BREAK_STALE_LOCK });
registerScript('acsClaim', { keys: () => 3, lua: CLAIM });
registerScript('acsSaveAndClaim', { keys: () => 5, lua: SAVE_AND_CLAIM });
registerScript('acsDrop', { keys: () => 4, lua: DROP });

/**
 * How long a claim to end a session lasts unless renewed. Short: a process
 * killed while committing holds its sessions (and their devices) this long,
 * and a CPE retrying meanwhile waits for it rather than getting fault 8005.
 */
const LEASE_MS = 3_000;


/**
 * Session state in Redis. Keys, under a prefix (so tests and deployments can share a Redis):
 * - `session:<sid>`      JSON SessionState
 * - `session:<sid>:log`  list of JSON SessionLogEntry
 * - `lock:<deviceKey>`   sid of the device's one live session
 * - `deadlines`          sorted set sid -> time the session expires (ms)
 * - `ending`             sorted set sid -> end of the lease of the process ending it (ms)
 * - `touched`            sorted set deviceKey -> last quiet Inform (ms), flushed to the database in batches
 * - `addr:<ip>`          sid of the last session from that address, for CPEs that return no cookie
 *                        (written only by processes that look sessions up by address: CWMP_ADDRESS_FALLBACK)
 * On a Redis Cluster all but `addr` carry a shard's hash tag, and the sorted sets are one per shard (session-keys.ts).
 * Every key also carries a Redis TTL well past the deadline, so nothing outlives a crashed cluster.
 */
export class RedisSessionStore {
  private readonly keys: SessionKeys;
  /** Quiet sessions this process opened, until their empty POST (see opened.ts). */
  readonly opened: OpenedSessions;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly timeoutMs: number,
    /** How long a claim to end a session lasts before another process may take it over (renewed meanwhile). */
    readonly leaseMs = Math.min(timeoutMs, LEASE_MS),
  ) {
    this.keys = new SessionKeys(prefix, redis);
    this.opened = new OpenedSessions(timeoutMs);
    // Connections from infra/redis.ts have them already; a test's own connection gets them here.
    defineScripts(redis);
  }

  private script(name: string, ...args: (string | number)[]): Promise<unknown> {
    const fn = (this.redis as unknown as Record<string, Script>)[name];
    return fn.call(this.redis, ...args);
  }

  /** A new session id for the device (on a cluster it names the device's shard). */
  newSessionId(deviceKey: string): string {
    return this.keys.newSessionId(deviceKey);
  }

  private get ttlMs(): number {
    return this.timeoutMs * 4 + 60_000;
  }

  /** True the first time a Digest nonce and count are seen: a replayed Authorization header is refused. */
  async firstUse(replayKey: string): Promise<boolean> {
    return (await this.redis.set(this.keys.nonce(replayKey), '1', 'PX', 10 * 60_000, 'NX')) === 'OK';
  }

  async unlock(deviceKey: string, sid: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, this.keys.lock(deviceKey), sid);
  }

  async load(sid: string): Promise<SessionState | null> {
    const raw = await this.redis.get(this.keys.session(sid));
    return raw ? (JSON.parse(raw) as SessionState) : null;
  }

  /**
   * Saves the state, pushes its deadline forward and appends to its log, in
   * one round trip; false (and nothing written) if the session ended meanwhile
   * (timed out and claimed, or taken over): its CPE must start a new one.
   */
  async save(state: SessionState, log: SessionLogEntry[] = []): Promise<boolean> {
    state.logged += log.length;
    const k = this.keys;
    const keys = [k.lock(state.deviceKey), k.session(state.id), k.deadlines(k.shardOfSession(state.id)), k.log(state.id)];
    const args = [state.id, this.ttlMs, JSON.stringify(state), Date.now() + this.timeoutMs, ...log.map((e) => JSON.stringify(e))];
    return (await this.script('acsSaveIfLive', ...keys, ...args)) === 1;
  }

  async readLog(sid: string): Promise<SessionLogEntry[]> {
    const raw = await this.redis.lrange(this.keys.log(sid), 0, -1);
    return raw.map((line) => JSON.parse(line) as SessionLogEntry);
  }

  /** Puts a claimed session back, to be ended again later (its commit failed): its lease ends sooner. */
  async retryLater(state: SessionState, delayMs: number): Promise<void> {
    // The keys must outlive the retries, or a long database outage would lose what the session learnt.
    const k = this.keys;
    const multi = this.redis.multi().zadd(k.ending(k.shardOfSession(state.id)), Date.now() + delayMs, state.id);
    for (const key of [k.session(state.id), k.log(state.id), k.lock(state.deviceKey)]) multi.pexpire(key, this.ttlMs);
    await multi.exec();
  }

  /** Forgets a finished session and frees its device: one command, so it rides in the same round trip as what is sent beside it. */
  async drop(state: SessionState): Promise<void> {
    const k = this.keys;
    const keys = [k.session(state.id), k.log(state.id), k.ending(k.shardOfSession(state.id)), k.lock(state.deviceKey)];
    await this.script('acsDrop', ...keys, state.id);
  }

  /**
   * Saves the last step of a session that ends now and claims it (see
   * SAVE_AND_CLAIM); its whole log, or null if the session is no longer live
   * (timed out and claimed, or taken over).
   */
  async saveAndClaim(state: SessionState, log: SessionLogEntry[]): Promise<SessionLogEntry[] | null> {
    state.logged += log.length;
    const k = this.keys;
    const shard = k.shardOfSession(state.id);
    const keys = [k.lock(state.deviceKey), k.session(state.id), k.deadlines(shard), k.log(state.id), k.ending(shard)];
    const args = [state.id, this.ttlMs, JSON.stringify(state), Date.now() + this.leaseMs, ...log.map((e) => JSON.stringify(e))];
    const raw = (await this.script('acsSaveAndClaim', ...keys, ...args)) as string[] | null;
    return raw === null ? null : raw.map((line) => JSON.parse(line) as SessionLogEntry);
  }

  /**
   * Claims a session (see CLAIM) and reads its log in one round trip; null if
   * another process holds the claim. The claim is a lease (`leaseMs`):
   * if this process dies before `drop`, a sweeper claims the session again.
   */
  async claimWithLog(sid: string): Promise<SessionLogEntry[] | null> {
    const now = Date.now();
    const shard = this.keys.shardOfSession(sid);
    const keys = [this.keys.deadlines(shard), this.keys.ending(shard), this.keys.log(sid)];
    const raw = (await this.script('acsClaim', ...keys, sid, now, now + this.leaseMs)) as string[] | null;
    return raw === null ? null : raw.map((line) => JSON.parse(line) as SessionLogEntry);
  }

  /** Extends the claim on a session being ended (a long commit must not let another process take it over). */
  async renewClaim(sid: string): Promise<void> {
    await this.redis.zadd(this.keys.ending(this.keys.shardOfSession(sid)), 'XX', Date.now() + this.leaseMs, sid);
  }

  /** How often a process ending a session should renew its claim. */
  get renewEveryMs(): number {
    return Math.max(100, Math.floor(this.leaseMs / 3));
  }

  /** Notes that a device informed and nothing else changed; flushed to the database in batches. */
  async touch(deviceKey: string, time: number): Promise<void> {
    await this.redis.zadd(this.keys.touched(this.keys.shardOfDevice(deviceKey)), 'GT', time, deviceKey);
  }

  /** Takes up to `count` touched devices out of the set (of each shard in turn), oldest first. */
  async takeTouched(count: number): Promise<{ deviceKey: string; time: number }[]> {
    const out: { deviceKey: string; time: number }[] = [];
    for (const shard of this.keys.shards) {
      if (out.length >= count) break;
      const flat = await this.redis.zpopmin(this.keys.touched(shard), count - out.length);
      for (let i = 0; i < flat.length; i += 2) out.push({ deviceKey: flat[i], time: Number(flat[i + 1]) });
    }
    return out;
  }

  /** Puts touches back after a failed flush (keeping the newer time when one is there already). */
  async untake(entries: { deviceKey: string; time: number }[]): Promise<void> {
    const byShard = new Map<number, (string | number)[]>();
    for (const e of entries) {
      const shard = this.keys.shardOfDevice(e.deviceKey);
      byShard.set(shard, [...(byShard.get(shard) ?? []), e.time, e.deviceKey]);
    }
    await Promise.all([...byShard].map(([shard, scored]) => this.redis.zadd(this.keys.touched(shard), 'GT', ...scored)));
  }

  /** Sessions whose deadline has passed, or whose ending process's lease ran out, oldest first (in each shard); `limit` of each kind. */
  async expired(now: number, limit: number): Promise<string[]> {
    const due = (key: string): Promise<string[]> => this.redis.zrangebyscore(key, '-inf', now, 'LIMIT', 0, limit);
    const shards = this.keys.shards;
    const [idle, orphaned] = await Promise.all([
      Promise.all(shards.map((s) => due(this.keys.deadlines(s)))),
      Promise.all(shards.map((s) => due(this.keys.ending(s)))),
    ]);
    return [...idle.flat().slice(0, limit), ...orphaned.flat().slice(0, limit)];
  }

  /**
   * Takes the device's lock and opens the session in one round trip (state,
   * deadline, and the address for CPEs without cookies unless `address` is
   * false: a process that never looks sessions up by address need not write
   * it). Returns null when opened, else the sid of the session holding the device.
   */
  async lockAndOpen(state: SessionState, address = true): Promise<string | null> {
    // The device is here: a connection request made to it is answered (connreq's "asked" mark goes, in the same round trip).
    const k = this.keys;
    const keys = [k.lock(state.deviceKey), k.session(state.id), k.deadlines(k.shardOfSession(state.id)), k.asked(state.deviceKey)];
    const args = [state.id, this.ttlMs, JSON.stringify(state), Date.now() + this.timeoutMs, this.timeoutMs];
    if (!address) return (await this.script('acsLockAndOpenNoAddr', ...keys, ...args)) as string | null;
    if (!this.redis.isCluster) return (await this.script('acsLockAndOpen', ...keys, k.addr(state.remoteAddress), ...args)) as string | null;
    const holder = (await this.script('acsLockAndOpen', ...keys, ...args)) as string | null;
    if (holder === null) await this.redis.set(k.addr(state.remoteAddress), state.id, 'PX', this.timeoutMs);
    return holder;
  }

  /**
   * Ends a session that learnt nothing (see finalize.ts) in one round trip:
   * claims it, records the touch, forgets it and frees the device. False if
   * another process had claimed it first (then it ends it).
   */
  async endQuiet(state: SessionState): Promise<boolean> {
    const k = this.keys;
    const shard = k.shardOfSession(state.id);
    const keys = [k.deadlines(shard), k.touched(shard), k.session(state.id), k.log(state.id), k.lock(state.deviceKey)];
    return (await this.script('acsEndQuiet', ...keys, state.id, state.deviceKey, state.inform.time)) === 1;
  }

  /**
   * endQuiet for a session opened by this process and not read back since
   * (opened.ts): 'gone' when the session no longer exists (timed out and
   * ended, or replaced), which a read of its state would have found.
   */
  async endOpenedQuiet(state: SessionState): Promise<'ended' | 'claimed' | 'gone'> {
    const k = this.keys;
    const shard = k.shardOfSession(state.id);
    const keys = [k.deadlines(shard), k.touched(shard), k.session(state.id), k.log(state.id), k.lock(state.deviceKey)];
    const outcome = await this.script('acsEndOpenedQuiet', ...keys, state.id, state.deviceKey, state.inform.time);
    return outcome === 1 ? 'ended' : outcome === 0 ? 'claimed' : 'gone';
  }

  /** Frees the device if its lock names a session that no longer exists; true if it did. */
  async breakStaleLock(deviceKey: string, sid: string): Promise<boolean> {
    return (await this.script('acsBreakStaleLock', this.keys.lock(deviceKey), this.keys.session(sid), sid)) === 1;
  }

  async sessionOfAddress(ip: string): Promise<string | null> {
    return this.redis.get(this.keys.addr(ip));
  }
}
