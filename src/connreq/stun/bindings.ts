/**
 * Where each CPE's STUN binding is kept: Redis, under `cr:stun:<deviceKey>`.
 *
 * Why Redis and not the database: a CPE refreshes its binding every
 * STUNMinimumKeepAlivePeriod (tens of seconds), from thousands of CPEs, and a
 * binding is only worth what the NAT keeps of it: a key with a TTL expires it
 * the way the NAT does, costs no database write per keep-alive, and any ACS
 * process (the one whose STUN socket must send the datagram, or any NBI) reads
 * it in one round trip. Losing it (a Redis flush) costs little: the CPE's next
 * keep-alive brings it back, and meanwhile the cached
 * UDPConnectionRequestAddress parameter is the fallback.
 */
import type Redis from 'ioredis';
import type { DeviceKey, EpochMs } from '../../db/types';
import { stunBindingKey } from '../keys';

export interface StunBinding {
  /** The Binding Request's source address: the CPE's public (NAT-mapped) UDP address. */
  host: string;
  port: number;
  /** When the last Binding Request arrived. */
  time: EpochMs;
  /** When the address last changed (BINDING-CHANGE, or a new source address). */
  changed: EpochMs;
}

export async function saveBinding(redis: Redis, prefix: string, deviceKey: DeviceKey, binding: StunBinding, ttlSec: number): Promise<void> {
  await redis.set(stunBindingKey(prefix, deviceKey), JSON.stringify(binding), 'EX', Math.max(1, Math.ceil(ttlSec)));
}

export async function loadBinding(redis: Redis, prefix: string, deviceKey: DeviceKey): Promise<StunBinding | null> {
  const raw = await redis.get(stunBindingKey(prefix, deviceKey));
  if (raw === null) return null;
  try {
    const b = JSON.parse(raw) as Partial<StunBinding>;
    if (typeof b.host !== 'string' || typeof b.port !== 'number') return null;
    return { host: b.host, port: b.port, time: Number(b.time ?? 0), changed: Number(b.changed ?? b.time ?? 0) };
  } catch {
    return null;
  }
}
