/**
 * The ACS's Lua scripts on its auto-pipelined connections: defined when a
 * connection is made, so a script's first use in the same tick as other
 * commands goes in the same pipeline. Defined on first use instead, a
 * script was missing from a pipeline already made in that tick, and
 * queuing it there threw inside ioredis and ended the process ("results[i]
 * is not iterable", redis/ioredis#1931; seen while test servers stopped).
 */
import { strict as assert } from 'node:assert';
import { admit } from '../../src/connreq/admission';
import { RedisSessionStore } from '../../src/cwmp/session/redis-store';
import { connectRedis, type RedisHandle } from '../../src/infra/redis';
import { createLogger } from '../../src/log';
import { TEST_REDIS_URL } from '../helpers/acs';

describe('Lua scripts on an auto-pipelined connection', () => {
  let handle: RedisHandle;
  const prefix = `acs-test:lua:${process.pid}:`;
  before(async () => {
    handle = await connectRedis({ url: TEST_REDIS_URL, privateFallback: false, dataDir: '' }, { retryMs: 1000, log: createLogger('silent') });
  });
  after(async () => {
    const keys = await handle.redis.keys(`${prefix}*`);
    if (keys.length > 0) await handle.redis.del(...keys);
    await handle.close();
  });

  it('has every registered script on a connection from the moment it is made, and on its duplicates', () => {
    for (const r of [handle.redis, handle.duplicate()]) {
      for (const name of ['acsConnReqAdmit', 'acsLockAndOpen', 'acsSaveAndClaim', 'acsDrop']) assert.equal(typeof (r as unknown as Record<string, unknown>)[name], 'function', name);
    }
  });

  it('runs a script first used in the same tick as other commands, in order with them', async () => {
    const limits = { askedTtlMs: 60_000, deviceIntervalMs: 0, ratePerSecond: 0 };
    const key = `${prefix}plain`;
    const [set, first, again, read] = await Promise.all([
      handle.redis.set(key, 'a'),
      admit(handle.redis, prefix, 'DEV-1', limits),
      admit(handle.redis, prefix, 'DEV-1', limits),
      handle.redis.get(key),
    ]);
    assert.deepEqual([set, first, again, read], ['OK', 'admitted', 'already-asked', 'a']);
  });

  it('keeps working after the server forgot its scripts (SCRIPT FLUSH, as a restarted Redis)', async () => {
    await handle.redis.script('FLUSH');
    const store = new RedisSessionStore(handle.redis, prefix, 5000);
    assert.equal(await store.breakStaleLock('DEV-2', 'no-such-session'), false);
    assert.equal(await admit(handle.redis, prefix, 'DEV-3', { askedTtlMs: 60_000, deviceIntervalMs: 0, ratePerSecond: 0 }), 'admitted');
  });
});
