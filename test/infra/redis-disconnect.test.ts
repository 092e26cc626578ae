/**
 * Closing what holds Redis connections while their Redis is gone: ioredis's
 * disconnect() on a connection waiting to reconnect leaves its commands
 * unsettled for good, and a close that awaited them never ended (CI: a test
 * ACS whose Redis had restarted hung in its webhook delivery worker's
 * close). The Redis is a private redis-server, killed as a crash would.
 */
import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import { disconnectNow } from '../../src/infra/redis-disconnect';
import { connectTo, parseRedisUrl } from '../../src/infra/redis-url';
import { readLeasedStream } from '../../src/infra/leased-stream';
import { createLogger } from '../../src/log';
import { SubscriptionView, WebhookStore, startDeliveryWorker } from '../../src/webhooks';
import { startTestAcs } from '../helpers/acs';
import { describeEachDriver } from '../helpers/db';
import { privateRedis, type PrivateService } from '../helpers/private-services';
import { startRedisCluster } from '../helpers/redis-cluster';
import { sleep, until } from '../helpers/wait';

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error(`${what}: not settled after ${ms} ms`)), ms))]);

describe('infra: ending Redis connections while Redis is down', function () {
  this.timeout(30_000);
  let redis: PrivateService;
  const opened: Redis[] = [];
  const connect = () => {
    const r = new Redis(redis.url, { maxRetriesPerRequest: null });
    r.on('error', () => undefined);
    opened.push(r);
    return r;
  };
  /** Kills the server and waits until `conns` wait to reconnect (no socket). */
  const down = async (...conns: Redis[]) => {
    await redis.kill();
    await until('waiting to reconnect', async () => conns.every((c) => c.status === 'reconnecting'), 10_000);
  };

  beforeEach(async () => {
    redis = await privateRedis();
  });
  afterEach(async () => {
    for (const r of opened.splice(0)) r.disconnect();
    await redis.stop();
  });

  it('disconnectNow rejects a blocked read held by a connection waiting to reconnect, and ends it', async () => {
    const r = connect();
    await r.ping();
    const read = r.xread('BLOCK', 5000, 'STREAMS', 'a-stream', '$').then(() => 'answered', (err: Error) => err.message);
    await down(r);
    disconnectNow(r);
    assert.equal(await within(read, 2000, 'the blocked read'), 'Connection is closed.');
    assert.equal(r.status, 'end');
  });

  it('a leased stream reader closes while its Redis is down', async () => {
    const [commands, reader] = [connect(), connect()];
    const entries: unknown[] = [];
    const stream = readLeasedStream({ redis: commands, reader, stream: 's', lease: 'lease', log: createLogger('silent'), what: 'test', count: 10, gatherMs: 0, handle: async (e) => void entries.push(...e) });
    await commands.xadd('s', '*', 'f', 'v');
    await until('the entry read', async () => entries.length === 1, 5000);
    await down(commands, reader);
    await within(stream.close(), 5000, 'close');
  });

  describeEachDriver('the webhook delivery worker', 'redis_disconnect', (ctx) => {
    it('closes while its Redis is down (fan-out, BullMQ worker and queue)', async () => {
      const store = new WebhookStore(ctx.store.sql);
      const conns: Redis[] = [];
      const worker = startDeliveryWorker({
        connect: () => (conns.push(connect()), conns[conns.length - 1]), prefix: 'bull-disc', redisPrefix: 'disc:', view: new SubscriptionView(store), store, log: createLogger('silent'),
        options: { timeoutMs: 1000, retryBaseMs: 100, maxRetryMs: 1000, disableAfterMs: 60_000, retentionMs: 60_000 },
      });
      // Its reads block: the fan-out's XREAD and BullMQ's wait for a job.
      await until('the worker connected', async () => conns.length > 0 && conns.every((c) => c.status === 'ready'), 5000);
      await redis.kill();
      await until('its connections waiting to reconnect', async () => conns.some((c) => c.status === 'reconnecting'), 10_000);
      await within(worker.close(), 10_000, 'close');
    });
  });
});

describe('infra: a whole ACS stops while its Redis is down', function () {
  this.timeout(60_000);
  it('closes every part (workers, sweeps, readers, queues) within seconds, and again after Redis came back', async () => {
    for (const back of [false, true]) {
      const redis = await privateRedis();
      const t = await startTestAcs('redis_down_stop', { redisUrl: redis.url });
      try {
        await redis.kill();
        // Long enough for every connection to have lost its socket and wait to reconnect.
        await sleep(1500);
        if (back) await redis.start();
        await within(t.stop(), 15_000, `stop (Redis ${back ? 'back' : 'down'})`);
      } finally {
        await redis.stop();
      }
    }
  });
});

describe('infra: ending Redis Cluster connections while the cluster is down', function () {
  this.timeout(60_000);

  it('disconnectNow rejects the commands a cluster waiting to reconnect holds, and ends it (its disconnect() alone left them held)', async () => {
    const cluster = await startRedisCluster(3);
    const r = connectTo(parseRedisUrl(cluster.url), { maxRetriesPerRequest: null });
    r.on('error', () => undefined);
    try {
      await r.ping();
      const read = r.xread('BLOCK', 5000, 'STREAMS', 'a-stream', '$').then(() => 'answered', (err: Error) => err.message);
      await cluster.stop();
      await until('waiting to reconnect', async () => r.status === 'reconnecting', 10_000);
      const queued = r.get('a-key').then(() => 'answered', (err: Error) => err.message);
      disconnectNow(r);
      assert.deepEqual(await within(Promise.all([read, queued]), 5000, 'the held commands'), ['None of startup nodes is available', 'None of startup nodes is available']);
      assert.equal(r.status, 'end');
    } finally {
      r.disconnect();
    }
  });

  it('a whole ACS on a Redis Cluster stops within seconds while the cluster is down', async () => {
    const cluster = await startRedisCluster(3);
    const t = await startTestAcs('cluster_down_stop', { redisUrl: cluster.url });
    await cluster.stop();
    // Long enough for every connection to have lost its nodes and wait to reconnect.
    await sleep(1500);
    await within(t.stop(), 15_000, 'stop (Redis Cluster down)');
  });
});
