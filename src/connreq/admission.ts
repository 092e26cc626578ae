/**
 * Whether a connection request may go out now, decided in Redis so the
 * limits hold across every ACS process (TR-069 §3.2.2: the ACS should not
 * flood a CPE; the checklist's "one outstanding request per device"):
 *   0. the device is in a session with the ACS → 'in-session' (a CPE in
 *      session answers 503 or connects after it; the requester asks once
 *      the session is over);
 *   1. the device was asked and has not informed since → 'already-asked'
 *      (the asked key, set with a TTL, deleted by the device's next Inform);
 *   2. a request went to it less than `deviceIntervalMs` ago → 'device-rate';
 *   3. more than `ratePerSecond` requests this second, cluster-wide → 'global-rate'.
 * One script, one round trip: the check and the marks are atomic, so two
 * processes asked for the same device at once send one request.
 */
import { defineScripts, registerScript } from '../infra/redis-scripts';
import type Redis from 'ioredis';
import type { DeviceKey } from '../db/types';
import { askedKey, deviceRateKey, globalRateKey } from './keys';
import { lockKey } from '../cwmp/session/session-keys';

/*
 * admit (KEYS 3 or 4)
 * KEYS[1] asked key, KEYS[2] device rate key, KEYS[3] the device's session lock, KEYS[4] this second's global counter (single Redis only)
 * ARGV[1] asked TTL ms, ARGV[2] device interval ms (0 = none), ARGV[3] requests per second (0 = no limit or no KEYS[4])
 * Returns 1 admitted (both marks set), -1 already asked, -2 device rate, -3 global rate, -4 in session.
 * On a Redis Cluster the counter is in no device's slot: admitClustered counts it apart.
 */
const ADMIT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return -4 end
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local interval = tonumber(ARGV[2])
if interval > 0 and redis.call('EXISTS', KEYS[2]) == 1 then return -2 end
local rate = tonumber(ARGV[3])
if rate > 0 then
  local n = redis.call('INCR', KEYS[4])
  if n == 1 then redis.call('PEXPIRE', KEYS[4], 2000) end
  if n > rate then return -3 end
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
if interval > 0 then redis.call('SET', KEYS[2], '1', 'PX', interval) end
return 1
`;

export type Admission = 'admitted' | 'in-session' | 'already-asked' | 'device-rate' | 'global-rate';

export interface AdmissionLimits {
  askedTtlMs: number;
  deviceIntervalMs: number;
  ratePerSecond: number;
}

type AdmitCommand = (...keysAndArgs: (string | number)[]) => Promise<number>;

// A fixed count per connection: ioredis's cluster auto-pipelining routes a script by its first argument, which must be a key.
const ADMIT_COMMAND = registerScript('acsConnReqAdmit', { keys: (cluster) => (cluster ? 3 : 4), lua: ADMIT });

function admitCommand(redis: Redis): AdmitCommand {
  // Connections from infra/redis.ts have it already; a test's own connection gets it here.
  defineScripts(redis);
  return (redis as unknown as Record<typeof ADMIT_COMMAND, AdmitCommand>)[ADMIT_COMMAND].bind(redis);
}

const ADMISSIONS: Record<number, Admission> = { 1: 'admitted', [-1]: 'already-asked', [-2]: 'device-rate', [-3]: 'global-rate', [-4]: 'in-session' };

export async function admit(redis: Redis, prefix: string, deviceKey: DeviceKey, limits: AdmissionLimits, nowMs = Date.now()): Promise<Admission> {
  const device = [askedKey(prefix, deviceKey, redis), deviceRateKey(prefix, deviceKey, redis), lockKey(prefix, deviceKey, redis)];
  const ttl = Math.max(1, Math.round(limits.askedTtlMs));
  const interval = Math.max(0, Math.round(limits.deviceIntervalMs));
  const rate = Math.max(0, Math.floor(limits.ratePerSecond));
  const counter = globalRateKey(prefix, Math.floor(nowMs / 1000));
  if (redis.isCluster) return admitClustered(redis, { device, ttl, interval, rate, counter });
  return ADMISSIONS[await admitCommand(redis)(...device, counter, ttl, interval, rate)];
}

/**
 * On a Redis Cluster: the global counter first (its own slot), then the
 * device's checks and marks in one script; a device refusal gives its count
 * back. Two processes may then see the counter one too high for a moment:
 * the limit errs towards fewer requests, never more.
 */
async function admitClustered(redis: Redis, a: { device: string[]; ttl: number; interval: number; rate: number; counter: string }): Promise<Admission> {
  if (a.rate > 0) {
    const [[, n]] = (await redis.multi().incr(a.counter).pexpire(a.counter, 2000).exec()) as [[Error | null, number]];
    if (n > a.rate) return 'global-rate';
  }
  const code = await admitCommand(redis)(...a.device, a.ttl, a.interval, 0);
  if (code !== 1 && a.rate > 0) await redis.decr(a.counter);
  return ADMISSIONS[code];
}

/** Forgets that the device was asked: its Inform arrived, or nothing reached it. One DEL, one round trip. */
export async function clearAsked(redis: Redis, prefix: string, deviceKey: DeviceKey): Promise<void> {
  await redis.del(askedKey(prefix, deviceKey, redis));
}
