/**
 * Connection requests waiting for a device's session with the ACS to end
 * (admission.ts 'in-session'), kept in Redis so that a process that stops
 * (a deploy, a crash) does not forget them: every process that sends
 * connection requests sweeps them, its own and those a stopped process left.
 *
 * A sorted set per shard holds the devices, scored by when one is looked at
 * next; a sweep takes the due ones and, in the same script, scores them
 * LEASE_MS ahead, so one process at a time looks at a device, and another
 * takes it over once a lease runs out. A key per device, in the set's slot,
 * holds the wait: its deadline, and a token a new request renews. Looking
 * at a device: its session still open before the deadline → looked at again
 * in LOOK_MS; otherwise it is held ASK_LEASE_MS and `ask` decides (the
 * requester: ask if the device still has open tasks; past the deadline,
 * record that it was not asked), after which the wait ends, unless a request
 * came meanwhile (the token changed): then it is looked at again. A process
 * that stops while asking leaves the device to another after ASK_LEASE_MS
 * (asked twice at worst, never forgotten).
 *
 * A process sweeps every SWEEP_MS only the shards it added to, or found
 * devices in, until it finds them empty; all of them only every
 * IDLE_SWEEP_MS, for what a stopped process left. On a Redis Cluster's 16
 * shards an idle process would otherwise run 64 scripts a second for nothing.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { DeviceKey } from '../db/types';
import { defineScripts, registerScript } from '../infra/redis-scripts';
import { deviceTag, shardOfDevice, shardsOf, shardTag } from '../infra/hash-tags';
import { FailureStreak } from '../infra/failure-streak';
import type { Logger } from '../log';
import { lockKey } from '../cwmp/session/session-keys';

const SWEEP_MS = 250;
const IDLE_SWEEP_MS = 5000;
const LOOK_MS = 500;
/** A taken device not looked at within this long (its process stopped) is taken by another sweep. */
const LEASE_MS = 5000;
/** A device being asked is held this long: an HTTP request tried three times, then UDP, ends well within it. */
const ASK_LEASE_MS = 30_000;
/** Devices one sweep takes from each shard at most. */
const TAKE_MAX = 100;
/** Asks under way in one process at most (each may wait seconds for a CPE): the sweep takes no more meanwhile. */
const ASKING_MAX = 100;

/*
 * take (KEYS 1): KEYS[1] the shard's set; ARGV[1] now, ARGV[2] lease ms, ARGV[3] limit.
 * Returns the devices in the set, due or not, then the due ones, each now scored now + lease.
 */
const TAKE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local until_ms = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, d in ipairs(due) do redis.call('ZADD', KEYS[1], until_ms, d) end
return {redis.call('ZCARD', KEYS[1]), due}
`;
/*
 * add (KEYS 2): KEYS[1] the shard's set, KEYS[2] the device's wait;
 * ARGV[1] device, ARGV[2] first look at, ARGV[3] "<deadline>:<ms>", ARGV[4] ttl ms, ARGV[5] token.
 * A device waiting already keeps its deadline and gets the new token.
 */
const ADD = `
local held = redis.call('GET', KEYS[2])
if held then
  redis.call('SET', KEYS[2], string.match(held, '^%d+:%d+') .. ':' .. ARGV[5], 'KEEPTTL')
else
  redis.call('SET', KEYS[2], ARGV[3] .. ':' .. ARGV[5], 'PX', ARGV[4])
end
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
`;
/*
 * done (KEYS 2): as add's; ARGV[1] device, ARGV[2] the wait as the look read it ('' for none), ARGV[3] next look at.
 * Ends the wait if no request renewed it since; else the device is looked at again.
 */
const DONE = `
local held = redis.call('GET', KEYS[2])
if (held == false and ARGV[2] == '') or held == ARGV[2] then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 0
`;
type Command = (...keysAndArgs: (string | number)[]) => Promise<unknown>;
const SCRIPTS = {
  take: registerScript('acsConnReqTakeAfterSession', { keys: () => 1, lua: TAKE }),
  add: registerScript('acsConnReqAddAfterSession', { keys: () => 2, lua: ADD }),
  done: registerScript('acsConnReqDoneAfterSession', { keys: () => 2, lua: DONE }),
};

/** The timings (tests shorten them). */
export interface AfterSessionTimes {
  sweepMs: number;
  idleSweepMs: number;
  lookMs: number;
  leaseMs: number;
  askLeaseMs: number;
}
const TIMES: AfterSessionTimes = { sweepMs: SWEEP_MS, idleSweepMs: IDLE_SWEEP_MS, lookMs: LOOK_MS, leaseMs: LEASE_MS, askLeaseMs: ASK_LEASE_MS };

export interface AfterSessionDeps {
  redis: Redis;
  prefix: string;
  log: Logger;
  /** The device's session is over, or its wait's deadline passed. */
  ask(deviceKey: DeviceKey, wait: SessionWait): Promise<unknown>;
}

/** How long a request waits for a device's session to end: until `deadline`, `ms` in all. */
export interface SessionWait {
  deadline: number;
  ms: number;
}

export class AfterSession {
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;
  private closed = false;
  /** Devices this process is asking now. */
  private readonly asking = new Set<DeviceKey>();
  /** Shards swept every sweepMs: added to, or found with devices, and not found empty since. */
  private readonly busy = new Set<number>();
  private lastFullSweep = 0;
  private readonly streak: FailureStreak;

  private readonly t: AfterSessionTimes;

  constructor(
    private readonly d: AfterSessionDeps,
    times: Partial<AfterSessionTimes> = {},
  ) {
    this.t = { ...TIMES, ...times };
    defineScripts(d.redis);
    this.streak = new FailureStreak(d.log, { lost: 'connection requests waiting for sessions not swept', still: 'connection requests waiting for sessions still not swept', back: 'connection requests waiting for sessions swept again' });
  }

  /** Waits for the device's session to end; a device waiting already keeps its first deadline. */
  async add(deviceKey: DeviceKey, wait: SessionWait): Promise<void> {
    const now = Date.now();
    // Kept past the deadline, for the look that finds it passed and the ask after it.
    const ttl = Math.max(0, wait.deadline - now) + this.t.askLeaseMs + this.t.leaseMs;
    const shard = shardOfDevice(this.d.redis, deviceKey);
    await this.command('add')(this.shardSetKey(shard), this.waitKey(deviceKey), deviceKey, now + this.t.lookMs, `${wait.deadline}:${wait.ms}`, ttl, randomUUID());
    this.busy.add(shard);
    this.start();
  }

  /** Sweeps every SWEEP_MS from now on (idempotent): a process starting takes over what a stopped one left. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.sweep(), this.t.sweepMs).unref();
  }

  /** Takes no more devices; asks under way finish. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const now = Date.now();
      const full = now - this.lastFullSweep >= this.t.idleSweepMs;
      for (const shard of full ? shardsOf(this.d.redis) : [...this.busy]) {
        const room = Math.min(TAKE_MAX, ASKING_MAX - this.asking.size);
        // Not swept now: looked at again on the next tick (a full sweep, if this was one).
        if (room <= 0 || this.closed) return;
        const [left, due] = (await this.command('take')(this.shardSetKey(shard), Date.now(), this.t.leaseMs, room)) as [number, DeviceKey[]];
        if (left > 0) this.busy.add(shard);
        else this.busy.delete(shard);
        await Promise.all(due.map((device) => this.look(device)));
      }
      if (full) this.lastFullSweep = now;
      this.streak.succeeded();
    } catch (err) {
      // Redis away: the devices stay in the set, for the next sweep (here or elsewhere).
      this.streak.failed(err);
    } finally {
      this.sweeping = false;
    }
  }

  private async look(deviceKey: DeviceKey): Promise<void> {
    const { redis } = this.d;
    if (this.asking.has(deviceKey)) return;
    const [open, held] = await Promise.all([redis.exists(lockKey(this.d.prefix, deviceKey, redis)), redis.get(this.waitKey(deviceKey))]);
    // No wait kept (gone with Redis's data, say): its deadline is taken as passed.
    const [deadline, ms] = (held ?? '0:0').split(':').map(Number);
    if (open === 1 && Date.now() < deadline) {
      await redis.zadd(this.setKey(deviceKey), 'XX', Date.now() + this.t.lookMs, deviceKey);
      return;
    }
    if (this.closed) return;
    await redis.zadd(this.setKey(deviceKey), 'XX', Date.now() + this.t.askLeaseMs, deviceKey);
    this.asking.add(deviceKey);
    // Not awaited: an unreachable CPE takes seconds, and the sweep goes on meanwhile.
    void this.askAndEnd(deviceKey, { deadline, ms }, held ?? '');
  }

  private async askAndEnd(deviceKey: DeviceKey, wait: SessionWait, held: string): Promise<void> {
    try {
      await this.d.ask(deviceKey, wait);
      await this.command('done')(this.setKey(deviceKey), this.waitKey(deviceKey), deviceKey, held, Date.now() + this.t.lookMs);
    } catch (err) {
      // Still held: asked again once its lease runs out.
      this.streak.failed(err, { deviceId: deviceKey });
    } finally {
      this.asking.delete(deviceKey);
    }
  }

  private command(name: keyof typeof SCRIPTS): Command {
    const redis = this.d.redis as unknown as Record<string, Command>;
    return redis[SCRIPTS[name]].bind(this.d.redis);
  }

  private setKey(deviceKey: DeviceKey): string {
    return this.shardSetKey(shardOfDevice(this.d.redis, deviceKey));
  }

  private shardSetKey(shard: number): string {
    return `${this.d.prefix}${shardTag(this.d.redis, shard)}cr:after-session`;
  }

  private waitKey(deviceKey: DeviceKey): string {
    return `${this.d.prefix}${deviceTag(this.d.redis, deviceKey)}cr:after-session:${deviceKey}`;
  }
}
