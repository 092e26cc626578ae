/**
 * Rollups and retention under their Redis locks: with several workers
 * trying, one runs each job at a time, however long a run takes.
 */
import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import { createLogger } from '../../src/log';
import { startSeriesMaintenance } from '../../src/qoe/maintenance';
import type { ExpireResult } from '../../src/qoe/series';
import { TEST_REDIS_URL } from '../helpers/acs';
import { sleep } from '../helpers/wait';

describe('QoE series maintenance: one worker at a time', () => {
  it('never runs a rollup in two workers at once, even when one takes longer than the interval', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    const redisPrefix = `acs-test:qoe-maint:${process.pid}:${Date.now()}:`;
    let running = 0;
    let most = 0;
    let runs = 0;
    // The store's work, slowed: a run lasts six intervals.
    const series = {
      rollup: async () => {
        running++;
        runs++;
        most = Math.max(most, running);
        await sleep(300);
        running--;
        return { rows: { '5m': 0, '1h': 0, '1d': 0 } };
      },
      expire: async (): Promise<ExpireResult> => ({ partitionsDropped: [], partitionsAdded: [], partitionsCompacted: [], rowsDeleted: 0 }),
    };
    const log = createLogger('silent');
    const stops = [1, 2, 3].map(() => startSeriesMaintenance({ redis, redisPrefix, series, log, everyMs: 50 }));
    await sleep(1300);
    for (const stop of stops) await stop();
    await sleep(350);
    redis.disconnect();
    assert.equal(most, 1, 'one rollup at a time');
    assert.ok(runs >= 3, `rollups ran one after the other (${runs})`);
  });
});
