/**
 * Schedule windows of presets, opened cluster-wide: when a scheduled
 * preset's BullMQ job scheduler fires, one worker records until when its
 * window is open; front ends and workers read it from there.
 */
import type { Redis } from 'ioredis';
import { schedulesKey } from './queue';

export async function openWindow(redis: Redis, redisPrefix: string, preset: string, durationS: number): Promise<number> {
  const until = Date.now() + durationS * 1000;
  await redis.hset(schedulesKey(redisPrefix), preset, String(until));
  return until;
}

/** Presets whose window the scheduler opened and that is still open. */
export async function openSchedules(redis: Redis, redisPrefix: string): Promise<Set<string>> {
  const all = await redis.hgetall(schedulesKey(redisPrefix));
  const now = Date.now();
  return new Set(Object.entries(all).filter(([, until]) => Number(until) > now).map(([name]) => name));
}
