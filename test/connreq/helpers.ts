/**
 * Shared pieces of the connection-request tests: a Redis connection with a
 * prefix of its own (its keys removed afterwards), a silent logger, and a
 * device whose ManagementServer parameters are cached in the store.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { DeviceStore } from '../../src/db/types';
import { createLogger } from '../../src/log';
import { TEST_REDIS_URL } from '../helpers/acs';
import { acknowledged, newDeviceId, pv, session } from '../helpers/db';

export const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

export interface TestRedis {
  redis: Redis;
  prefix: string;
  close(): Promise<void>;
}

export function testRedis(suite: string): TestRedis {
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = `acs-test:connreq-${suite}:${randomBytes(4).toString('hex')}:`;
  return {
    redis,
    prefix,
    async close() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** A device that informed once with these ManagementServer values (leaf name → value) cached; returns its key. */
export async function cachedDevice(store: DeviceStore, values: Record<string, string>, root = 'Device.ManagementServer.'): Promise<string> {
  const params = Object.entries(values).map(([leaf, value]) => pv(root + leaf, value));
  const result = session({ deviceId: newDeviceId('CR'), events: ['0 BOOTSTRAP'], params, time: Date.now() });
  await store.commitSession(await acknowledged(store, result));
  return result.deviceKey;
}
