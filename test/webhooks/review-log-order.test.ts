/**
 * Review of the delivery log (two findings), each reproduced by running the
 * first attempts' steps directly in the order that shows it (no delivery
 * worker runs in this suite):
 * - a worker holding a removed subscription in its cache (attempt.ts, up to
 *   a second) writes rows for it after its log was deleted: the purge must
 *   delete those orphans, and only those;
 * - first attempts made again (a holder died after writing the rows, before
 *   deleting the events; the next reads them again) store their series
 *   behind the first run's pending delivery: those rows must not erase that
 *   delivery's attempt and error, nor turn a delivered row back into pending.
 */
import { strict as assert } from 'node:assert';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, WebhookStore } from '../../src/webhooks';
import { ORDER_WAIT_MS } from '../../src/webhooks/deliver';
import type { DeliverJob, Series } from '../../src/webhooks/emitter';
import { FirstAttempts, type FirstAttemptContext } from '../../src/webhooks/first-attempt';
import { PendingView } from '../../src/webhooks/pending-view';
import type { Subscription } from '../../src/webhooks/types';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { Receiver, SECRET } from './receiver';

/** A store whose list of subscriptions was read before the newest was created (the purge's race with a creation). */
class StaleListStore extends WebhookStore {
  hidden: number | null = null;
  override async list(): Promise<Subscription[]> {
    return (await super.list()).filter((s) => s.id !== this.hidden);
  }
}

describe('webhooks review: orphan rows, first attempts made again', function () {
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
  const series = (sub: number, device: string, id: string, n: number): Series => ({ webhook: sub, device, deliveries: [{ id, event: 'device.boot', time: Date.now(), data: { n } }] });
  /** A holder's first attempts of `all`, to the end (entries of a stream nobody reads). */
  const runFirstAttempts = async (all: Series[]) => {
    const attempts = new FirstAttempts(ctx, { redis, stream: `${t.config.redisPrefix}review-log-order`, log });
    await attempts.start([], all.map((s) => ({ ...s, entries: s.deliveries.map(() => '1-0') })));
    await attempts.close();
  };
  const rowsOf = async (sub: number) => Number((await t.acs.store.sql.autocommit((db) => db.select('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ?', [sub])))[0].n);

  before(async () => {
    t = await startTestAcs('webhooks_review_log_order', {}, 'nbi');
    await receiver.open();
    redis = connect();
    store = new StaleListStore(t.acs.store.sql);
    webhook = await subscribe();
    const pending = new PendingView({ redis, key: `${t.config.redisPrefix}pending`, store, holds: async () => true });
    ctx = { store, log, options: { timeoutMs: 2000, disableAfterMs: 60_000 }, queue: idleQueue('ctx'), backoff: () => 100, orderWaitMs: ORDER_WAIT_MS, pending };
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
    await runFirstAttempts([series(gone, 'ORPHAN', cached, 1)]);
    await store.remove(gone);
    // Within the second the worker keeps the subscription: it still POSTs, and writes a row nobody lists.
    await runFirstAttempts([series(gone, 'ORPHAN', orphan, 2), series(webhook, 'ORPHAN', kept, 2)]);
    assert.equal((await store.delivery(orphan))?.webhook, gone, 'the orphan row (the finding)');
    await store.purge(Date.now() - RETENTION_MS, 5000);
    assert.equal(await rowsOf(gone), 0, 'no row of the removed subscription left');
    assert.equal((await store.delivery(kept))?.status, 'delivered', 'the kept subscription\'s row stays');
  });

  it('keeps the rows of a subscription created after the purge read the list', async () => {
    const created = await subscribe();
    const id = '00000000-0000-8000-8000-00000000f201';
    await runFirstAttempts([series(created, 'NEWER', id, 1)]);
    store.hidden = created;
    await store.purge(Date.now() - RETENTION_MS, 5000);
    assert.equal((await store.delivery(id))?.status, 'delivered');
  });

  it('keeps a pending delivery\'s attempt and error when its first attempt is made again', async () => {
    const id = '00000000-0000-8000-8000-00000000f301';
    const s = series(webhook, 'RERUN', id, 1);
    receiver.refuse = (p) => p.device === 'RERUN';
    await runFirstAttempts([s]);
    const first = await store.delivery(id);
    assert.deepEqual([first?.status, first?.attempts, first?.lastStatus, first?.lastError], ['pending', 1, 500, 'receiver answered 500']);
    // The holder died after the rows, before deleting the event: the next reads it again and finds the delivery pending.
    await runFirstAttempts([s]);
    assert.deepEqual(await store.delivery(id), first, 'the row as the attempt left it');
  });

  it('keeps a delivered row delivered when first attempts made again store its series behind a later pending one', async () => {
    const device = 'RERUN-DELIVERED';
    const delivered = '00000000-0000-8000-8000-00000000f401';
    const failing = '00000000-0000-8000-8000-00000000f402';
    const s = series(webhook, device, delivered, 1);
    await runFirstAttempts([s]);
    receiver.refuse = (p) => p.id === failing;
    await runFirstAttempts([series(webhook, device, failing, 2)]);
    assert.equal((await store.delivery(failing))?.status, 'pending');
    const before = await store.delivery(delivered);
    assert.equal(before?.status, 'delivered');
    await runFirstAttempts([s]);
    assert.deepEqual(await store.delivery(delivered), before);
  });
});
