/**
 * The connection requests that wait for a session to end, kept in Redis
 * (src/connreq/after-session.ts), on the real Redis: two AfterSession
 * objects on one prefix stand for two processes. The requester's side
 * (open tasks, the outcome recorded) is limits.test.ts's.
 */
import { strict as assert } from 'node:assert';
import { AfterSession, type SessionWait } from '../../src/connreq/after-session';
import { lockKey } from '../../src/cwmp/session/session-keys';
import type { DeviceKey } from '../../src/db/types';
import { sleep, until } from '../helpers/wait';
import { log, testRedis, type TestRedis } from './helpers';
import type Redis from 'ioredis';
import { defineScripts } from '../../src/infra/redis-scripts';
import { shardOfDevice } from '../../src/infra/hash-tags';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-cluster';

const FAST = { sweepMs: 20, idleSweepMs: 200, lookMs: 40, leaseMs: 300, askLeaseMs: 600 };

describe('connection requests after sessions (kept in Redis)', function () {
  this.timeout(20_000);
  let r: TestRedis;
  const opened: AfterSession[] = [];
  const clients: Redis[] = [];
  before(() => {
    r = testRedis('after_session');
  });
  // Each test's processes stop with it: on one prefix, a process left running would take the next test's devices.
  afterEach(() => opened.splice(0).forEach((a) => a.close()));
  after(async () => {
    clients.forEach((c) => c.disconnect());
    await r.close();
  });

  /** A process's AfterSession whose asks are recorded and wait for `gate` when one is set; `sweeps` counts its sweeps' scripts. */
  function process(times = FAST) {
    const asked: { device: string; wait: SessionWait }[] = [];
    const p = {
      asked,
      gate: null as Promise<void> | null,
      after: null as unknown as AfterSession,
      sweeps: 0,
    };
    // A client of its own, whose sweep script is counted on its way to Redis.
    const redis = defineScripts(r.redis.duplicate());
    clients.push(redis);
    const take = (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>).acsConnReqTakeAfterSession.bind(redis);
    Object.assign(redis, { acsConnReqTakeAfterSession: (...a: unknown[]) => (p.sweeps++, take(...a)) });
    p.after = new AfterSession({ redis, prefix: r.prefix, log, ask: async (device, wait) => {
      asked.push({ device, wait });
      if (p.gate) await p.gate;
    } }, times);
    opened.push(p.after);
    return p;
  }
  const device = (): DeviceKey => `00AA11-Box-AS${Math.random().toString(36).slice(2, 10)}` as DeviceKey;
  const inSession = (d: DeviceKey) => r.redis.set(lockKey(r.prefix, d, r.redis), 'a-session', 'PX', 60_000);
  const sessionOver = (d: DeviceKey) => r.redis.del(lockKey(r.prefix, d, r.redis));
  const soon = (ms = 10_000): SessionWait => ({ deadline: Date.now() + ms, ms });

  it('asks once the session is over, once; not while it is open', async () => {
    const a = process();
    const d = device();
    await inSession(d);
    await a.after.add(d, soon());
    await a.after.add(d, soon());
    await sleep(300);
    assert.equal(a.asked.length, 0, 'not while the session is open');
    await sessionOver(d);
    await until('asked', async () => a.asked.length === 1, 3000);
    await sleep(300);
    assert.equal(a.asked.length, 1, 'once');
    assert.equal(a.asked[0].wait.ms, 10_000);
  });

  it('past the deadline with the session still open: asked once, with the deadline, to record it was not asked', async () => {
    const a = process();
    const d = device();
    await inSession(d);
    await a.after.add(d, soon(200));
    await until('asked at the deadline', async () => a.asked.length === 1, 3000);
    assert.ok(Date.now() >= a.asked[0].wait.deadline);
    await sleep(300);
    assert.equal(a.asked.length, 1);
    await sessionOver(d);
  });

  it('a process that stops while asking leaves the device to another, which asks it once the ask lease ran out', async () => {
    const stopping = process();
    stopping.gate = new Promise<void>(() => undefined); // its ask never ends: the process died in it
    const d = device();
    await stopping.after.add(d, soon());
    await until('the first process asks', async () => stopping.asked.length === 1, 3000);
    stopping.after.close();
    const other = process();
    other.after.start();
    await sleep(300);
    assert.equal(other.asked.length, 0, 'not while the first one\'s ask lease runs');
    await until('the other process asks', async () => other.asked.length === 1, 3000);
    assert.equal(other.asked[0].device, d);
  });

  it('a request made while the device is asked keeps it waiting: it is looked at again after that ask', async () => {
    const a = process();
    let release = () => undefined as void;
    a.gate = new Promise<void>((resolve) => (release = resolve));
    const d = device();
    await a.after.add(d, soon());
    await until('asked', async () => a.asked.length === 1, 3000);
    await a.after.add(d, soon());
    a.gate = null;
    release();
    await until('asked again for the later request', async () => a.asked.length === 2, 3000);
    await sleep(300);
    assert.equal(a.asked.length, 2, 'and then the wait is over');
  });

  it('idle, a process sweeps every shard only every idleSweepMs; a shard with a device waiting, every sweepMs until it is empty', async () => {
    const a = process({ ...FAST, idleSweepMs: 300 });
    a.after.start();
    await sleep(1000);
    const idle = a.sweeps;
    assert.ok(idle >= 2 && idle <= 5, `about one sweep of the one shard every 300 ms idle, not one every 20 ms: ${idle} in 1 s`);
    const d = device();
    await inSession(d);
    await a.after.add(d, soon());
    const before = a.sweeps;
    await sleep(300);
    assert.ok(a.sweeps - before >= 6, `its shard swept every 20 ms while the device waits: ${a.sweeps - before} in 300 ms`);
    await sessionOver(d);
    await until('asked', async () => a.asked.length === 1, 3000);
    await sleep(100);
    const after = a.sweeps;
    await sleep(1000);
    assert.ok(a.sweeps - after <= 5, `idle again once the wait ended: ${a.sweeps - after} in 1 s`);
  });

  it('a process that stopped before its first sweep leaves its devices to another, idle, process', async () => {
    const stopped = process({ ...FAST, sweepMs: 60_000 });
    const d = device();
    await stopped.after.add(d, soon());
    stopped.after.close();
    const other = process();
    other.after.start();
    await until('the other process asks', async () => other.asked.length === 1, 3000);
    assert.equal(other.asked[0].device, d);
    assert.equal(stopped.asked.length, 0);
  });

  it('a slow ask does not hold up another device\'s', async () => {
    const a = process();
    let release = () => undefined as void;
    a.gate = new Promise<void>((resolve) => (release = resolve));
    const slow = device();
    const quick = device();
    await a.after.add(slow, soon());
    await until('the slow one asked', async () => a.asked.length === 1, 3000);
    await a.after.add(quick, soon());
    await until('the other asked meanwhile', async () => a.asked.some((x) => x.device === quick), 3000);
    release();
  });
});

// The set and the wait keys must share a slot for the scripts: on a real cluster, a CROSSSLOT error would show.
describe('connection requests after sessions, on a Redis Cluster', function () {
  this.timeout(60_000);
  let cluster: RedisClusterHandle | null = null;
  before(async () => {
    cluster = await startRedisCluster(3);
  });
  after(async () => cluster?.stop());

  it('waits, asks once the session is over, and ends the wait, for devices of several shards', async () => {
    const redis = defineScripts(cluster!.client as unknown as Redis);
    const prefix = 'acs-test-cluster:';
    const asked: string[] = [];
    const a = new AfterSession({ redis, prefix, log, ask: async (device) => void asked.push(device) }, FAST);
    try {
      const devices = Array.from({ length: 8 }, (_, i) => `00AA11-Box-CL${i}` as DeviceKey);
      assert.ok(new Set(devices.map((d) => shardOfDevice(redis, d))).size > 1, 'devices of several shards');
      for (const d of devices) await redis.set(lockKey(prefix, d, redis), 'a-session', 'PX', 60_000);
      for (const d of devices) await a.add(d, { deadline: Date.now() + 10_000, ms: 10_000 });
      await sleep(300);
      assert.deepEqual(asked, [], 'not while the sessions are open');
      for (const d of devices) await redis.del(lockKey(prefix, d, redis));
      await until('every device asked', async () => asked.length === devices.length, 5000);
      await sleep(300);
      assert.deepEqual([...asked].sort(), [...devices].sort(), 'each once');
    } finally {
      a.close();
    }
  });
});
