/**
 * Rollups and retention of the series store, run by the workers: each
 * worker tries every minute (rollup) and every hour (retention), and runs
 * only while it holds that job's Redis lock, so one process at a time does
 * each. Both are idempotent (a day rolled up twice writes nothing twice),
 * but a day's rollup of a large fleet takes minutes, and retention's
 * partition rewrite must never run twice at once.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { every } from '../roles/closers';
import type { SeriesStore } from './series';

const ROLLUP_EVERY_MS = 60_000;
const EXPIRE_EVERY_MS = 3_600_000;
/** Longer than a job ever takes (a day's rollup of 100,000 devices: ~6 min in bench (i)); released when it ends. */
const LOCK_MS = { rollup: 30 * 60_000, expire: 2 * 3_600_000 };

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function startSeriesMaintenance(o: { redis: Redis; redisPrefix: string; series: Pick<SeriesStore, 'rollup' | 'expire'>; log: Logger; everyMs?: number }): () => Promise<void> {
  const locked = async (job: 'rollup' | 'expire', work: () => Promise<void>): Promise<void> => {
    const key = `${o.redisPrefix}qoe:${job}`;
    const token = randomBytes(8).toString('hex');
    if ((await o.redis.set(key, token, 'PX', LOCK_MS[job], 'NX')) !== 'OK') return;
    try {
      await work();
    } finally {
      await o.redis.eval(RELEASE, 1, key, token);
    }
  };
  const everyMs = o.everyMs ?? ROLLUP_EVERY_MS;
  const rollups = every(everyMs, o.log, 'QoE rollup', () => locked('rollup', async () => {
    const { rows } = await o.series.rollup();
    if (rows['5m'] + rows['1h'] + rows['1d'] > 0) o.log.info({ rows }, 'QoE series rolled up');
  }));
  const expiry = every(Math.min(EXPIRE_EVERY_MS, everyMs * 60), o.log, 'QoE retention', () => locked('expire', async () => {
    const r = await o.series.expire();
    if (r.rowsDeleted + r.partitionsDropped.length + r.partitionsCompacted.length > 0) o.log.info(r, 'QoE series past their retention deleted, finished days compacted');
  }));
  rollups.unref();
  expiry.unref();
  return async () => {
    clearInterval(rollups);
    clearInterval(expiry);
  };
}
