/**
 * The Redis keys of connection requests, all under the process's REDIS_PREFIX
 * so tests and clusters sharing a Redis never meet.
 */
import type { DeviceKey } from '../db/types';
import { deviceTag, type KeyLayout } from '../infra/hash-tags';

/** Set when a device is asked, with a TTL; deleted by its next Inform (see `connected`), in the slot of the device's session lock. */
export const askedKey = (prefix: string, deviceKey: DeviceKey, layout: KeyLayout): string => `${prefix}${deviceTag(layout, deviceKey)}cr:asked:${deviceKey}`;
/** Set on each request that went out; its TTL is the per-device minimum interval. */
export const deviceRateKey = (prefix: string, deviceKey: DeviceKey, layout: KeyLayout): string => `${prefix}${deviceTag(layout, deviceKey)}cr:dev-rate:${deviceKey}`;
/** One counter per second of the cluster-wide rate limit. */
export const globalRateKey = (prefix: string, second: number): string => `${prefix}cr:rate:${second}`;
/** The STUN binding (public UDP address) of a device. */
export const stunBindingKey = (prefix: string, deviceKey: DeviceKey): string => `${prefix}cr:stun:${deviceKey}`;
