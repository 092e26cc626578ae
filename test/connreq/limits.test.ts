import assert from 'node:assert/strict';
import { ConnectionRequester, askedKey } from '../../src/connreq';
import { HttpConnectionRequestListener } from '../../src/sim/conn-request/http-listener';
import { describeEachDriver } from '../helpers/db';
import { sleep, until } from '../helpers/wait';
import { lockKey } from '../../src/cwmp/session/session-keys';
import { cachedDevice, log, testRedis, type TestRedis } from './helpers';

describeEachDriver('connection request limits (one outstanding request per device, rates)', 'acs_test_connreq_limits', (ctx) => {
  let r: TestRedis;
  let cpe: HttpConnectionRequestListener;

  before(async () => {
    r = testRedis('limits');
    cpe = new HttpConnectionRequestListener({ minIntervalMs: 0 });
    await cpe.listen();
  });
  after(async () => {
    await cpe.close();
    await r.close();
  });

  const requester = (options: ConstructorParameters<typeof ConnectionRequester>[1] = {}): ConnectionRequester =>
    new ConnectionRequester({ store: ctx.store, redis: r.redis, prefix: r.prefix, log }, { http: { timeoutMs: 300, attempts: 1, backoffMs: 10 }, ...options });

  async function device(): Promise<string> {
    const path = `/cr/${Math.random().toString(36).slice(2)}`;
    cpe.register(path, { username: 'u', password: 'p', onRequest: () => undefined });
    const key = await cachedDevice(ctx.store, { ConnectionRequestURL: cpe.url(path) });
    await requester().setCredentials(key, { username: 'u', password: 'p' });
    return key;
  }

  it('a device asked and not yet connected is not asked again; its Inform (connected) lets it be asked again', async () => {
    const cr = requester({ deviceIntervalMs: 0, ratePerSecond: 0 });
    const key = await device();
    const accepted = cpe.stats.accepted;
    assert.equal((await cr.request(key)).outcome, 'ok');
    const again = await cr.request(key);
    assert.equal(again.outcome, 'already-asked');
    assert.equal(again.via, null);
    assert.equal(cpe.stats.accepted, accepted + 1, 'nothing sent the second time');
    assert.equal((await cr.lastAttempt(key))?.outcome, 'ok', 'a skipped request does not overwrite the last attempt');
    assert.ok((await r.redis.pttl(askedKey(r.prefix, key, r.redis))) > 25_000, 'the mark lasts pendingMs (30 s by default)');
    await cr.connected(key);
    assert.equal(await r.redis.exists(askedKey(r.prefix, key, r.redis)), 0);
    assert.equal((await cr.request(key)).outcome, 'ok');
    assert.equal(cpe.stats.accepted, accepted + 2);
  });

  it('two processes asking at once send one request', async () => {
    const key = await device();
    const accepted = cpe.stats.accepted;
    const outcomes = await Promise.all([requester({ ratePerSecond: 0 }).request(key), requester({ ratePerSecond: 0 }).request(key)]);
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['already-asked', 'ok']);
    assert.equal(cpe.stats.accepted, accepted + 1);
  });

  it('a device in session is asked once that session is over if it has open tasks, once however often it was asked meanwhile; with none, or a session outlasting sessionWaitMs, it is not asked', async () => {
    const cr = requester({ deviceIntervalMs: 0, ratePerSecond: 0 });
    const key = await device();
    const lock = lockKey(r.prefix, key, r.redis);
    // No open task when the session ends: the session itself was what the request wanted.
    await r.redis.set(lock, 'a-session-id', 'PX', 60_000);
    const idle = cpe.stats.accepted;
    assert.equal((await cr.request(key)).outcome, 'in-session');
    await r.redis.del(lock);
    await sleep(700);
    assert.equal(cpe.stats.accepted, idle, 'not asked: nothing left to do');
    assert.equal(await cr.lastAttempt(key), null);

    await ctx.store.enqueueRequest(key, { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.UpTime'] });
    const accepted = cpe.stats.accepted;
    await r.redis.set(lock, 'a-session-id', 'PX', 60_000);
    const deferred = await cr.request(key);
    assert.equal(deferred.outcome, 'in-session');
    assert.equal(deferred.via, null);
    assert.equal((await cr.request(key)).outcome, 'in-session', 'asked again meanwhile');
    await sleep(700);
    assert.equal(cpe.stats.accepted, accepted, 'nothing sent while the session is open');
    assert.equal(await cr.lastAttempt(key), null, 'a deferred request is not recorded as an attempt');
    await r.redis.del(lock);
    await until('the request sent after the session', async () => cpe.stats.accepted === accepted + 1, 3000);
    await until('its outcome recorded', async () => (await cr.lastAttempt(key))?.outcome === 'ok', 3000);
    await sleep(700);
    assert.equal(cpe.stats.accepted, accepted + 1, 'sent once');

    const patient = requester({ deviceIntervalMs: 0, ratePerSecond: 0, sessionWaitMs: 300 });
    await cr.connected(key);
    await r.redis.set(lock, 'a-long-session', 'PX', 60_000);
    assert.equal((await patient.request(key)).outcome, 'in-session');
    await until('given up after sessionWaitMs', async () => (await patient.lastAttempt(key))?.outcome === 'in-session', 3000);
    assert.match((await patient.lastAttempt(key))?.message ?? '', /still in a session after 300 ms: not asked/);
    assert.equal(cpe.stats.accepted, accepted + 1, 'not sent');
    await r.redis.del(lock);
    cr.close();
    patient.close();
  });

  it('a request waiting for a session is carried out by another process when the one that deferred it stops (the wait is in Redis)', async () => {
    const key = await device();
    const lock = lockKey(r.prefix, key, r.redis);
    await ctx.store.enqueueRequest(key, { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.UpTime'] });
    const stopping = requester({ deviceIntervalMs: 0, ratePerSecond: 0 });
    const other = requester({ deviceIntervalMs: 0, ratePerSecond: 0 });
    other.start();
    try {
      const accepted = cpe.stats.accepted;
      await r.redis.set(lock, 'a-session-id', 'PX', 60_000);
      assert.equal((await stopping.request(key)).outcome, 'in-session');
      await sleep(600);
      stopping.close();
      await r.redis.del(lock);
      await until('the other process sends the request', async () => cpe.stats.accepted === accepted + 1, 10_000);
      await until('its outcome recorded', async () => (await other.lastAttempt(key))?.outcome === 'ok', 3000);
      await sleep(1000);
      assert.equal(cpe.stats.accepted, accepted + 1, 'sent once');
    } finally {
      stopping.close();
      other.close();
    }
  });

  it('the mark expires on its own when no Inform comes (pendingMs)', async () => {
    const cr = requester({ pendingMs: 100, deviceIntervalMs: 0, ratePerSecond: 0 });
    const key = await device();
    assert.equal((await cr.request(key)).outcome, 'ok');
    assert.equal((await cr.request(key)).outcome, 'already-asked');
    await sleep(150);
    assert.equal((await cr.request(key)).outcome, 'ok');
  });

  it('a request that reached nobody does not leave the device marked as asked', async () => {
    const cr = requester({ deviceIntervalMs: 0, ratePerSecond: 0 });
    const key = await cachedDevice(ctx.store, { ConnectionRequestURL: 'http://127.0.0.1:1/cr' });
    assert.equal((await cr.request(key)).outcome, 'refused');
    assert.equal(await r.redis.exists(askedKey(r.prefix, key, r.redis)), 0);
    assert.equal((await cr.request(key)).outcome, 'refused', 'asked again, not already-asked');
  });

  it('per device: a second request within deviceIntervalMs is rate-limited, and recorded', async () => {
    const cr = requester({ deviceIntervalMs: 60_000, ratePerSecond: 0 });
    const key = await device();
    assert.equal((await cr.request(key)).outcome, 'ok');
    await cr.connected(key);
    const limited = await cr.request(key);
    assert.equal(limited.outcome, 'rate-limited');
    assert.match(limited.message, /device asked less than 60000 ms ago/);
    assert.equal((await cr.lastAttempt(key))?.outcome, 'rate-limited');
  });

  it('cluster-wide: more than CONNECTION_REQUEST_RATE requests in a second are rate-limited, across requesters', async () => {
    const a = requester({ ratePerSecond: 3, deviceIntervalMs: 0 });
    const b = requester({ ratePerSecond: 3, deviceIntervalMs: 0 });
    const keys = await Promise.all([1, 2, 3, 4, 5].map(() => cachedDevice(ctx.store, {})));
    // Start right after a second boundary so the five requests fall in one window.
    await sleep(1000 - (Date.now() % 1000) + 5);
    const outcomes = await Promise.all(keys.map((k, i) => (i % 2 ? a : b).request(k)));
    const limited = outcomes.filter((o) => o.outcome === 'rate-limited');
    assert.equal(limited.length, 2, outcomes.map((o) => o.outcome).join(','));
    assert.match(limited[0].message, /over 3 connection requests per second across the cluster/);
    assert.equal(outcomes.filter((o) => o.outcome === 'no-url').length, 3, 'the admitted three went on (and found no URL)');
  });
});
