/**
 * A delivery the receiver refuses is tried again after WEBHOOK_RETRY_BASE_MS,
 * then twice as long each time up to WEBHOOK_RETRY_MAX_MS (issue 10 §2:
 * exponential backoff). Only lower bounds are asserted: a loaded machine makes
 * a retry later, never earlier, and a backoff that did not grow fails them.
 */
import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, startDeliveryWorker, SubscriptionView, WebhookEmitter, WebhookStore } from '../../src/webhooks';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { until } from '../helpers/wait';
import { Receiver, SECRET } from './receiver';

const BASE_MS = 250;
const MAX_MS = 1000;

describe('webhooks: retries back off exponentially, up to the maximum', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let emitter: WebhookEmitter;
  let worker: { close(): Promise<void> } | null = null;
  let workerView: SubscriptionView;
  const receiver = new Receiver();
  const arrivals: number[] = [];
  const log = createLogger('silent');
  const connect = () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });

  before(async () => {
    // No worker role: the only delivery worker is this test's, with its own retry settings.
    t = await startTestAcs('webhooks_backoff', {}, 'nbi');
    await receiver.open();
    const store = new WebhookStore(t.acs.store.sql);
    emitter = new WebhookEmitter({ view: new SubscriptionView(store), redis: connect(), redisPrefix: t.config.redisPrefix, queue: deliveryQueue(connect(), bullPrefix(t.config.redisPrefix)), log });
    const options = { timeoutMs: 2000, retryBaseMs: BASE_MS, maxRetryMs: MAX_MS, disableAfterMs: 60_000, retentionMs: 3600_000 };
    workerView = new SubscriptionView(store);
    worker = startDeliveryWorker({ connect, prefix: bullPrefix(t.config.redisPrefix), redisPrefix: t.config.redisPrefix, view: workerView, store, log, options });
  });
  after(async () => {
    await worker?.close();
    await emitter?.close();
    await receiver.shut();
    await t?.stop();
  });

  it('waits 250, 500, 1000, 1000 ms (at least) between the attempts of a refused delivery, then delivers it once', async () => {
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['device.boot'], secret: SECRET }) });
    assert.equal(r.status, 201);
    // Refused four times, then taken.
    receiver.refuse = () => {
      arrivals.push(Date.now());
      return arrivals.length <= 4;
    };
    // Told at once, as the process that made a subscription is (others see it within their refresh period).
    emitter.refresh();
    workerView.refresh();
    const { id } = (await r.json()) as { id: number };
    await until('the subscription seen', async () => emitter.wants('device.boot') && (await workerView.current()).some((s) => s.id === id));
    await emitter.emit([{ event: 'device.boot', device: 'B', time: Date.now(), data: {} }]);
    await until('the delivery taken', async () => receiver.got.length === 1, 20_000).catch((e: Error) => { throw new Error(`${e.message}: attempts at +${arrivals.map((a) => a - arrivals[0]).join(', +')} ms`); });
    const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]);
    assert.equal(gaps.length, 4, `attempts at ${JSON.stringify(arrivals)}`);
    const least = [BASE_MS, 2 * BASE_MS, MAX_MS, MAX_MS];
    gaps.forEach((gap, i) => assert.ok(gap >= least[i] * 0.95, `gap ${i + 1}: ${gap} ms, at least ${least[i]} expected (gaps ${gaps.join(', ')})`));
    assert.equal(receiver.refused.length, 4);
    assert.equal(new Set([...receiver.refused, ...receiver.got].map((g) => g.id)).size, 1, 'one delivery, tried five times');
    assert.equal(receiver.bad, 0);
  });
});
