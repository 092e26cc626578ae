import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { RedisSessionStore } from '../../src/cwmp/session/redis-store';
import type { SessionLogEntry, SessionState } from '../../src/cwmp/session/state';
import { TEST_REDIS_URL } from '../helpers/acs';

/** The Redis side of a session's end: the last save and the claim in one round trip, and the drop. */
describe('session store: saveAndClaim and drop', () => {
  let redis: Redis;
  let prefix = '';
  let store: RedisSessionStore;
  const entry = (n: number): SessionLogEntry => ({ t: 'history', entry: { time: n, kind: 'x', detail: n, sessionId: 's' } });

  before(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  after(() => redis.quit());
  beforeEach(() => {
    prefix = `acs-test:store:${randomBytes(4).toString('hex')}:`;
    store = new RedisSessionStore(redis, prefix, 30_000);
  });

  async function open(device = `DEV-${randomBytes(3).toString('hex')}`): Promise<SessionState> {
    const state = { id: store.newSessionId(device), deviceKey: device, remoteAddress: '192.0.2.1', logged: 0 } as SessionState;
    assert.equal(await store.lockAndOpen(state), null);
    return state;
  }

  it('a live session: its last entries join the log, the whole log comes back, and the session is claimed (no second claim, no later save)', async () => {
    const state = await open();
    assert.ok(await store.save(state, [entry(1)]));
    const log = await store.saveAndClaim(state, [entry(2), entry(3)]);
    assert.deepEqual(log, [entry(1), entry(2), entry(3)]);
    assert.equal(state.logged, 3);
    assert.equal(await redis.zscore(`${prefix}deadlines`, state.id), null, 'out of the deadlines: the sweeper will not end it');
    assert.ok(Number(await redis.zscore(`${prefix}ending`, state.id)) > Date.now(), 'claimed with a lease');
    assert.equal(await store.claimWithLog(state.id), null, 'nobody else can claim it');
    assert.equal(await store.save(state, [entry(4)]), false, 'a claimed session takes no more saves');
  });

  it('a session that is no longer live (claimed by another, or its lock taken over) gets null and nothing is written', async () => {
    const claimed = await open();
    assert.ok(await store.claimWithLog(claimed.id));
    assert.equal(await store.saveAndClaim(claimed, [entry(1)]), null);
    assert.equal(await redis.llen(`${prefix}session:${claimed.id}:log`), 0);

    const replaced = await open();
    await redis.set(`${prefix}lock:${replaced.deviceKey}`, 'another-session');
    assert.equal(await store.saveAndClaim(replaced, [entry(1)]), null);
    assert.equal(await redis.llen(`${prefix}session:${replaced.id}:log`), 0);
    assert.ok(await redis.zscore(`${prefix}deadlines`, replaced.id), 'still in the deadlines: the sweeper ends it');
  });

  it('drop forgets the session and frees its device, but never a lock another session holds', async () => {
    const state = await open();
    assert.ok(await store.saveAndClaim(state, [entry(1)]));
    await store.drop(state);
    assert.equal(await redis.exists(`${prefix}session:${state.id}`, `${prefix}session:${state.id}:log`), 0);
    assert.equal(await redis.zscore(`${prefix}ending`, state.id), null);
    assert.equal(await redis.get(`${prefix}lock:${state.deviceKey}`), null);

    const other = await open();
    await redis.set(`${prefix}lock:${other.deviceKey}`, 'newer-session');
    await store.drop(other);
    assert.equal(await redis.get(`${prefix}lock:${other.deviceKey}`), 'newer-session');
  });
});
