/**
 * The fan-out: emitted events wait in a Redis stream until a worker has
 * attempted their deliveries and stored them; reading an entry twice makes
 * the same deliveries; while the database cannot say which pairs have a
 * delivery pending, nothing is sent and the events stay; one worker of
 * several reads at a time, and another takes over when it stops.
 */
import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import { openStore } from '../../src/db';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, startDeliveryWorker, SubscriptionView, WebhookEmitter, webhookKeys, WebhookStore, type AcsEvent } from '../../src/webhooks';
import { deliveriesOf, deliveryId } from '../../src/webhooks/fan-out';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { Receiver, SECRET } from './receiver';

describe('webhooks: the fan-out from the events stream', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let store: WebhookStore;
  let emitter: WebhookEmitter;
  let redis: Redis;
  const workers: { close(): Promise<void> }[] = [];
  const receiver = new Receiver();
  const log = createLogger('silent');
  const connect = () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const options = { timeoutMs: 2000, retryBaseMs: 100, maxRetryMs: 200, disableAfterMs: 60_000, retentionMs: 7 * 24 * 3600_000 };
  // `s`: where deliveries are stored; the subscriptions are always read from the working store.
  const startWorker = (s = store) => {
    const w = startDeliveryWorker({ connect, prefix: bullPrefix(t.config.redisPrefix), redisPrefix: t.config.redisPrefix, view: new SubscriptionView(store), store: s, log, options });
    workers.push(w);
    return w;
  };
  const stopWorkers = async () => {
    for (const w of workers.splice(0)) await w.close();
  };
  const boot = (device: string, n: number): AcsEvent => ({ event: 'device.boot', device, time: Date.now(), data: { n } });
  const ofDevice = (device: string) => receiver.got.filter((g) => g.device === device).map((g) => g.data.n);
  const streamLength = () => redis.xlen(webhookKeys(t.config.redisPrefix).stream);
  const rows = async () => Number((await t.acs.store.sql.autocommit((db) => db.select('SELECT COUNT(*) AS n FROM webhook_deliveries')))[0].n);

  before(async () => {
    // No worker role: the only fan-outs are those the tests start.
    t = await startTestAcs('webhooks_fan_out', {}, 'nbi');
    await receiver.open();
    redis = connect();
    store = new WebhookStore(t.acs.store.sql);
    const queue = deliveryQueue(connect(), bullPrefix(t.config.redisPrefix));
    emitter = new WebhookEmitter({ view: new SubscriptionView(store), redis: connect(), redisPrefix: t.config.redisPrefix, queue, log });
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['device.boot'], secret: SECRET }) });
    assert.equal(r.status, 201);
    emitter.refresh();
  });
  after(async () => {
    await stopWorkers();
    await emitter?.close();
    redis?.disconnect();
    await receiver.shut();
    await t?.stop();
  });

  it('keeps emitted events in the stream until a worker stores their deliveries, then delivers them in order and empties it', async () => {
    await emitter.emit([boot('A', 1), boot('A', 2)]);
    await emitter.emit([boot('A', 3)]);
    assert.ok((await streamLength()) >= 1, 'the events wait in the stream');
    assert.equal(await rows(), 0, 'no delivery stored by the emitter');
    startWorker();
    await until('A\'s deliveries', async () => ofDevice('A').length >= 3);
    // Delivered, their rows go with a second's others (first-attempt.ts), and the entries after them.
    await until('the stream emptied', async () => (await streamLength()) === 0, 5000);
    assert.deepEqual(ofDevice('A'), [1, 2, 3]);
    assert.equal(await rows(), 3, 'each delivery stored once');
    assert.equal(receiver.bad, 0);
  });

  const idsOf = (series: ReturnType<typeof deliveriesOf>) => series.flatMap((x) => x.deliveries.map((d) => d.id));

  it('makes the same deliveries of an entry read twice: a delivery\'s id is derived from its event\'s place in the stream and its subscription', async () => {
    const subs = await store.list();
    const entry: [string, string[]] = ['1700000000000-7', ['e', JSON.stringify([boot('B', 1), boot('B', 2)])]];
    const first = deliveriesOf('s', [entry], subs, log);
    const second = deliveriesOf('s', [entry], subs, log);
    assert.equal(idsOf(first).length, 2);
    assert.deepEqual(idsOf(second), idsOf(first), 'the same ids');
    assert.deepEqual(first.map((x) => [x.device, x.entries]), [['B', [entry[0], entry[0]]]], 'one series of the device, in order, each delivery with its entry');
    assert.deepEqual(first[0].deliveries.map((d) => d.data.n), [1, 2]);
    assert.match(idsOf(first)[0], /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a version 8 UUID');
    assert.notEqual(deliveryId('s', '1-0', 0, 1), deliveryId('s', '1-0', 1, 1));
    assert.notEqual(deliveryId('s', '1-0', 0, 1), deliveryId('s', '1-0', 0, 2));
    assert.notEqual(deliveryId('s', '1-0', 0, 1), deliveryId('s', '1-1', 0, 1));
  });

  it("makes delivery ids that start with their stream entry's milliseconds, in time order", () => {
    const ms = 1764950400123;
    const id = deliveryId('s', `${ms}-7`, 2, 3);
    assert.equal(id.replace(/-/g, '').slice(0, 12), ms.toString(16).padStart(12, '0'));
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a version 8 UUID');
    // Later entries sort after earlier ones, whatever their hashes (the log's unique index then grows at its end).
    const ids = [`${ms}-0`, `${ms + 1}-0`, `${ms + 1000}-5`, `${ms + 86_400_000}-0`].map((e) => deliveryId('s', e, 0, 1));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(deliveryId('s', `${ms}-7`, 2, 3), id, 'stable');
    assert.match(deliveryId('s', 'not-an-entry', 0, 1), /^00000000-0000-8/, 'a place without milliseconds still makes an id');
  });

  it('drops an unreadable entry (logged) and makes the deliveries of the others read with it', async () => {
    const subs = await store.list();
    const series = deliveriesOf('s', [['1700000000001-0', ['e', '{not json']], ['1700000000001-1', ['x', '[]']], ['1700000000001-2', ['e', JSON.stringify([boot('U', 1)])]]], subs, log);
    assert.deepEqual(series.map((x) => [x.device, x.entries, x.deliveries.length]), [['U', ['1700000000001-2'], 1]], 'only the readable entry makes a delivery');
  });

  it('keeps the events in the stream, sending nothing, while the database cannot say which deliveries are pending, and delivers them once it can', async () => {
    await stopWorkers();
    const broken = await openStore(t.config.databaseUrl);
    await broken.close();
    startWorker(new WebhookStore(broken.sql));
    await emitter.emit([boot('C', 1)]);
    await sleep(2500);
    assert.deepEqual(ofDevice('C'), [], 'not sent before its pending predecessors could be looked up');
    assert.ok((await streamLength()) >= 1, 'its event stays');
    await stopWorkers();
    startWorker();
    await until('C\'s delivery', async () => ofDevice('C').length === 1, 15_000);
    // Deleted once its row is written.
    await until('its event deleted', async () => (await streamLength()) === 0);
  });

  it('reads with one worker of several at a time; when it stops, another takes over and nothing is delivered twice', async () => {
    await stopWorkers();
    const w1 = startWorker();
    for (let n = 1; n <= 20; n++) await emitter.emit([boot('D', n)]);
    await until('D\'s first deliveries', async () => ofDevice('D').length >= 20);
    // w1 holds the lease (it delivered); w2 stands by.
    startWorker();
    await sleep(2500);
    await w1.close();
    for (let n = 21; n <= 40; n++) await emitter.emit([boot('D', n)]);
    // The lease of the stopped worker is released: the other takes it within its retry period.
    await until('D\'s deliveries after the hand-over', async () => ofDevice('D').length >= 40, 20_000);
    await sleep(500);
    assert.deepEqual(ofDevice('D'), Array.from({ length: 40 }, (_v, i) => i + 1), 'each once, in order');
    assert.equal(new Set(receiver.got.map((g) => g.id)).size, receiver.got.length, 'no delivery twice');
  });
});
