/**
 * The flusher against a real Redis: what the process counted lands in the
 * current minute's hash and the set of minutes; counts a Redis that is away
 * refused are not lost but given again at the next flush.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log';
import { metrics } from '../../src/metrics/registry';
import { startStatsFlusher } from '../../src/stats/flusher';
import { minuteOf, StatsKeys } from '../../src/stats/keys';
import { CounterTally } from '../../src/stats/tally';
import { TEST_REDIS_URL } from '../helpers/acs';

const log = createLogger('silent');

describe('fleet statistics: the flusher', () => {
  const redisPrefix = `acs-test:stats_flusher:${randomBytes(4).toString('hex')}:`;
  const keys = new StatsKeys(redisPrefix);
  let redis: Redis;
  before(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    const left = await redis.keys(`${redisPrefix}*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  it('adds what the process counted since the last flush to the minute\'s hash, once', async () => {
    const tally = new CounterTally();
    const flusher = await startStatsFlusher({ redis, redisPrefix, everyMs: 3600_000, log, tally });
    metrics.sessions.inc({ outcome: 'quiet' }, 3);
    metrics.rpcs.inc({ method: 'SetParameterValues', fault: '9003' });
    metrics.rpcs.inc({ method: 'GetParameterValues', fault: 'none' }, 5);
    const now = minuteOf(Date.now());
    await flusher.flush();
    await flusher.flush();
    await flusher.close();
    const minutes = (await redis.zrange(keys.minutes, 0, -1)).map(Number);
    assert.equal(minutes.length, 1);
    const minute = minutes[0];
    assert.ok(minute === now || minute === now + 1, 'the minute it was counted in');
    const written = await redis.hgetall(keys.minute(minute));
    assert.deepEqual(written, { 's:quiet': '3', 'f:9003': '1' }, 'a response is not a fault; nothing added twice');
    assert.ok((await redis.ttl(keys.minute(minute))) > 0, 'an unmoved hash expires');
  });

  it('keeps the counts Redis refused for the next flush', async () => {
    const away = new Redis(TEST_REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
    const tally = new CounterTally();
    const flusher = await startStatsFlusher({ redis: away, redisPrefix, everyMs: 3600_000, log, tally });
    metrics.sessions.inc({ outcome: 'completed' }, 2);
    await flusher.flush();
    metrics.sessions.inc({ outcome: 'completed' });
    assert.deepEqual([...(await tally.take())], [['s:completed', 3]], 'the refused 2 and the new 1');
    await flusher.close();
    away.disconnect();
  });

  it('sends nothing when nothing was counted', async () => {
    const before = await redis.keys(`${redisPrefix}*`);
    const flusher = await startStatsFlusher({ redis, redisPrefix: `${redisPrefix}idle:`, everyMs: 3600_000, log, tally: new CounterTally() });
    await flusher.flush();
    await flusher.close();
    assert.deepEqual(await redis.keys(`${redisPrefix}idle:*`), []);
    assert.deepEqual((await redis.keys(`${redisPrefix}*`)).sort(), before.sort());
  });
});
