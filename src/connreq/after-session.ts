/**
 * Connection requests waiting for a device's session with the ACS to end
 * (admission.ts 'in-session'), kept in Redis so that a process that stops
 * (a deploy, a crash) does not forget them: every process that sends
 * connection requests sweeps them, its own and those a stopped process left.
 *
 * A sorted set per shard holds the devices, scored by when one is looked at
 * next; a sweep takes the due ones and, in the same script, scores them
 * LEASE_MS ahead, so one process at a time looks at a device, and another
 * takes it over once a lease runs out unanswered. A key per device holds its
 * wait (its deadline). Looking at a device: its session still
 * open before the deadline → looked at again in LOOK_MS; otherwise it leaves
 * the set and `ask` decides (the requester: ask if the device still has open
 * tasks; past the deadline, record that it was not asked).
 */
import type Redis from 'ioredis';
import type { DeviceKey } from '../db/types';
import { defineScripts, registerScript } from '../infra/redis-scripts';
import { deviceTag, shardOfDevice, shardsOf, shardTag } from '../infra/hash-tags';
import type { Logger } from '../log';
import { lockKey } from '../cwmp/session/session-keys';

const SWEEP_MS = 250;
const LOOK_MS = 500;
/** A taken device not looked at within this long (its process stopped) is taken by another sweep. */
const LEASE_MS = 5000;
/** Devices one sweep takes from each shard at most. */
const TAKE_MAX = 100;

/*
 * take (KEYS 1): KEYS[1] the shard's set; ARGV[1] now, ARGV[2] lease ms, ARGV[3] limit.
 * Returns the due devices, each now scored now + lease.
 */
const TAKE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local until_ms = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, d in ipairs(due) do redis.call('ZADD', KEYS[1], until_ms, d) end
return due
`;
type TakeCommand = (key: string, now: number, leaseMs: number, limit: number) => Promise<string[]>;
const TAKE_COMMAND = registerScript('acsConnReqTakeAfterSession', { keys: () => 1, lua: TAKE });

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
  private readonly take: TakeCommand;

  constructor(private readonly d: AfterSessionDeps) {
    defineScripts(d.redis);
    this.take = (d.redis as unknown as Record<typeof TAKE_COMMAND, TakeCommand>)[TAKE_COMMAND].bind(d.redis);
  }

  /** Waits for the device's session to end; a device waiting already keeps its first wait. */
  async add(deviceKey: DeviceKey, wait: SessionWait): Promise<void> {
    // Kept past the deadline, for the look that finds it passed.
    const ttl = Math.max(0, wait.deadline - Date.now()) + 2 * LEASE_MS;
    await Promise.all([
      this.d.redis.set(this.waitKey(deviceKey), `${wait.deadline}:${wait.ms}`, 'PX', ttl, 'NX'),
      this.d.redis.zadd(this.setKey(shardOfDevice(this.d.redis, deviceKey)), 'NX', Date.now() + LOOK_MS, deviceKey),
    ]);
    this.start();
  }

  /** Sweeps every SWEEP_MS from now on (idempotent): a process starting takes over what a stopped one left. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS).unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const shard of shardsOf(this.d.redis)) {
        const due = await this.take(this.setKey(shard), Date.now(), LEASE_MS, TAKE_MAX);
        await Promise.all(due.map((device) => this.look(shard, device as DeviceKey)));
      }
    } catch (err) {
      // Redis away: the devices stay in the set, for the next sweep (here or elsewhere).
      this.d.log.debug({ err }, 'connection requests after sessions not swept');
    } finally {
      this.sweeping = false;
    }
  }

  private async look(shard: number, deviceKey: DeviceKey): Promise<void> {
    const { redis } = this.d;
    const [open, value] = await Promise.all([redis.exists(lockKey(this.d.prefix, deviceKey, redis)), redis.get(this.waitKey(deviceKey))]);
    if (this.closed) return;
    // No wait kept (gone after a Redis restart, say): its deadline is taken as passed.
    const [deadline, ms] = (value ?? '0:0').split(':').map(Number);
    if (open === 1 && Date.now() < deadline) {
      await redis.zadd(this.setKey(shard), 'XX', Date.now() + LOOK_MS, deviceKey);
      return;
    }
    await Promise.all([redis.zrem(this.setKey(shard), deviceKey), redis.del(this.waitKey(deviceKey))]);
    await this.d.ask(deviceKey, { deadline, ms });
  }

  private setKey(shard: number): string {
    return `${this.d.prefix}${shardTag(this.d.redis, shard)}cr:after-session`;
  }

  private waitKey(deviceKey: DeviceKey): string {
    return `${this.d.prefix}${deviceTag(this.d.redis, deviceKey)}cr:after-session:${deviceKey}`;
  }
}
