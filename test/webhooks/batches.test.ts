/**
 * Deliveries in batches (bench (w)): the fan-out stores the deliveries of the
 * events emitted together in one INSERT and queues them as one job; the
 * worker sends a batch's deliveries of one device one after the other, behind
 * any earlier pending one of that device outside the batch, and hands what it
 * could not deliver to a job of its own. Each arrives once, a device's in
 * order. The emitter's view of the subscriptions is never older than its
 * refresh period, even after a quiet spell.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, startDeliveryWorker, SubscriptionView, WebhookEmitter, WebhookStore, type AcsEvent } from '../../src/webhooks';
import { REFRESH_MS } from '../../src/webhooks/subscriptions';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { Receiver, SECRET } from './receiver';

describe('webhooks: deliveries in batches', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let store: WebhookStore;
  let emitter: WebhookEmitter;
  let worker: { close(): Promise<void> } | null = null;
  let workerView: SubscriptionView | null = null;
  const receiver = new Receiver();
  const log = createLogger('silent');
  const connect = () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });

  before(async () => {
    // No worker role: the only delivery worker is the one started below, after the deliveries are queued.
    t = await startTestAcs('webhooks_batches', {}, 'nbi');
    await receiver.open();
    store = new WebhookStore(t.acs.store.sql);
    const queue = deliveryQueue(connect(), bullPrefix(t.config.redisPrefix));
    emitter = new WebhookEmitter({ view: new SubscriptionView(store), redis: connect(), redisPrefix: t.config.redisPrefix, queue, log });
  });
  after(async () => {
    await worker?.close();
    await emitter?.close();
    await receiver.shut();
    await t?.stop();
  });

  const inform = (device: string, n: number): AcsEvent => ({ event: 'device.inform', device, time: Date.now(), data: { n } });
  const ofDevice = (device: string) => receiver.got.filter((g) => g.device === device).map((g) => g.data.n);
  const startWorker = () => {
    const options = { timeoutMs: 2000, retryBaseMs: 100, maxRetryMs: 200, disableAfterMs: 60_000, retentionMs: 7 * 24 * 3600_000 };
    workerView = new SubscriptionView(store);
    worker = startDeliveryWorker({ connect, prefix: bullPrefix(t.config.redisPrefix), redisPrefix: t.config.redisPrefix, view: workerView, store, log, options });
  };

  it('sends a batch\'s deliveries of a device in order, behind an earlier pending one outside the batch, each once', async () => {
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['device.inform'], secret: SECRET }) });
    assert.equal(r.status, 201);
    const { id } = (await r.json()) as { id: number };
    emitter.refresh();
    // D's first delivery is stored without a job (as if its job were slow to come): the batch after it must wait for it.
    const [first] = await store.addDeliveries([{ webhook: id, event: inform('D', 1) }]);
    // A device's second failure-free batch, another device, and D again: one emit, one job.
    await emitter.emit([inform('D', 2), inform('E', 1), inform('D', 3)]);
    startWorker();
    await until('E\'s delivery', async () => ofDevice('E').length === 1);
    await sleep(1000);
    assert.deepEqual(ofDevice('D'), [], 'D\'s batch waits for its earlier delivery');
    const waiting = await store.pending([first]);
    assert.equal(waiting.length, 1);
    assert.equal(waiting[0].waits, false, 'the earliest one waits for nothing');

    await emitter.requeue([first]);
    await until('D\'s deliveries', async () => ofDevice('D').length >= 3);
    await sleep(1000);
    assert.deepEqual(ofDevice('D'), [1, 2, 3], 'in order, each once');
    assert.equal(new Set(receiver.got.map((g) => g.id)).size, receiver.got.length, 'no delivery twice');
    assert.equal(receiver.bad, 0);
    assert.deepEqual(await store.pending(receiver.got.map((g) => g.id)), [], 'all delivered');
  });

  it('holds back the rest of a device\'s batch behind a failed delivery, which is retried; each arrives once, in order', async () => {
    const failOnce = new Set<number>([1]);
    receiver.refuse = (p) => p.device === 'F' && failOnce.delete(p.data.n as number);
    await emitter.emit([inform('F', 1), inform('F', 2), inform('G', 1), inform('F', 3)]);
    await until('F\'s deliveries', async () => ofDevice('F').length >= 3);
    await sleep(1000);
    assert.equal(receiver.refused.length, 1, 'the first attempt was refused');
    assert.deepEqual(ofDevice('F'), [1, 2, 3], 'the later ones waited for the retried one');
    assert.deepEqual(ofDevice('G'), [1], 'another device did not wait');
    const retried = await store.delivery(receiver.refused[0].id);
    assert.equal(retried?.status, 'delivered');
    assert.equal(retried?.attempts, 2);
    assert.equal(new Set(receiver.got.map((g) => g.id)).size, receiver.got.length, 'no delivery twice');
  });

  it('keeps, of a parameter.changed event of thousands of changes, the ones subscriptions name: one named last is not cut off', async () => {
    const sub = await store.create({ url: receiver.url(), events: ['parameter.changed'], secret: SECRET, filter: null, parameters: ['Device.Z.Wanted', 'Device.Y.'], createdBy: 'test' });
    if (!worker) startWorker();
    // Told at once, as the process that made a subscription is (others see it within their refresh period).
    emitter.refresh();
    workerView?.refresh();
    await until('the subscription seen', async () => emitter.wants('parameter.changed') && (await workerView!.current()).some((x) => x.id === sub.id));
    // A whole model refreshed: 3,000 counters changed, then the two the subscription names.
    const changes = [
      ...Array.from({ length: 3000 }, (_, i) => ({ path: `Device.Stats.${i}.Bytes`, old: '0', value: String(i) })),
      { path: 'Device.Y.Z', old: 'a', value: 'b' },
      { path: 'Device.Z.Wanted', old: 'off', value: 'on' },
    ];
    await emitter.emit([{ event: 'parameter.changed', device: 'P', time: Date.now(), data: { sessionId: 's-p', changes } }]);
    await until('the parameter.changed delivery', async () => receiver.got.some((g) => g.device === 'P'));
    await sleep(500);
    const got = receiver.got.filter((g) => g.device === 'P');
    assert.equal(got.length, 1);
    assert.deepEqual(got[0].data.changes, [{ path: 'Device.Y.Z', old: 'a', value: 'b' }, { path: 'Device.Z.Wanted', old: 'off', value: 'on' }]);
    await store.remove(sub.id);
  });

  it('gives up an attempt the receiver does not answer within the timeout, saying so', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      const sub = await store.create({ url, events: ['device.fault'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' });
      const [id] = await store.addDeliveries([{ webhook: sub.id, event: { event: 'device.fault', device: 'S', time: Date.now(), data: {} } }]);
      await emitter.requeue([id]);
      await until('the timed-out attempt', async () => ((await store.delivery(id))?.attempts ?? 0) >= 1, 10_000);
      const d = await store.delivery(id);
      assert.equal(d?.status, 'pending', 'retried later');
      assert.equal(d?.lastError, 'no answer within 2000 ms');
      await store.remove(sub.id);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('emitSoon builds and sends the events once the I/O under way is done, not at the call; a builder that throws is logged, nothing crashes', async () => {
    let built = 0;
    const logged: string[] = [];
    const error = log.error;
    // pino's error(obj, msg): the line the emitter writes, caught here.
    log.error = ((_obj: unknown, msg?: string) => void logged.push(String(msg))) as unknown as typeof log.error;
    try {
      emitter.emitSoon(() => {
        throw new Error('a bad builder');
      });
      emitter.emitSoon(() => (built++, [inform('SOON', 1)]));
      assert.equal(built, 0, 'not built at the call');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(built, 1, 'built right after');
      assert.deepEqual(logged, ['webhook events not built']);
    } finally {
      log.error = error;
    }
    await until('its delivery', async () => ofDevice('SOON').length === 1);
    assert.deepEqual(ofDevice('SOON'), [1]);
  });

  it('sees a subscription made by another process within its refresh period, with no event in between', async () => {
    assert.equal(emitter.wants('device.boot'), false);
    // Made through the store, as another process would: this emitter is not told.
    await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' });
    await sleep(REFRESH_MS + 500);
    assert.equal(emitter.wants('device.boot'), true, 'the first event after a quiet spell is judged by a fresh view');
  });
});
