/**
 * Which processes deliver webhooks: a worker with WORKER_DELIVERS_WEBHOOKS=false
 * leaves them to `--role webhooks` processes, which deliver nothing else.
 */
import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import { deliveryQueue, SubscriptionView, WebhookEmitter, WebhookStore } from '../../src/webhooks';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { Receiver, SECRET } from './receiver';

describe('webhooks: the webhooks role', function () {
  this.timeout(60_000);
  let nbi: TestAcs;
  let worker: TestAcs | null = null;
  let webhooks: TestAcs | null = null;
  let emitter: WebhookEmitter;
  const receiver = new Receiver();
  const log = createLogger('silent');
  const connect = () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });

  before(async () => {
    nbi = await startTestAcs('webhooks_roles', {}, 'nbi');
    await receiver.open();
    const same = { databaseUrl: nbi.config.databaseUrl, redisPrefix: nbi.config.redisPrefix };
    worker = await startTestAcs('webhooks_roles', { ...same, workerDeliversWebhooks: false }, 'worker');
    const store = new WebhookStore(nbi.acs.store.sql);
    const queue = deliveryQueue(connect(), bullPrefix(nbi.config.redisPrefix));
    emitter = new WebhookEmitter({ view: new SubscriptionView(store), redis: connect(), redisPrefix: nbi.config.redisPrefix, queue, log });
    const r = await nbi.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['device.boot'], secret: SECRET }) });
    assert.equal(r.status, 201);
    emitter.refresh();
  });
  after(async () => {
    await emitter?.close();
    await webhooks?.stop();
    await worker?.stop();
    await receiver.shut();
    await nbi?.stop();
  });

  it('delivers nothing from a worker told to leave deliveries to the webhooks role, then everything once a webhooks process runs', async () => {
    await emitter.emit([{ event: 'device.boot', device: 'R1', time: Date.now(), data: { n: 1 } }]);
    await sleep(1500);
    assert.equal(receiver.got.length, 0, 'the worker delivered nothing');
    webhooks = await startTestAcs('webhooks_roles', { databaseUrl: nbi.config.databaseUrl, redisPrefix: nbi.config.redisPrefix }, 'webhooks');
    assert.equal(webhooks.acs.cwmpPort, null, 'no CWMP server in a webhooks process');
    assert.equal(webhooks.acs.nbiPort, null, 'no REST API in a webhooks process');
    await until('the delivery', async () => receiver.got.length === 1);
    assert.equal(receiver.got[0].device, 'R1');
    assert.equal(receiver.bad, 0);
  });
});
