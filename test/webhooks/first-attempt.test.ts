/**
 * First attempts (bench (w)): a delivery is stored only once attempted, its
 * job carrying it until then. Its log row says how the attempt went; one
 * that failed is stored pending and retried from its row; a worker that
 * attempted but did not write the row leaves the job to run again (the
 * delivery is sent again under its id: at least once, never lost); a device's
 * deliveries in later jobs wait for those in earlier ones.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, startDeliveryWorker, SubscriptionView, WebhookEmitter, WebhookStore, type AcsEvent } from '../../src/webhooks';
import { firstAttemptsJob } from '../../src/webhooks/emitter';
import type { LogRow } from '../../src/webhooks/store';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { SECRET } from './receiver';
import { boot, connect, deliverySuite } from './delivery-suite';

/** A store whose first `failures` log writes fail, as if the worker died between its attempts and their rows. */
class LosingStore extends WebhookStore {
  failures = 0;
  override async writeLog(rows: LogRow[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('the worker died before writing the log');
    }
    await super.writeLog(rows);
  }
}

describe('webhooks: first attempts, stored once attempted', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let store: LosingStore;
  let emitter: WebhookEmitter;
  let webhook = 0;
  const options = { timeoutMs: 5000, retryBaseMs: 100, maxRetryMs: 200, disableAfterMs: 60_000, retentionMs: 7 * 24 * 3600_000 };
  const suite = deliverySuite('webhooks_first', (acs) => (store = new LosingStore(acs.acs.store.sql)), options);
  const receiver = suite.receiver;
  before(() => ({ t, emitter, webhook } = suite));

  const ofDevice = (device: string) => receiver.got.filter((g) => g.device === device);
  const logOf = async (status: string) => (await (await t.nbi(`/webhooks/${webhook}/deliveries?status=${status}&limit=1000`)).json()) as { id: string; device: string; attempts: number; lastStatus: number | null; lastError: string | null; deliveredAt: number | null }[];

  it('writes a delivered row per delivery once attempted, which the delivery log shows', async () => {
    await emitter.emit([boot('P', 1), boot('P', 2), boot('P2', 1)]);
    await until('P\'s deliveries', async () => ofDevice('P').length === 2 && ofDevice('P2').length === 1);
    await until('their rows', async () => (await logOf('delivered')).length === 3);
    const rows = await logOf('delivered');
    assert.deepEqual(rows.map((r) => r.id).sort(), receiver.got.map((g) => g.id).sort());
    for (const r of rows) {
      assert.equal(r.attempts, 1);
      assert.equal(r.lastStatus, 204);
      assert.ok(r.deliveredAt !== null);
    }
    assert.deepEqual(ofDevice('P').map((g) => g.data.n), [1, 2]);
  });

  it('stores a delivery whose first attempt fails, pending with that attempt, and retries it from its row', async () => {
    let refusing = true;
    receiver.refuse = (p) => p.device === 'Q' && refusing;
    await emitter.emit([boot('Q', 1), boot('Q', 2)]);
    await until('Q\'s first delivery stored pending', async () => (await logOf('pending')).some((r) => r.device === 'Q' && r.attempts >= 1));
    const [first] = (await logOf('pending')).filter((r) => r.device === 'Q' && r.attempts >= 1);
    assert.equal(first.lastError, 'receiver answered 500');
    assert.equal(first.lastStatus, 500);
    assert.equal((await store.delivery(first.id))?.status, 'pending');
    refusing = false;
    await until('Q\'s deliveries', async () => ofDevice('Q').length === 2);
    await sleep(500);
    assert.deepEqual(ofDevice('Q').map((g) => g.data.n), [1, 2], 'the second waited for the retried first');
    assert.equal((await store.delivery(first.id))?.status, 'delivered');
    assert.ok(((await store.delivery(first.id))?.attempts ?? 0) >= 2);
    receiver.refuse = () => false;
  });

  it('sends again, under the same id, a delivery whose row was not written: at least once, never lost', async () => {
    store.failures = 1;
    await emitter.emit([boot('L', 1)]);
    await until('L\'s delivery sent again', async () => ofDevice('L').length >= 2);
    const ids = new Set(ofDevice('L').map((g) => g.id));
    assert.equal(ids.size, 1, 'the same delivery id each time');
    const [id] = ids;
    await until('its row', async () => (await store.delivery(id))?.status === 'delivered');
    assert.equal(store.failures, 0);
  });

  it('leaves no row for a delivery whose subscription was removed before its first attempt (its log went with it)', async () => {
    const gone = await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' });
    await store.remove(gone.id);
    const series = (webhook: number, id: string) => ({ webhook, device: 'GONE', after: null, deliveries: [{ id, event: 'device.boot' as const, time: Date.now(), data: { n: 1 } }] });
    const queue = deliveryQueue(connect(), bullPrefix(t.config.redisPrefix));
    await queue.addBulk([firstAttemptsJob([series(gone.id, '00000000-0000-8000-8000-000000000001'), series(webhook, '00000000-0000-8000-8000-000000000002')], Date.now())]);
    await queue.close();
    await until('the kept subscription\'s delivery', async () => ofDevice('GONE').length === 1);
    await until('its row', async () => (await store.delivery('00000000-0000-8000-8000-000000000002'))?.status === 'delivered');
    assert.equal(await store.delivery('00000000-0000-8000-8000-000000000001'), null);
    assert.equal(ofDevice('GONE')[0].id, '00000000-0000-8000-8000-000000000002');
  });
});

describe('webhooks: a device\'s order across jobs of first attempts', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let server: http.Server;
  let emitter: WebhookEmitter;
  let worker: { close(): Promise<void> } | null = null;
  /** What the receiver was sent, in the order the requests came, and when each answer went. */
  const came: number[] = [];
  const answered = new Map<number, number>();
  const log = createLogger('silent');

  before(async () => {
    t = await startTestAcs('webhooks_first_order', {}, 'nbi');
    // The first delivery is answered after 1.5 s: a later job of the same device must not overtake it.
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const n = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { n: number } }).data.n;
        came.push(n);
        setTimeout(() => {
          answered.set(n, Date.now());
          res.writeHead(204).end();
        }, n === 1 ? 1500 : 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const store = new WebhookStore(t.acs.store.sql);
    await store.create({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' });
    emitter = new WebhookEmitter({ view: new SubscriptionView(store), redis: connect(), redisPrefix: t.config.redisPrefix, queue: deliveryQueue(connect(), bullPrefix(t.config.redisPrefix)), log });
    emitter.refresh();
    const options = { timeoutMs: 5000, retryBaseMs: 100, maxRetryMs: 200, disableAfterMs: 60_000, retentionMs: 7 * 24 * 3600_000 };
    worker = startDeliveryWorker({ connect, prefix: bullPrefix(t.config.redisPrefix), redisPrefix: t.config.redisPrefix, view: new SubscriptionView(store), store, log, options });
  });
  after(async () => {
    await worker?.close();
    await emitter?.close();
    server.closeAllConnections();
    server.close();
    await t?.stop();
  });

  it('sends a device\'s later deliveries, queued in later jobs, only after its earlier one is answered', async () => {
    const boot = (n: number): AcsEvent => ({ event: 'device.boot', device: 'O', time: Date.now(), data: { n } });
    await emitter.emit([boot(1)]);
    await until('the first delivery sent', async () => came.length === 1);
    // Queued while the first is still out: jobs of their own.
    await emitter.emit([boot(2)]);
    await sleep(300);
    await emitter.emit([boot(3)]);
    await until('every delivery', async () => came.length === 3 && answered.size === 3);
    assert.deepEqual(came, [1, 2, 3]);
    assert.ok((answered.get(1) ?? Infinity) <= (answered.get(2) ?? 0), 'the second waited for the first\'s answer');
  });
});
