/**
 * Whether a connection request may go out now, decided in Redis so the
 * limits hold across every ACS process (TR-069 §3.2.2: the ACS should not
 * flood a CPE; the checklist's "one outstanding request per device"):
 *   1. the device was asked and has not informed since → 'already-asked'
 *      (the asked key, set with a TTL, deleted by the device's next Inform);
 *   2. a request went to it less than `deviceIntervalMs` ago → 'device-rate';
 *   3. more than `ratePerSecond` requests this second, cluster-wide → 'global-rate'.
 * One script, one round trip: the check and the marks are atomic, so two
 * processes asked for the same device at once send one request.
 */
import type Redis from 'ioredis';
import type { DeviceKey } from '../db/types';
import { askedKey, deviceRateKey, globalRateKey } from './keys';

/*
 * admit (KEYS 3)
 * KEYS[1] asked key, KEYS[2] device rate key, KEYS[3] this second's global counter
 * ARGV[1] asked TTL ms, ARGV[2] device interval ms (0 = none), ARGV[3] requests per second (0 = no limit)
 * Returns 1 admitted (both marks set), -1 already asked, -2 device rate, -3 global rate.
 */
const ADMIT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local interval = tonumber(ARGV[2])
if interval > 0 and redis.call('EXISTS', KEYS[2]) == 1 then return -2 end
local rate = tonumber(ARGV[3])
if rate > 0 then
  local n = redis.call('INCR', KEYS[3])
  if n == 1 then redis.call('PEXPIRE', KEYS[3], 2000) end
  if n > rate then return -3 end
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
if interval > 0 then redis.call('SET', KEYS[2], '1', 'PX', interval) end
return 1
`;

export type Admission = 'admitted' | 'already-asked' | 'device-rate' | 'global-rate';

export interface AdmissionLimits {
  askedTtlMs: number;
  deviceIntervalMs: number;
  ratePerSecond: number;
}

type AdmitCommand = (k1: string, k2: string, k3: string, ttl: number, interval: number, rate: number) => Promise<number>;

export async function admit(redis: Redis, prefix: string, deviceKey: DeviceKey, limits: AdmissionLimits, nowMs = Date.now()): Promise<Admission> {
  if (!('acsConnReqAdmit' in redis)) redis.defineCommand('acsConnReqAdmit', { numberOfKeys: 3, lua: ADMIT });
  const command = (redis as unknown as { acsConnReqAdmit: AdmitCommand }).acsConnReqAdmit.bind(redis);
  const code = await command(
    askedKey(prefix, deviceKey),
    deviceRateKey(prefix, deviceKey),
    globalRateKey(prefix, Math.floor(nowMs / 1000)),
    Math.max(1, Math.round(limits.askedTtlMs)),
    Math.max(0, Math.round(limits.deviceIntervalMs)),
    Math.max(0, Math.floor(limits.ratePerSecond)),
  );
  return code === 1 ? 'admitted' : code === -1 ? 'already-asked' : code === -2 ? 'device-rate' : 'global-rate';
}

/** Forgets that the device was asked: its Inform arrived, or nothing reached it. One DEL, one round trip. */
export async function clearAsked(redis: Redis, prefix: string, deviceKey: DeviceKey): Promise<void> {
  await redis.del(askedKey(prefix, deviceKey));
}
