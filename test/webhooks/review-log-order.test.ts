/**
 * Review of the delivery log and the order markers (three findings), each
 * reproduced by calling the worker's and the fan-out's steps directly in
 * the order that shows it (no delivery worker runs in this suite):
 * - a worker holding a removed subscription in its cache (attempt.ts, up to
 *   a second) writes rows for it after its log was deleted: the purge must
 *   delete those orphans, and only those;
 * - a job of first attempts run again after a crash (rows written, job not
 *   completed) stores its series behind its own first run's pending
 *   delivery: those rows must not erase that delivery's attempt and error,
 *   nor turn a delivered row back into pending;
 * - after a fan-out lease handover, the old holder, finishing its read, set
 *   the "queued" marker back to a delivery the new holder had queued before
 *   later ones: the device's next series followed that one and could go
 *   before them (it found its row). It now follows the last queued and goes
 *   once that is handled, after the normal order wait. (The delay of up to
 *   the markers' 15 minutes the finding feared, the "queued" marker on a
 *   delivery the "handled" one never names, does not happen since a series
 *   also goes on its predecessor's log row: order.ts, waiting-marker.test.ts.)
 */
import { strict as assert } from 'node:assert';
import type { Job, Queue } from 'bullmq';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, WebhookStore, type AcsEvent } from '../../src/webhooks';
import type { DeliverJob, Series } from '../../src/webhooks/emitter';
import { queueDeliveries } from '../../src/webhooks/fan-out';
import { runFirstAttempts, type FirstAttemptContext } from '../../src/webhooks/first-attempt';
import { lastQueued, markQueued, ORDER_WAIT_MS } from '../../src/webhooks/order';
import type { Subscription } from '../../src/webhooks/types';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { Receiver, SECRET } from './receiver';

type FirstJob = Job<Extract<DeliverJob, { series: Series[] }>>;

/** A store whose list of subscriptions was read before the newest was created (the purge's race with a creation). */
class StaleListStore extends WebhookStore {
  hidden: number | null = null;
  override async list(): Promise<Subscription[]> {
    return (await super.list()).filter((s) => s.id !== this.hidden);
  }
}

describe('webhooks review: orphan rows, a job run again, a lease handover', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let store: StaleListStore;
  let redis: Redis;
  let ctx: FirstAttemptContext;
  let webhook = 0;
  const receiver = new Receiver();
  const log = createLogger('silent');
  const connect = () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const RETENTION_MS = 7 * 24 * 3600_000;
  const queues: Queue<DeliverJob>[] = [];
  /** A queue no worker reads: the jobs the steps queue stay there for the test to look at or run. */
  const idleQueue = (name: string) => {
    const q = deliveryQueue(connect(), `${bullPrefix(t.config.redisPrefix)}-${name}`);
    queues.push(q);
    return q;
  };
  const subscribe = async () => (await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' })).id;
  const series = (sub: number, device: string, after: string | null, id: string, n: number): Series => ({ webhook: sub, device, after, deliveries: [{ id, event: 'device.boot', time: Date.now(), data: { n } }] });
  const rowsOf = async (sub: number) => Number((await t.acs.store.sql.autocommit((db) => db.select('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ?', [sub])))[0].n);
  const firstCome = (device: string) => [...new Set(receiver.got.filter((g) => g.device === device).map((g) => g.id))];

  before(async () => {
    t = await startTestAcs('webhooks_review_log_order', {}, 'nbi');
    await receiver.open();
    redis = connect();
    store = new StaleListStore(t.acs.store.sql);
    webhook = await subscribe();
    ctx = { store, log, options: { timeoutMs: 2000, disableAfterMs: 60_000 }, queue: idleQueue('ctx'), redis, redisPrefix: t.config.redisPrefix, backoff: () => 100, orderWaitMs: ORDER_WAIT_MS };
  });
  afterEach(() => {
    receiver.refuse = () => false;
    store.hidden = null;
  });
  after(async () => {
    for (const q of queues) {
      await q.obliterate({ force: true });
      await q.close();
    }
    redis?.disconnect();
    await receiver.shut();
    await t?.stop();
  });

  it('purges the rows a worker wrote with its cached copy of a removed subscription, and keeps those of the others', async () => {
    const gone = await subscribe();
    const cached = '00000000-0000-8000-8000-00000000f101';
    const orphan = '00000000-0000-8000-8000-00000000f102';
    const kept = '00000000-0000-8000-8000-00000000f103';
    await runFirstAttempts(ctx, [series(gone, 'ORPHAN', null, cached, 1)], Date.now());
    await store.remove(gone);
    // Within the second the worker keeps the subscription: it still POSTs, and writes a row nobody lists.
    await runFirstAttempts(ctx, [series(gone, 'ORPHAN', cached, orphan, 2), series(webhook, 'ORPHAN', null, kept, 2)], Date.now());
    assert.equal((await store.delivery(orphan))?.webhook, gone, 'the orphan row (the finding)');
    await store.purge(Date.now() - RETENTION_MS, 5000);
    assert.equal(await rowsOf(gone), 0, 'no row of the removed subscription left');
    assert.equal((await store.delivery(kept))?.status, 'delivered', 'the kept subscription\'s row stays');
  });

  it('keeps the rows of a subscription created after the purge read the list', async () => {
    const created = await subscribe();
    const id = '00000000-0000-8000-8000-00000000f201';
    await runFirstAttempts(ctx, [series(created, 'NEWER', null, id, 1)], Date.now());
    store.hidden = created;
    await store.purge(Date.now() - RETENTION_MS, 5000);
    assert.equal((await store.delivery(id))?.status, 'delivered');
  });

  it('keeps a pending delivery\'s attempt and error when its job of first attempts is run again', async () => {
    const id = '00000000-0000-8000-8000-00000000f301';
    const s = series(webhook, 'RERUN', null, id, 1);
    receiver.refuse = (p) => p.device === 'RERUN';
    await runFirstAttempts(ctx, [s], Date.now());
    const first = await store.delivery(id);
    assert.deepEqual([first?.status, first?.attempts, first?.lastStatus, first?.lastError], ['pending', 1, 500, 'receiver answered 500']);
    // The worker died after the rows, before the job completed: BullMQ runs it again, which finds the delivery pending.
    await runFirstAttempts(ctx, [s], Date.now());
    assert.deepEqual(await store.delivery(id), first, 'the row as the attempt left it');
  });

  it('keeps a delivered row delivered when a job run again stores its series behind a later pending one', async () => {
    const device = 'RERUN-DELIVERED';
    const delivered = '00000000-0000-8000-8000-00000000f401';
    const failing = '00000000-0000-8000-8000-00000000f402';
    const s = series(webhook, device, null, delivered, 1);
    await runFirstAttempts(ctx, [s], Date.now());
    receiver.refuse = (p) => p.id === failing;
    await runFirstAttempts(ctx, [series(webhook, device, delivered, failing, 2)], Date.now());
    assert.equal((await store.delivery(failing))?.status, 'pending');
    const before = await store.delivery(delivered);
    assert.equal(before?.status, 'delivered');
    await runFirstAttempts(ctx, [s], Date.now());
    assert.deepEqual(await store.delivery(delivered), before);
  });

  it('after a lease handover, sends the device\'s next series after every delivery the new holder queued, within the normal order wait', async () => {
    const device = 'HANDOVER';
    const [sub] = (await store.list()).filter((s) => s.id === webhook);
    const entry = (n: number): [string, string[]] => [`1700000009000-${n}`, ['e', JSON.stringify([{ event: 'device.boot', device, time: Date.now(), data: { n } } satisfies AcsEvent])]];
    const fanOutQueue = idleQueue('handover');
    const deps = { redis, queue: fanOutQueue, log, redisPrefix: t.config.redisPrefix };
    // The old holder read entry 1 and read the markers, then stalled past its lease before queuing its job.
    let reached = () => undefined as void;
    let release = () => undefined as void;
    const atGate = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (release = r));
    // Only addBulk is called by queueDeliveries: a stand-in holding it back.
    const stalled = { addBulk: async (jobs: Parameters<Queue<DeliverJob>['addBulk']>[0]) => (reached(), await gate, fanOutQueue.addBulk(jobs)) } as unknown as Queue<DeliverJob>;
    const oldHolder = queueDeliveries({ ...deps, queue: stalled }, [entry(1)], [sub]);
    await atGate;
    // The new holder reads from the oldest entry left: 1 again, with 2; then 3.
    const [d1, d2] = await queueDeliveries(deps, [entry(1), entry(2)], [sub]);
    const [d3] = await queueDeliveries(deps, [entry(3)], [sub]);
    // The old holder finishes: its job, its "queued" marker.
    release();
    await oldHolder;
    const [d4] = await queueDeliveries(deps, [entry(4)], [sub]);
    const jobs = await fanOutQueue.getJobs(['waiting']);
    const jobOf = (...ids: string[]) => {
      const found = jobs.find((j) => 'series' in j.data && JSON.stringify(j.data.series.flatMap((s) => s.deliveries.map((d) => d.id))) === JSON.stringify(ids));
      assert.ok(found, `a job of ${ids.join(', ')}`);
      return found as FirstJob;
    };
    const run = (job: FirstJob) => runFirstAttempts(ctx, job.data.series, job.data.queuedAt, job.data.waitingSince);
    // The new holder's job, then the old holder's (a duplicate of d1, under its id), then the next series before d3's.
    await run(jobOf(d1, d2));
    await run(jobOf(d1));
    await run(jobOf(d4));
    assert.deepEqual(firstCome(device), [d1, d2], 'd4 waits for d3, queued before it');
    const waiting = (await ctx.queue.getJobs(['delayed'])).find((j) => 'series' in j.data && j.data.series.some((s) => s.deliveries.some((d) => d.id === d4)));
    assert.ok(waiting, 'd4 in a job of waiting series');
    assert.ok((waiting.opts.delay ?? Infinity) <= ORDER_WAIT_MS, `it looks again after the normal order wait (${waiting.opts.delay} ms)`);
    await run(jobOf(d3));
    await run(waiting as FirstJob);
    assert.deepEqual(firstCome(device), [d1, d2, d3, d4], 'each delivered, in order, on its first look after its predecessor');
  });

  it('moves a "queued" marker on to a later event\'s delivery only, and replaces one of an older version (the delivery alone)', async () => {
    const at = (device: string, id: string) => series(webhook, device, null, id, 1);
    const place = new Map([['a', '1700000009100-5/0'], ['b', '1700000009100-5/1'], ['c', '1700000009099-9/3']]);
    const placeOf = (id: string) => place.get(id) ?? '';
    await markQueued(redis, t.config.redisPrefix, [at('MARK', 'b')], placeOf);
    await markQueued(redis, t.config.redisPrefix, [at('MARK', 'a')], placeOf);
    await markQueued(redis, t.config.redisPrefix, [at('MARK', 'c')], placeOf);
    assert.deepEqual(await lastQueued(redis, t.config.redisPrefix, [at('MARK', 'x')]), ['b']);
    await redis.set(`${t.config.redisPrefix}webhooks:{order}:queued:${webhook}:OLD`, 'old-delivery');
    assert.deepEqual(await lastQueued(redis, t.config.redisPrefix, [at('OLD', 'x')]), ['old-delivery']);
    await markQueued(redis, t.config.redisPrefix, [at('OLD', 'c')], placeOf);
    assert.deepEqual(await lastQueued(redis, t.config.redisPrefix, [at('OLD', 'x')]), ['c']);
  });
});
