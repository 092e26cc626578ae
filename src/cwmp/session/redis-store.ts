import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SessionLogEntry, SessionState } from './state';

/** Deletes a key only if it still holds the caller's value: a lock is released by its owner only. */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Opens a session atomically: takes the device's lock and, only if that
 * worked, writes the state, its deadline, its address and its first log
 * entries. KEYS: lock, session, deadlines, log, addr. ARGV: sid, ttl ms,
 * state JSON, deadline, address ttl ms, log entries... Returns nil when
 * opened, else the holder's sid ('' if the lock vanished meanwhile).
 */
const LOCK_AND_OPEN = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return redis.call('GET', KEYS[1]) or '' end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('SET', KEYS[5], ARGV[1], 'PX', ARGV[5])
if #ARGV > 5 then
  redis.call('RPUSH', KEYS[4], unpack(ARGV, 6))
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
end
return false`;

type LockAndOpen = (...args: (string | number)[]) => Promise<string | null>;

/**
 * Session state in Redis. Keys, under a prefix (so tests and deployments can share a Redis):
 * - `session:<sid>`      JSON SessionState
 * - `session:<sid>:log`  list of JSON SessionLogEntry
 * - `lock:<deviceKey>`   sid of the device's one live session
 * - `deadlines`          sorted set sid -> time the session expires (ms)
 * - `addr:<ip>`          sid of the last session from that address, for CPEs that return no cookie
 * Every key also carries a Redis TTL well past the deadline, so nothing outlives a crashed cluster.
 */
export class RedisSessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {
    redis.defineCommand('acsLockAndOpen', { numberOfKeys: 5, lua: LOCK_AND_OPEN });
  }

  newSessionId(): string {
    return randomBytes(16).toString('hex');
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  private get ttlMs(): number {
    return this.timeoutMs * 4 + 60_000;
  }

  /** True the first time a Digest nonce and count are seen: a replayed Authorization header is refused. */
  async firstUse(replayKey: string): Promise<boolean> {
    return (await this.redis.set(this.key('nonce', replayKey), '1', 'PX', 10 * 60_000, 'NX')) === 'OK';
  }

  async unlock(deviceKey: string, sid: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, this.key('lock', deviceKey), sid);
  }

  async load(sid: string): Promise<SessionState | null> {
    const raw = await this.redis.get(this.key('session', sid));
    return raw ? (JSON.parse(raw) as SessionState) : null;
  }

  /** Saves the state, pushes its deadline forward and appends to its log, in one round trip. */
  async save(state: SessionState, log: SessionLogEntry[] = []): Promise<void> {
    state.logged += log.length;
    const multi = this.redis.multi();
    multi.set(this.key('session', state.id), JSON.stringify(state), 'PX', this.ttlMs);
    multi.zadd(this.key('deadlines'), Date.now() + this.timeoutMs, state.id);
    multi.pexpire(this.key('lock', state.deviceKey), this.ttlMs);
    if (log.length > 0) {
      multi.rpush(this.key('session', state.id, 'log'), ...log.map((e) => JSON.stringify(e)));
      multi.pexpire(this.key('session', state.id, 'log'), this.ttlMs);
    }
    await multi.exec();
  }

  async readLog(sid: string): Promise<SessionLogEntry[]> {
    const raw = await this.redis.lrange(this.key('session', sid, 'log'), 0, -1);
    return raw.map((line) => JSON.parse(line) as SessionLogEntry);
  }

  /** Claims the right to end a session; exactly one caller in the cluster gets true. */
  async claim(sid: string): Promise<boolean> {
    return (await this.redis.zrem(this.key('deadlines'), sid)) === 1;
  }

  /** Puts a claimed session back, to be ended again later (its commit failed). */
  async retryLater(sid: string, delayMs: number): Promise<void> {
    await this.redis.zadd(this.key('deadlines'), Date.now() + delayMs, sid);
  }

  /** Forgets a finished session and frees its device, in one round trip. */
  async drop(state: SessionState): Promise<void> {
    const multi = this.redis.multi().del(this.key('session', state.id), this.key('session', state.id, 'log'));
    await multi.eval(RELEASE_LOCK, 1, this.key('lock', state.deviceKey), state.id).exec();
  }

  /** Claims a session and reads its log in one round trip; null if another process claimed it. */
  async claimWithLog(sid: string): Promise<SessionLogEntry[] | null> {
    const res = await this.redis.multi().zrem(this.key('deadlines'), sid).lrange(this.key('session', sid, 'log'), 0, -1).exec();
    if (!res || res[0][1] !== 1) return null;
    return (res[1][1] as string[]).map((line) => JSON.parse(line) as SessionLogEntry);
  }

  /** Notes that a device informed and nothing else changed; flushed to the database in batches. */
  async touch(deviceKey: string, time: number): Promise<void> {
    await this.redis.zadd(this.key('touched'), 'GT', time, deviceKey);
  }

  /** Takes up to `count` touched devices out of the set, oldest first. */
  async takeTouched(count: number): Promise<{ deviceKey: string; time: number }[]> {
    const flat = await this.redis.zpopmin(this.key('touched'), count);
    const out: { deviceKey: string; time: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ deviceKey: flat[i], time: Number(flat[i + 1]) });
    return out;
  }

  /** Puts touches back after a failed flush (keeping the newer time when one is there already). */
  async untake(entries: { deviceKey: string; time: number }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.zadd(this.key('touched'), 'GT', ...entries.flatMap((e) => [e.time, e.deviceKey]));
  }

  /** Sessions whose deadline has passed, oldest first. */
  async expired(now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key('deadlines'), '-inf', now, 'LIMIT', 0, limit);
  }

  /**
   * Takes the device's lock and opens the session in one round trip (state,
   * deadline, address for CPEs without cookies, first log entries). Returns
   * null when opened, else the sid of the session holding the device.
   */
  async lockAndOpen(state: SessionState, log: SessionLogEntry[]): Promise<string | null> {
    state.logged = log.length;
    const keys = [this.key('lock', state.deviceKey), this.key('session', state.id), this.key('deadlines'), this.key('session', state.id, 'log'), this.key('addr', state.remoteAddress)];
    const args = [state.id, this.ttlMs, JSON.stringify(state), Date.now() + this.timeoutMs, this.timeoutMs, ...log.map((e) => JSON.stringify(e))];
    const run = (this.redis as unknown as { acsLockAndOpen: LockAndOpen }).acsLockAndOpen;
    return run.call(this.redis, ...keys, ...args);
  }

  /**
   * Ends a session that learnt nothing (see finalize.ts) in one round trip:
   * claims it, records the touch, forgets it and frees the device. False if
   * another process had claimed it first (then it ends it).
   */
  async endQuiet(state: SessionState): Promise<boolean> {
    const multi = this.redis.multi().zrem(this.key('deadlines'), state.id);
    multi.zadd(this.key('touched'), 'GT', state.inform.time, state.deviceKey);
    multi.del(this.key('session', state.id), this.key('session', state.id, 'log'));
    const res = await multi.eval(RELEASE_LOCK, 1, this.key('lock', state.deviceKey), state.id).exec();
    return res?.[0]?.[1] === 1;
  }

  async sessionOfAddress(ip: string): Promise<string | null> {
    return this.redis.get(this.key('addr', ip));
  }
}
