/**
 * Rollups and retention of the series store, run by the workers: each
 * worker tries every ROLLUP_EVERY_MS, and the one that takes the round's
 * Redis lock does it (rollup and expire are idempotent: a round run twice
 * writes nothing twice, so the lock only saves work).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { every } from '../roles/closers';
import type { SeriesStore } from './series';

const ROLLUP_EVERY_MS = 60_000;
const EXPIRE_EVERY_MS = 3_600_000;

export function startSeriesMaintenance(o: { redis: Redis; redisPrefix: string; series: Pick<SeriesStore, 'rollup' | 'expire'>; log: Logger; everyMs?: number }): () => Promise<void> {
  const everyMs = o.everyMs ?? ROLLUP_EVERY_MS;
  const lock = async (what: string, ms: number) =>
    (await o.redis.set(`${o.redisPrefix}qoe:${what}:${Math.floor(Date.now() / ms)}`, '1', 'PX', ms, 'NX')) === 'OK';
  const rollups = every(everyMs, o.log, 'QoE rollup', async () => {
    if (!(await lock('rollup', everyMs))) return;
    const { rows } = await o.series.rollup();
    if (rows['5m'] + rows['1h'] + rows['1d'] > 0) o.log.debug({ rows }, 'QoE series rolled up');
  });
  const expiry = every(Math.min(EXPIRE_EVERY_MS, everyMs * 60), o.log, 'QoE retention', async () => {
    if (!(await lock('expire', EXPIRE_EVERY_MS))) return;
    const r = await o.series.expire();
    if (r.rowsDeleted + r.partitionsDropped.length > 0) o.log.info(r, 'QoE series past their retention deleted');
  });
  rollups.unref();
  expiry.unref();
  return async () => {
    clearInterval(rollups);
    clearInterval(expiry);
  };
}
