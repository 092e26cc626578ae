/**
 * Review of first attempts (issue 10), cases the other suites leave out:
 * - the fan-out reads entries again after queuing them (its handle failed
 *   after the jobs were queued, or the lease changed hands mid-read), and
 *   finds a later entry with them while the first read's job still waits:
 *   the later entry's delivery must be queued too, not dropped as a twin of
 *   that job;
 * - a job of first attempts held up past the order markers' life (its
 *   predecessor's job was retried while the database was down, and a later
 *   series of the device went meanwhile): it must go, not wait for a marker
 *   that will never name its predecessor again, and must not move the
 *   device's marker back behind the series that went before it.
 */
import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, startDeliveryWorker, SubscriptionView, WebhookStore, type AcsEvent } from '../../src/webhooks';
import { firstAttemptsJob, type Series } from '../../src/webhooks/emitter';
import { queueDeliveries } from '../../src/webhooks/fan-out';
import { markHandled, ORDER_TTL_MS } from '../../src/webhooks/order';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { Receiver, SECRET } from './receiver';

describe('webhooks review: first attempts across re-reads and late jobs', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let store: WebhookStore;
  let redis: Redis;
  let webhook = 0;
  const workers: { close(): Promise<void> }[] = [];
  const receiver = new Receiver();
  const log = createLogger('silent');
  const connect = () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const options = { timeoutMs: 2000, retryBaseMs: 100, maxRetryMs: 200, disableAfterMs: 60_000, retentionMs: 7 * 24 * 3600_000 };
  const prefix = () => bullPrefix(t.config.redisPrefix);
  const startWorker = () => workers.push(startDeliveryWorker({ connect, prefix: prefix(), redisPrefix: t.config.redisPrefix, view: new SubscriptionView(store), store, log, options }));
  const boot = (device: string, n: number): AcsEvent => ({ event: 'device.boot', device, time: Date.now(), data: { n } });
  const ofDevice = (device: string) => receiver.got.filter((g) => g.device === device);
  /** The ids a device's receiver got, each once, in the order each first came. */
  const firstCome = (device: string) => [...new Set(ofDevice(device).map((g) => g.id))];

  before(async () => {
    // No worker role: the only delivery workers are this suite's.
    t = await startTestAcs('webhooks_review_first', {}, 'nbi');
    await receiver.open();
    redis = connect();
    store = new WebhookStore(t.acs.store.sql);
    webhook = (await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' })).id;
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
  });
  after(async () => {
    redis?.disconnect();
    await receiver.shut();
    await t?.stop();
  });

  it('queues the deliveries of entries found after those read again while the first read\'s job waits', async () => {
    const subs = await store.list();
    const queue = deliveryQueue(connect(), prefix());
    const deps = { redis, queue, log, redisPrefix: t.config.redisPrefix };
    const first: [string, string[]] = ['1700000000000-1', ['e', JSON.stringify([boot('R', 1)])]];
    const later: [string, string[]] = ['1700000000000-2', ['e', JSON.stringify([boot('R', 2)])]];
    // No worker yet: the first read's job waits. The read again finds the later entry too.
    const [d1] = await queueDeliveries(deps, [first], subs);
    const [again, d2] = await queueDeliveries(deps, [first, later], subs);
    await queue.close();
    assert.equal(again, d1, 'the same id for the entry read twice');
    startWorker();
    await until('R\'s second delivery', async () => firstCome('R').length === 2);
    assert.deepEqual(firstCome('R'), [d1, d2], 'each delivered, in order');
  });

  it('sends a series held up past the markers\' life although a later series of its device went first, and leaves that one\'s marker', async () => {
    const device = 'LATE';
    const delivery = (id: string, n: number) => ({ id, event: 'device.boot' as const, time: Date.now(), data: { n } });
    const series = (after: string | null, id: string, n: number): Series => ({ webhook, device, after, deliveries: [delivery(id, n)] });
    // The later series went (its job was old enough) and left its marker; this one still follows its own predecessor.
    const wentFirst = '00000000-0000-8000-8000-00000000aa02';
    await markHandled(redis, t.config.redisPrefix, [series(null, wentFirst, 2)]);
    const queue = deliveryQueue(connect(), prefix());
    const late = '00000000-0000-8000-8000-00000000aa01';
    const longAgo = Date.now() - ORDER_TTL_MS - 60_000;
    // Queued long ago, and found waiting long ago: its job of waiting series.
    await queue.addBulk([firstAttemptsJob([series('00000000-0000-8000-8000-00000000aa00', late, 1)], longAgo, {}, longAgo)]);
    startWorker();
    await until('the late series\' delivery', async () => firstCome(device).includes(late));
    // The device's next series follows the one that went first: it goes at once, not after the markers' life.
    const next = '00000000-0000-8000-8000-00000000aa03';
    await queue.addBulk([firstAttemptsJob([series(wentFirst, next, 3)], Date.now())]);
    await queue.close();
    await until('the next series\' delivery', async () => firstCome(device).includes(next), 5000);
    assert.equal((await store.delivery(late))?.status, 'delivered');
    assert.equal((await store.delivery(next))?.status, 'delivered');
  });

  it('keeps a device\'s order behind a backlog older than the markers: a series whose predecessor is still being handled waits for it', async () => {
    const device = 'BACKLOG';
    const delivery = (id: string, n: number) => ({ id, event: 'device.boot' as const, time: Date.now(), data: { n } });
    const series = (after: string | null, id: string, n: number): Series => ({ webhook, device, after, deliveries: [delivery(id, n)] });
    const handledBefore = '00000000-0000-8000-8000-00000000bb00';
    const predecessor = '00000000-0000-8000-8000-00000000bb01';
    const follower = '00000000-0000-8000-8000-00000000bb02';
    await markHandled(redis, t.config.redisPrefix, [series(null, handledBefore, 0)]);
    // Its job ran only now, long after it was queued: the predecessor's job is running beside it (not yet handled).
    const queue = deliveryQueue(connect(), prefix());
    await queue.addBulk([firstAttemptsJob([series(predecessor, follower, 2)], Date.now() - ORDER_TTL_MS - 60_000)]);
    startWorker();
    await sleep(1500);
    assert.deepEqual(firstCome(device), [], 'it waits for its predecessor');
    await queue.addBulk([firstAttemptsJob([series(handledBefore, predecessor, 1)], Date.now() - ORDER_TTL_MS - 60_000)]);
    await queue.close();
    await until('both deliveries', async () => firstCome(device).length === 2);
    assert.deepEqual(firstCome(device), [predecessor, follower]);
  });
});
