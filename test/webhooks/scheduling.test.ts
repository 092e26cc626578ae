/**
 * WEBHOOK_SCHEDULING: a `--role webhooks` process puts every one of its
 * threads in Linux's idle policy (SCHED_IDLE), and still delivers; a worker,
 * whose engine steps sessions wait for, never does; `normal` leaves it alone.
 * Read from /proc, as the kernel schedules them.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { openStore, type DeviceStore } from '../../src/db';
import { bullPrefix } from '../../src/engine/queue';
import { spawnAcs, type AcsProcess } from '../../src/infra/acs-process';
import { createLogger } from '../../src/log';
import { deliveryQueue, SubscriptionView, WebhookEmitter, WebhookStore } from '../../src/webhooks';
import { verifySignature } from '../../src/webhooks/sign';
import { databaseUrlFor, emptyDir, TEST_REDIS_URL } from '../helpers/acs';
import { freshMigratedMysqlDatabase } from '../helpers/db';
import { SCHED_IDLE, SCHED_OTHER, threadPolicies as policies } from '../helpers/proc';
import { until } from '../helpers/wait';


describe('WEBHOOK_SCHEDULING: the CPU policy of webhook deliveries', function () {
  this.timeout(60_000);
  const databaseUrl = databaseUrlFor('webhook_scheduling');
  const prefix = `webhook-scheduling-${process.pid}:`;
  const running: AcsProcess[] = [];
  const start = async (role: string, env: Record<string, string> = {}) => {
    const acs = await spawnAcs(['start', '--role', role], {
      PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix,
      CWMP_PORT: '0', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0', METRICS_PORT: '0', PRESETS_DIR: emptyDir(), LOG_LEVEL: 'info', ...env,
    });
    running.push(acs);
    return acs;
  };
  before(async () => {
    // The processes spawned here inherit the runner's policy: an in-process webhooks role idling it would pass for the ACS's doing.
    assert.deepEqual([...new Set(policies(process.pid))], [SCHED_OTHER], 'the test runner itself at the normal policy');
    await freshMigratedMysqlDatabase(databaseUrl);
  });
  afterEach(async () => {
    for (const acs of running.splice(0)) assert.equal(await acs.stop(), 0);
  });

  it('puts every thread of a --role webhooks process in SCHED_IDLE by default, says so, and it delivers, signed', async () => {
    const acs = await start('webhooks');
    await until('the policy applied', async () => acs.output.some((l) => l.includes('idle CPU policy')));
    const threads = policies(acs.pid);
    assert.ok(threads.length > 3, `${threads.length} threads: V8's and libuv's too`);
    assert.deepEqual([...new Set(threads)], [SCHED_IDLE], `policies ${threads.join(' ')}`);

    const got: { body: string; signature: string }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ body, signature: String(req.headers['x-acs-signature']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    let store: DeviceStore | null = null;
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queueRedis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    try {
      store = await openStore(databaseUrl);
      const hooks = new WebhookStore(store.sql);
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
      await hooks.create({ url, events: ['device.inform'], secret: 'idle-secret', filter: null, parameters: null, createdBy: 'test' });
      const emitter = new WebhookEmitter({ view: new SubscriptionView(hooks), redis, redisPrefix: prefix, queue: deliveryQueue(queueRedis, bullPrefix(prefix)), log: createLogger('silent') });
      // The process reads the subscriptions every second: emit until one event arrives.
      await until('a delivery from the idle process', async () => {
        if (got.length > 0) return true;
        await emitter.emit([{ event: 'device.inform', device: 'IDLE-1', time: Date.now(), data: {} }]);
        return false;
      }, 20_000);
      await emitter.close();
      assert.ok(verifySignature('idle-secret', got[0].body, got[0].signature), 'signed with the subscription secret');
      assert.equal((JSON.parse(got[0].body) as { device: string }).device, 'IDLE-1');
    } finally {
      redis.disconnect();
      queueRedis.disconnect();
      await store?.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('leaves a --role webhooks process in the normal policy with WEBHOOK_SCHEDULING=normal', async () => {
    const acs = await start('webhooks', { WEBHOOK_SCHEDULING: 'normal' });
    // Past the moment the idle policy would have been applied (a chrt run takes milliseconds).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual([...new Set(policies(acs.pid))], [SCHED_OTHER]);
    assert.ok(!acs.output.some((l) => l.includes('idle CPU policy')));
  });

  it('runs on at the normal policy, with a warning naming the setting, where chrt cannot be run', async () => {
    const acs = await start('webhooks', { PATH: '/nonexistent' });
    await until('the warning', async () => acs.output.some((l) => l.includes('WEBHOOK_SCHEDULING=idle not applied')));
    assert.deepEqual([...new Set(policies(acs.pid))], [SCHED_OTHER]);
  });

  it('never idles a worker, though it delivers webhooks too: sessions wait for its engine steps', async () => {
    const acs = await start('worker');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual([...new Set(policies(acs.pid))], [SCHED_OTHER]);
  });

  it('refuses a policy it does not know, naming the setting', async () => {
    await assert.rejects(start('webhooks', { WEBHOOK_SCHEDULING: 'fifo' }), /WEBHOOK_SCHEDULING=fifo: expected one of idle, normal/);
  });
});
