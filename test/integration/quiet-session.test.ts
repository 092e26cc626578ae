import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import type { RedisSessionStore } from '../../src/cwmp/session/redis-store';
import { flushTouched } from '../../src/cwmp/session/sweeper';
import { deviceKeyOf } from '../../src/model/device-key';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';

const keyOf = (serial: string): string => deviceKeyOf(inform(serial, []).DeviceId);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Counts the session reads from Redis (RedisSessionStore.load) while `run` runs. */
async function loadsDuring(sessions: RedisSessionStore, run: () => Promise<void>): Promise<number> {
  const original = sessions.load.bind(sessions);
  let loads = 0;
  sessions.load = (sid: string) => {
    loads++;
    return original(sid);
  };
  try {
    await run();
  } finally {
    sessions.load = original;
  }
  return loads;
}

/**
 * A quiet periodic session (nothing queued, nothing learnt) is ended at its
 * empty POST by the process that opened it without reading its state back
 * (cwmp/session/opened.ts); whatever else happens to the session meanwhile
 * gives the answers it always gave.
 */
describe('CWMP quiet session: ended by the process that opened it', function () {
  let t: TestAcs;
  let b: TestAcs;
  let redis: Redis;
  before(async function () {
    // Two front ends on one fresh database: slow on a busy machine.
    this.timeout(90_000);
    t = await startTestAcs('quiet_opened', { sessionTimeoutMs: 1500 });
    b = await startTestAcs('quiet_opened_b', { databaseUrl: t.config.databaseUrl, redisPrefix: t.config.redisPrefix, sessionTimeoutMs: 1500 });
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    await t?.stop();
    await b?.stop();
    await redis?.quit();
  });

  const sessions = (acs: TestAcs): RedisSessionStore => (acs.acs.deps as NonNullable<TestAcs['acs']['deps']>).sessions;

  /** Registers the device and commits its first periodic Inform: the next periodic one is quiet. */
  async function register(serial: string): Promise<void> {
    for (const events of [['1 BOOT'], ['2 PERIODIC']]) {
      const cpe = new ScriptedCpe(t.cwmpUrl);
      await cpe.post(inform(serial, events));
      assert.equal((await cpe.post(null)).status, 204);
      cpe.close();
    }
  }

  it('ends a quiet session at its empty POST without reading it back, touches last_inform and frees the device', async () => {
    await register('SN-Q-FAST');
    const key = keyOf('SN-Q-FAST');
    const before = await t.acs.store.getDevice(key);
    await sleep(20);
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const loads = await loadsDuring(sessions(t), async () => {
      assert.equal((await cpe.post(inform('SN-Q-FAST', ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
      assert.equal(sessions(t).opened.size, 1, 'kept until its empty POST');
      assert.equal((await cpe.post(null)).status, 204);
    });
    cpe.close();
    assert.equal(loads, 0, 'the empty POST read no session state');
    assert.equal(sessions(t).opened.size, 0);
    assert.equal(await redis.exists(`${t.config.redisPrefix}lock:${key}`), 0, 'the device is free');
    assert.equal(await redis.keys(`${t.config.redisPrefix}session:*`).then((k) => k.length), 0, 'nothing of the session is left');
    await flushTouched(t.acs.deps as NonNullable<TestAcs['acs']['deps']>);
    const after = await t.acs.store.getDevice(key);
    assert.ok((after?.lastInform ?? 0) > (before?.lastInform ?? 0), 'last_inform moved forward');
    assert.equal(after?.history.length, before?.history.length, 'no history entry');
  });

  it('keeps no session with something to do: a queued request is read and sent as before', async () => {
    await register('SN-Q-QUEUED');
    await t.acs.store.enqueueRequest(keyOf('SN-Q-QUEUED'), { method: 'Reboot', CommandKey: 'q' });
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform('SN-Q-QUEUED', ['2 PERIODIC']));
    assert.equal(sessions(t).opened.size, 0);
    const ex = await cpe.post(null);
    assert.deepEqual(ex.envelope?.body, { method: 'Reboot', CommandKey: 'q' });
    assert.equal((await cpe.reply(ex, { method: 'RebootResponse' })).status, 204);
    cpe.close();
  });

  it('reads the session back after a CPE request in it (the entry is dropped), and still ends it with 204', async () => {
    await register('SN-Q-CPEREQ');
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform('SN-Q-CPEREQ', ['2 PERIODIC']));
    const rpc = await cpe.post({ method: 'GetRPCMethods' });
    assert.equal(rpc.envelope?.body.method, 'GetRPCMethodsResponse');
    assert.equal(sessions(t).opened.size, 0, 'any other POST drops the entry');
    const loads = await loadsDuring(sessions(t), async () => assert.equal((await cpe.post(null)).status, 204));
    cpe.close();
    assert.equal(loads, 1);
  });

  it('answers the empty POST of a quiet session that timed out meanwhile as before: no session (400)', async () => {
    await register('SN-Q-LATE');
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform('SN-Q-LATE', ['2 PERIODIC']));
    await sleep(t.config.sessionTimeoutMs + 1500);
    const late = await cpe.post(null);
    cpe.close();
    assert.equal(late.status, 400);
    assert.match(late.text, /no CWMP session/);
    const device = await t.acs.store.getDevice(keyOf('SN-Q-LATE'));
    assert.ok(device?.history.some((h) => h.kind === 'session-timeout'), 'the sweep ended it as a timeout');
  });

  it('ends a quiet session whose empty POST goes to another front end the usual way; the opener then answers nothing for it', async () => {
    await register('SN-Q-MOVED');
    const onT = new ScriptedCpe(t.cwmpUrl);
    await onT.post(inform('SN-Q-MOVED', ['2 PERIODIC']));
    const cookie = (onT as unknown as { cookie: string }).cookie;
    const onB = new ScriptedCpe(b.cwmpUrl);
    (onB as unknown as { cookie: string }).cookie = cookie;
    assert.equal((await onB.post(null)).status, 204);
    // A replayed empty POST at the opener: the session is gone, as a read would have found.
    const again = new ScriptedCpe(t.cwmpUrl);
    (again as unknown as { cookie: string }).cookie = cookie;
    const ex = await again.post(null);
    assert.equal(ex.status, 400);
    [onT, onB, again].forEach((c) => c.close());
    const next = new ScriptedCpe(t.cwmpUrl);
    assert.equal((await next.post(inform('SN-Q-MOVED', ['2 PERIODIC']))).envelope?.body.method, 'InformResponse', 'the device is free');
    assert.equal((await next.post(null)).status, 204);
    next.close();
  });

  it('writes no address key when sessions are never looked up by address (CWMP_ADDRESS_FALLBACK off)', async () => {
    await register('SN-Q-NOADDR');
    assert.deepEqual(await redis.keys(`${t.config.redisPrefix}addr:*`), []);
  });
});
