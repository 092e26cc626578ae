/**
 * First attempts, made by the fan-out's lease holder (bench (w)): a delivery
 * is stored only once attempted, its event waiting in the stream until then.
 * Its log row says how the attempt went; one that failed is stored pending
 * and retried from its row; a row the database refuses is written again,
 * the delivery not sent again; a holder that stops before writing it leaves
 * the event to the next, which sends it again under its id (at least once,
 * never lost); a device's later deliveries wait for its earlier ones; a slow
 * receiver does not hold up the others; a job of first attempts queued by an
 * older version is stored and sent.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import type Redis from 'ioredis';
import { deliveryQueue, startDeliveryWorker, SubscriptionView, WebhookEmitter, webhookKeys, WebhookStore, type AcsEvent } from '../../src/webhooks';
import type { DeliverJob } from '../../src/webhooks/emitter';
import type { Db } from '../../src/db/sql';
import type { SqlAccess } from '../../src/db/types';
import { handleRead } from '../../src/webhooks/fan-out';
import { FirstAttempts, type FirstAttemptContext, type ReadSeries } from '../../src/webhooks/first-attempt';
import { PendingView } from '../../src/webhooks/pending-view';
import type { StreamEntry } from '../../src/infra/leased-stream';
import type { LogRow } from '../../src/webhooks/store';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { Receiver, SECRET } from './receiver';
import { boot, connect, deliverySuite } from './delivery-suite';

/** A store whose first `failures` log writes fail, as if the database refused them. */
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

  it('writes a row the database refused again, without sending its delivery again; its event stays in the stream until then', async () => {
    const stream = webhookKeys(t.config.redisPrefix).stream;
    const redis = connect();
    store.failures = 2;
    await emitter.emit([boot('L', 1)]);
    await until('L\'s delivery', async () => ofDevice('L').length === 1);
    assert.ok(store.failures > 0 || (await redis.xlen(stream)) >= 1, 'the event waits in the stream while its row is refused');
    const [got] = ofDevice('L');
    await until('its row', async () => (await store.delivery(got.id))?.status === 'delivered', 15_000);
    await until('the event deleted', async () => (await redis.xlen(stream)) === 0);
    redis.disconnect();
    assert.equal(store.failures, 0, 'both refusals met');
    assert.equal(ofDevice('L').length, 1, 'sent once');
  });

  it('stores the deliveries of a job of first attempts an older version queued, keeps a row already there, and sends them in order', async () => {
    const gone = await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' });
    await store.remove(gone.id);
    const ids = ['00000000-0000-8000-8000-0000000a0001', '00000000-0000-8000-8000-0000000a0002', '00000000-0000-8000-8000-0000000a0003'];
    const delivery = (id: string, n: number) => ({ id, event: 'device.boot' as const, time: Date.now(), data: { n } });
    await store.writeLog([{ id: ids[0], webhook, event: 'device.boot', device: 'OLDJOB', time: Date.now(), body: '{}', status: 'delivered', attempts: 1, lastStatus: 204, lastError: null, deliveredAt: Date.now() }]);
    const queue = deliveryQueue(connect(), bullPrefix(t.config.redisPrefix));
    // As the older version queued it: series with `after`, and the time they were queued.
    const data = { series: [{ webhook, device: 'OLDJOB', after: null, deliveries: ids.map((id, i) => delivery(id, i + 1)) }, { webhook: gone.id, device: 'OLDJOB', after: null, deliveries: [delivery('00000000-0000-8000-8000-0000000a0009', 9)] }], queuedAt: Date.now() };
    await queue.add('first', data as unknown as DeliverJob);
    await queue.close();
    await until('the two not delivered before', async () => ofDevice('OLDJOB').length === 2);
    await sleep(300);
    assert.deepEqual(ofDevice('OLDJOB').map((g) => g.id), ids.slice(1), 'in order, the delivered one not again');
    for (const id of ids) await until(`${id} delivered`, async () => (await store.delivery(id))?.status === 'delivered');
    assert.equal((await store.delivery(ids[0]))?.attempts, 1, 'the delivered row kept');
  });
});

describe('webhooks: the first attempts of a read, step by step', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let store: LosingStore;
  let redis: Redis;
  let slow: http.Server;
  let fast = 0;
  let late = 0;
  /** The slow receiver's answers held back (null: it answers after 1.5 s): "under way" without a clock. */
  let held: http.ServerResponse[] | null = null;
  const answerHeld = (): void => {
    for (const res of held ?? []) res.writeHead(204).end();
    held = null;
  };
  const receiver = new Receiver();
  const log = createLogger('silent');
  const queues: ReturnType<typeof deliveryQueue>[] = [];
  /** A context whose retry jobs go to a queue no worker reads. */
  const context = (name: string): FirstAttemptContext => {
    const queue = deliveryQueue(connect(), `${bullPrefix(t.config.redisPrefix)}-${name}`);
    queues.push(queue);
    const pending = new PendingView({ redis, key: `${t.config.redisPrefix}pending-${name}`, store, holds: async () => true });
    return { store, log, options: { timeoutMs: 5000, disableAfterMs: 60_000 }, queue, backoff: () => 100, orderWaitMs: 250, pending };
  };
  const stream = () => `${t.config.redisPrefix}first-steps:${Math.random()}`;
  /** Entries in `key`, one per event, as emitters write them. */
  const append = async (key: string, ...events: AcsEvent[]): Promise<StreamEntry[]> => {
    const entries: StreamEntry[] = [];
    for (const e of events) {
      const fields = ['e', JSON.stringify([e])];
      entries.push([String(await redis.xadd(key, '*', ...fields)), fields]);
    }
    return entries;
  };
  const ofDevice = (device: string) => receiver.got.filter((g) => g.device === device);
  const view = () => new SubscriptionView(store);

  before(async () => {
    t = await startTestAcs('webhooks_first_steps', {}, 'nbi');
    await receiver.open();
    redis = connect();
    store = new LosingStore(t.acs.store.sql);
    // Answers after 1.5 s, or, while a test holds its answers, when the test lets them go.
    slow = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => (held ? held.push(res) : setTimeout(() => res.writeHead(204).end(), 1500)));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    fast = (await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' })).id;
    late = (await store.create({ url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, events: ['device.inform'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' })).id;
  });
  after(async () => {
    for (const q of queues) {
      await q.obliterate({ force: true });
      await q.close();
    }
    redis?.disconnect();
    answerHeld();
    slow?.closeAllConnections();
    slow?.close();
    await receiver.shut();
    await t?.stop();
  });

  it('sends a fast receiver\'s deliveries while a slow one\'s are out, and stores a slow subscription\'s series beyond its share for the stored path', async () => {
    const key = stream();
    const ctx = context('slow');
    const attempts = new FirstAttempts(ctx, { redis, stream: key, log, attemptsPerSubscription: 2 });
    const inform = (device: string): AcsEvent => ({ event: 'device.inform', device, time: Date.now(), data: {} });
    const entries = await append(key, inform('S1'), inform('S2'), inform('S3'), boot('F1', 1));
    held = [];
    await handleRead({ redisPrefix: t.config.redisPrefix, view: view(), attempts, log }, entries);
    await until('the fast receiver\'s delivery, the slow ones unanswered', async () => ofDevice('F1').length === 1);
    assert.ok(attempts.has(entries[0][0]), 'the slow ones are under way');
    answerHeld();
    await attempts.idle();
    const rows = await t.acs.store.sql.autocommit((db) => db.select('SELECT device, status, attempts FROM webhook_deliveries WHERE webhook_id = ? ORDER BY device', [late]));
    assert.deepEqual(rows.map((r) => [r.device, r.status, Number(r.attempts)]), [['S1', 'delivered', 1], ['S2', 'delivered', 1], ['S3', 'pending', 0]], 'two attempted at once, the third stored');
    const jobs = await ctx.queue.getJobs(['waiting']);
    assert.equal(jobs.length, 1, 'a job for the stored one');
    assert.equal(await redis.xlen(key), 0, 'every entry deleted once its rows were written');
    assert.ok(entries.every(([id]) => !attempts.has(id)));
    await attempts.close();
  });

  it('does not start twice an entry read again while under way, and starts the later entries read with it', async () => {
    const key = stream();
    const attempts = new FirstAttempts(context('again'), { redis, stream: key, log });
    const deps = { redisPrefix: t.config.redisPrefix, view: view(), attempts, log };
    const [first] = await append(key, { event: 'device.inform', device: 'AGAIN', time: Date.now(), data: {} });
    held = [];
    await handleRead(deps, [first]);
    assert.ok(attempts.has(first[0]), 'under way (its receiver has not answered)');
    const [later] = await append(key, { event: 'device.inform', device: 'AGAIN', time: Date.now(), data: {} });
    await handleRead(deps, [first, later]);
    answerHeld();
    await attempts.idle();
    const rows = await t.acs.store.sql.autocommit((db) => db.select("SELECT uuid, attempts FROM webhook_deliveries WHERE webhook_id = ? AND device = 'AGAIN' ORDER BY uuid", [late]));
    assert.deepEqual(rows.map((r) => Number(r.attempts)), [1, 1], 'two deliveries, each attempted once');
    assert.equal(await redis.xlen(key), 0);
    await attempts.close();
  });

  it('leaves the entries of rows still refused at close in the stream; the next holder sends them again under the same ids', async () => {
    const key = stream();
    const entries = await append(key, boot('HANDED', 1), boot('HANDED', 2));
    store.failures = 1000;
    const first = new FirstAttempts(context('closing'), { redis, stream: key, log });
    await handleRead({ redisPrefix: t.config.redisPrefix, view: view(), attempts: first, log }, entries);
    await until('the first holder\'s attempts', async () => ofDevice('HANDED').length === 2);
    await first.close();
    assert.equal(await redis.xlen(key), 2, 'the entries stay');
    store.failures = 0;
    const next = new FirstAttempts(context('next'), { redis, stream: key, log });
    await handleRead({ redisPrefix: t.config.redisPrefix, view: view(), attempts: next, log }, entries);
    await next.close();
    const ids = ofDevice('HANDED').map((g) => g.id);
    assert.deepEqual(ids.slice(2), ids.slice(0, 2), 'sent again, same ids, same order');
    for (const id of ids) assert.equal((await store.delivery(id))?.status, 'delivered');
    assert.equal(await redis.xlen(key), 0);
  });

  it('checks a filtered subscription over a read\'s devices in one query: those it matches delivered, the others skipped', async () => {
    let deviceReads = 0;
    const counted = (db: Db): Db => new Proxy(db, {
      get(target, prop) {
        if (prop === 'select') {
          return (q: string, params?: unknown[]) => {
            if (q.includes('FROM devices d')) deviceReads++;
            return target.select(q, params);
          };
        }
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const sql = t.acs.store.sql;
    const counting: SqlAccess = { driver: sql.driver, autocommit: (fn) => sql.autocommit((db) => fn(counted(db))), transaction: (fn) => sql.transaction((db) => fn(counted(db))) };
    const filtered = new WebhookStore(counting);
    const sub = await filtered.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: 'Tags.hooked', parameters: null, createdBy: 'test' });
    const devices = ['FILT1', 'FILT2', 'FILT3', 'FILT4'];
    await sql.transaction(async (db) => {
      for (const [i, name] of devices.entries()) {
        const { insertId } = await db.run("INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number) VALUES (?, 'Acme', '00D09E', 'PC', ?)", [name, name]);
        if (i % 2 === 0) await db.run("INSERT INTO device_tags (device_id, tag) VALUES (?, 'hooked')", [insertId]);
      }
    });
    const key = stream();
    const entries = await append(key, ...devices.map((d) => boot(d, 1)));
    const attempts = new FirstAttempts({ ...context('filter'), store: filtered }, { redis, stream: key, log });
    const series: ReadSeries[] = devices.map((device, i) => ({ webhook: sub.id, device, entries: [entries[i][0]], deliveries: [{ id: `00000000-0000-8000-8000-00000000c00${i}`, event: 'device.boot', time: Date.now(), data: { n: 1 } }] }));
    deviceReads = 0;
    await attempts.start(entries.map(([id]) => id), series);
    await attempts.idle();
    assert.equal(deviceReads, 1, 'one read of the devices for the four');
    const rows = await sql.autocommit((db) => db.select('SELECT device, status FROM webhook_deliveries WHERE webhook_id = ? ORDER BY device', [sub.id]));
    assert.deepEqual(rows.map((r) => [r.device, r.status]), [['FILT1', 'delivered'], ['FILT2', 'skipped'], ['FILT3', 'delivered'], ['FILT4', 'skipped']]);
    assert.deepEqual(receiver.got.map((g) => g.device ?? '').filter((d) => d.startsWith('FILT')).sort(), ['FILT1', 'FILT3']);
    assert.equal(await redis.xlen(key), 0);
    await attempts.close();
  });

  it('leaves no row for a delivery whose subscription was removed before its first attempt (its log went with it)', async () => {
    const gone = await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' });
    const key = stream();
    const entries = await append(key, boot('GONE', 1));
    // The fan-out's view still has it; by the attempt it is removed.
    const subscriptions = await store.list();
    await store.remove(gone.id);
    const attempts = new FirstAttempts(context('gone'), { redis, stream: key, log });
    const series: ReadSeries[] = subscriptions.filter((s) => s.id === gone.id || s.id === fast).map((s, i) => ({ webhook: s.id, device: 'GONE', entries: [entries[0][0]], deliveries: [{ id: `00000000-0000-8000-8000-00000000b00${i}`, event: 'device.boot', time: Date.now(), data: { n: 1 } }] }));
    await attempts.start([entries[0][0]], series);
    await attempts.close();
    const byWebhook = new Map(series.map((s) => [s.webhook, s.deliveries[0].id]));
    assert.equal(await store.delivery(byWebhook.get(gone.id) ?? ''), null);
    assert.equal((await store.delivery(byWebhook.get(fast) ?? ''))?.status, 'delivered');
    assert.deepEqual(ofDevice('GONE').map((g) => g.id), [byWebhook.get(fast)]);
    assert.equal(await redis.xlen(key), 0);
  });
});

describe('webhooks: a device\'s order across reads', function () {
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
    // The first delivery is answered after 1.5 s: a later read's delivery of the same device must not overtake it.
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

  it('sends a device\'s later deliveries, read later, only after its earlier one is answered', async () => {
    const boot = (n: number): AcsEvent => ({ event: 'device.boot', device: 'O', time: Date.now(), data: { n } });
    await emitter.emit([boot(1)]);
    await until('the first delivery sent', async () => came.length === 1);
    // Emitted while the first is still out: reads of their own.
    await emitter.emit([boot(2)]);
    await sleep(300);
    await emitter.emit([boot(3)]);
    await until('every delivery', async () => came.length === 3 && answered.size === 3);
    assert.deepEqual(came, [1, 2, 3]);
    assert.ok((answered.get(1) ?? Infinity) <= (answered.get(2) ?? 0), 'the second waited for the first\'s answer');
  });
});
