/**
 * A series whose predecessor's "handled" marker is gone (it expired: the
 * device's events came just under the markers' life apart) or names another
 * series (its predecessor went late, leaving no marker): its predecessor's
 * row in the delivery log says it was handled, and the series goes at once,
 * not after the markers' 15 minutes. One SELECT for the job, on that slow
 * path only; with no row it still waits (order kept).
 */
import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, startDeliveryWorker, SubscriptionView, WebhookStore } from '../../src/webhooks';
import { firstAttemptsJob, type Series } from '../../src/webhooks/emitter';
import { markHandled } from '../../src/webhooks/order';
import type { LogRow } from '../../src/webhooks/store';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { Receiver, SECRET } from './receiver';

/** Counts the delivery log's reads by id (the slow path's SELECT). */
class CountingStore extends WebhookStore {
  lookups: string[][] = [];
  override async logged(ids: string[]): Promise<Set<string>> {
    this.lookups.push(ids);
    return super.logged(ids);
  }
}

describe('webhooks: a series whose predecessor\'s marker expired', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let store: CountingStore;
  let redis: Redis;
  let webhook = 0;
  let worker: { close(): Promise<void> } | null = null;
  const receiver = new Receiver();
  const log = createLogger('silent');
  const connect = () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const options = { timeoutMs: 2000, retryBaseMs: 100, maxRetryMs: 200, disableAfterMs: 60_000, retentionMs: 7 * 24 * 3600_000 };
  const prefix = () => bullPrefix(t.config.redisPrefix);
  const handledKey = (device: string) => `${t.config.redisPrefix}webhooks:{order}:handled:${webhook}:${device}`;
  const firstCome = (device: string) => [...new Set(receiver.got.filter((g) => g.device === device).map((g) => g.id))];
  const delivery = (id: string, n: number) => ({ id, event: 'device.boot' as const, time: Date.now(), data: { n } });
  const series = (device: string, after: string | null, id: string, n: number): Series => ({ webhook, device, after, deliveries: [delivery(id, n)] });
  /** The predecessor's row as its job wrote it when it was handled. */
  const row = (device: string, id: string, status: LogRow['status']): LogRow => ({
    id, webhook, event: 'device.boot', device, time: Date.now() - 14 * 60_000, body: '{}', status, attempts: 1, lastStatus: status === 'delivered' ? 204 : 500, lastError: null, deliveredAt: status === 'delivered' ? Date.now() - 14 * 60_000 : null,
  });
  const queueJob = async (s: Series) => {
    const queue = deliveryQueue(connect(), prefix());
    await queue.addBulk([firstAttemptsJob([s], Date.now())]);
    await queue.close();
  };

  before(async () => {
    // No worker role: the only delivery worker is this suite's.
    t = await startTestAcs('webhooks_waiting_marker', {}, 'nbi');
    await receiver.open();
    redis = connect();
    store = new CountingStore(t.acs.store.sql);
    webhook = (await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' })).id;
    worker = startDeliveryWorker({ connect, prefix: prefix(), redisPrefix: t.config.redisPrefix, view: new SubscriptionView(store), store, log, options });
  });
  beforeEach(() => {
    store.lookups = [];
  });
  after(async () => {
    await worker?.close();
    redis?.disconnect();
    await receiver.shut();
    await t?.stop();
  });

  it('sends at once a series whose predecessor was delivered but whose marker expired, with one SELECT, and marks it', async () => {
    const device = 'EXPIRED';
    const predecessor = '00000000-0000-8000-8000-0000000cc001';
    const next = '00000000-0000-8000-8000-0000000cc002';
    // Handled 14 minutes ago: its row is there, its "handled" marker gone (expired), its "queued" one still naming it.
    await store.writeLog([row(device, predecessor, 'delivered')]);
    assert.equal(await redis.get(handledKey(device)), null);
    await queueJob(series(device, predecessor, next, 2));
    await until('the next series\' delivery', async () => firstCome(device).includes(next), 5000);
    await until('its row', async () => (await store.delivery(next))?.status === 'delivered');
    assert.deepEqual(store.lookups, [[predecessor]], 'one SELECT, of the predecessor');
    assert.equal(await redis.get(handledKey(device)), next, 'the series after it follows the marker again');
  });

  it('sends a series whose predecessor failed and left no marker, leaving the marker naming another series alone', async () => {
    const device = 'NAMES-OTHER';
    const other = '00000000-0000-8000-8000-0000000dd000';
    const predecessor = '00000000-0000-8000-8000-0000000dd001';
    const next = '00000000-0000-8000-8000-0000000dd002';
    // The predecessor went late (no marker) and was given up; the marker still names the series before it.
    await markHandled(redis, t.config.redisPrefix, [series(device, null, other, 0)]);
    await store.writeLog([row(device, predecessor, 'failed')]);
    await queueJob(series(device, predecessor, next, 2));
    await until('the next series\' delivery', async () => firstCome(device).includes(next), 5000);
    await until('its row', async () => (await store.delivery(next))?.status === 'delivered');
    assert.deepEqual(store.lookups, [[predecessor]]);
    assert.equal(await redis.get(handledKey(device)), other);
  });

  it('keeps a series waiting while its predecessor has neither marker nor row, then sends it after it', async () => {
    const device = 'UNHANDLED';
    const predecessor = '00000000-0000-8000-8000-0000000ee001';
    const next = '00000000-0000-8000-8000-0000000ee002';
    await queueJob(series(device, predecessor, next, 2));
    await sleep(1500);
    assert.deepEqual(firstCome(device), [], 'it waits for its predecessor');
    assert.ok(store.lookups.length >= 1 && store.lookups.every((ids) => ids.length === 1 && ids[0] === predecessor), 'one SELECT per look, of the predecessor');
    await queueJob(series(device, null, predecessor, 1));
    await until('both deliveries', async () => firstCome(device).length === 2, 10_000);
    assert.deepEqual(firstCome(device), [predecessor, next]);
  });
});
