import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DeviceFactsCache, type DeviceFacts } from '../../src/cwmp/session/device-facts';
import type { DeviceStore } from '../../src/db/types';
import { TEST_REDIS_URL } from '../helpers/acs';

/**
 * The device facts in Redis (src/cwmp/session/device-facts.ts) and the task
 * mark: a queued task makes the next session read the queue without dropping
 * the rest of the facts, and no session's write can hide a task queued after
 * that session read the facts.
 */
describe('device facts: the task mark', () => {
  let redis: Redis;
  let cache: DeviceFactsCache;
  let dbReads = 0;
  // Counts reads: a load served from Redis must not touch the database.
  const store = {
    getCpeCredentials: async () => (dbReads++, null),
    pendingRequests: async () => (dbReads++, []),
    pendingEvents: async () => (dbReads++, []),
  } as unknown as DeviceStore;
  const facts = (pending: boolean): DeviceFacts => ({ credentials: { username: 'u', password: 'p' }, pending, informHash: 'h1', events: [] });
  let device = '';

  before(() => {
    redis = new Redis(TEST_REDIS_URL);
    cache = new DeviceFactsCache(redis, `acs-test:facts:${randomBytes(4).toString('hex')}:`);
  });
  after(() => redis.quit());

  beforeEach(async () => {
    device = `OUI-PC-${randomBytes(4).toString('hex')}`;
    dbReads = 0;
    const first = await cache.load(device, store);
    assert.ok(await cache.write(device, first.version, facts(false)));
    dbReads = 0;
  });

  it('a queued task shows as pending while credentials, hash and events stay cached (no database read)', async () => {
    await cache.markPending(device);
    const loaded = await cache.load(device, store);
    assert.equal(dbReads, 0);
    assert.equal(loaded.queue, undefined);
    assert.deepEqual(loaded.facts, { ...facts(false), pending: true });
  });

  it('a session that read the facts before the task was queued cannot clear the mark with its write', async () => {
    const before = await cache.load(device, store);
    await cache.markPending(device);
    // Its own view: no task (it loaded none); the write is still accepted.
    assert.ok(await cache.write(device, before.version, facts(false)));
    assert.equal((await cache.load(device, store)).facts.pending, true, 'the next session still reads the queue');
  });

  it('a session that read the facts after the task was queued clears the mark; the next one is quiet again', async () => {
    await cache.markPending(device);
    const after = await cache.load(device, store);
    assert.equal(after.facts.pending, true);
    assert.ok(await cache.write(device, after.version, facts(false)));
    assert.equal((await cache.load(device, store)).facts.pending, false);
  });

  it('invalidate still drops the facts: the next load reads the database', async () => {
    const before = await cache.load(device, store);
    await cache.invalidate(device);
    assert.equal(await cache.write(device, before.version, facts(false)), false, 'a write from before the change is refused');
    const loaded = await cache.load(device, store);
    assert.equal(dbReads, 3);
    assert.deepEqual(loaded.queue, []);
  });
});
