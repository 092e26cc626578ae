/**
 * Review of first attempts (issue 10): a job of first attempts (as a version
 * before 2026-12-05 queued them, found after an upgrade) whose worker died
 * twice while holding it (a crash loop under a storm, say) is still a job to
 * run. Its deliveries are in Redis only (nothing is stored before a first
 * attempt): were BullMQ to fail it for stalling ("job stalled more than
 * allowable limit", after one stall by default), they would be lost, with no
 * row for the rescue to find. The stalls are real: a worker takes the
 * job and lets its lock lapse; the second stall is found by the delivery
 * worker's own stalled check (every 30 s), so this suite takes that long.
 */
import { strict as assert } from 'node:assert';
import { Worker } from 'bullmq';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, startDeliveryWorker, SubscriptionView, WEBHOOK_QUEUE, WebhookStore } from '../../src/webhooks';
import type { DeliverJob } from '../../src/webhooks/emitter';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { Receiver, SECRET } from './receiver';

describe('webhooks review: a job of first attempts that stalled twice', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let worker: { close(): Promise<void> } | null = null;
  const receiver = new Receiver();
  const log = createLogger('silent');
  const connect = () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });

  before(async () => {
    t = await startTestAcs('webhooks_review_stalled', {}, 'nbi');
    await receiver.open();
  });
  after(async () => {
    await worker?.close();
    await receiver.shut();
    await t?.stop();
  });

  it('is run again and its delivery sent, not failed for stalling', async () => {
    const prefix = bullPrefix(t.config.redisPrefix);
    const store = new WebhookStore(t.acs.store.sql);
    const webhook = (await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' })).id;
    const id = '00000000-0000-8000-8000-0000000057a1';
    const queue = deliveryQueue(connect(), prefix);
    // As the older version queued it: series with `after`, and the time they were queued.
    const data = { series: [{ webhook, device: 'STALL', after: null, deliveries: [{ id, event: 'device.boot', time: Date.now(), data: { n: 1 } }] }], queuedAt: Date.now() };
    await queue.add('first', data as unknown as DeliverJob, { jobId: 'first-stalled' });
    // A worker that takes the job and dies: its lock lapses.
    const dying = new Worker<DeliverJob>(WEBHOOK_QUEUE, null, { connection: connect(), prefix, lockDuration: 300, autorun: false });
    assert.equal((await dying.getNextJob('first-holder'))?.id, 'first-stalled');
    await sleep(400);
    // The first stall, found by another worker's stalled check (marked, then moved back to wait).
    const checker = new Worker<DeliverJob>(WEBHOOK_QUEUE, null, { connection: connect(), prefix, stalledInterval: 50, autorun: false });
    await checker.startStalledCheckTimer();
    await until('the first stall found', async () => (await queue.getJobState('first-stalled')) === 'waiting', 5000);
    await checker.close(true);
    // Taken again, and its worker dies again.
    assert.equal((await dying.getNextJob('second-holder'))?.id, 'first-stalled');
    await sleep(400);
    await dying.close(true);
    // The delivery worker finds the second stall itself.
    worker = startDeliveryWorker({ connect, prefix, redisPrefix: t.config.redisPrefix, view: new SubscriptionView(store), store, log, options: { timeoutMs: 2000, retryBaseMs: 100, maxRetryMs: 200, disableAfterMs: 60_000, retentionMs: 7 * 24 * 3600_000 } });
    await until('the delivery, or the job failed', async () => receiver.got.some((g) => g.id === id) || (await queue.getJobState('first-stalled')) === 'failed', 90_000);
    const failed = await queue.getJob('first-stalled');
    await queue.close();
    assert.ok(receiver.got.some((g) => g.id === id), `delivered (the job: ${failed?.failedReason ?? 'done'})`);
    await until('its row', async () => (await store.delivery(id))?.status === 'delivered');
  });
});
