/**
 * The load of waiting during a receiver's outage: a delivery stored behind a
 * pending one of its device looks again when that one can have moved (its
 * next retry), not every 250 ms (two SELECTs and a job each time); a series
 * of first attempts waiting for its predecessor looks again less and less
 * often. Counted: the looks of M waiting deliveries over N seconds of outage,
 * and the runs of a waiting series' job. Order and at-least-once kept: all
 * arrive once the receiver is back, in their device's order.
 */
import { strict as assert } from 'node:assert';
import { bullPrefix } from '../../src/engine/queue';
import { deliveryQueue, WebhookEmitter, WebhookStore } from '../../src/webhooks';
import { firstAttemptsJob, type Series } from '../../src/webhooks/emitter';
import type { PendingDelivery } from '../../src/webhooks/store';
import type { TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { boot, connect, deliverySuite } from './delivery-suite';

/** Counts the looks of waiting stored deliveries, and the runs of jobs of first attempts (each asks which pairs have a pending delivery). */
class CountingStore extends WebhookStore {
  waitingLooks = 0;
  firstAttemptRuns = 0;
  override async pending(ids: string[]): Promise<PendingDelivery[]> {
    const found = await super.pending(ids);
    this.waitingLooks += found.filter((d) => d.waits).length;
    return found;
  }
  override async pendingPairs(pairs: { webhook: number; device: string }[]): Promise<Set<string>> {
    this.firstAttemptRuns++;
    return super.pendingPairs(pairs);
  }
}

describe('webhooks: waiting for an earlier delivery during an outage', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let store: CountingStore;
  let emitter: WebhookEmitter;
  let webhook = 0;
  // Retries after 1 s, 2 s, then every 4 s.
  const options = { timeoutMs: 2000, retryBaseMs: 1000, maxRetryMs: 4000, disableAfterMs: 600_000, retentionMs: 7 * 24 * 3600_000 };
  const suite = deliverySuite('webhooks_waiting_load', (acs) => (store = new CountingStore(acs.acs.store.sql)), options);
  const receiver = suite.receiver;
  before(() => ({ t, emitter, webhook } = suite));
  const prefix = () => bullPrefix(t.config.redisPrefix);
  const firstCome = (device: string) => [...new Set(receiver.got.filter((g) => g.device === device).map((g) => g.id))];
  const ns = (device: string) => {
    const seen = new Set<string>();
    return receiver.got.filter((g) => g.device === device && !seen.has(g.id) && seen.add(g.id)).map((g) => g.data.n);
  };

  it('looks again behind a failing delivery at its retries, not 4 times a second, and sends all in order once the receiver is back', async () => {
    const device = 'OUTAGE';
    const M = 12;
    const downS = 10;
    receiver.refuse = (p) => p.device === device;
    // One series: the first fails and is stored pending, the M after it are stored behind it.
    await emitter.emit(Array.from({ length: M + 1 }, (_v, i) => boot(device, i + 1)));
    await until('the first attempt', async () => receiver.refused.length > 0);
    store.waitingLooks = 0;
    await sleep(downS * 1000);
    const looks = store.waitingLooks;
    receiver.refuse = () => false;
    // Each waiting delivery looks about once per retry of the one ahead (after 1, 2, 4, 4 s): a handful; every 250 ms made 4 * downS each.
    const bound = M * (downS / (options.retryBaseMs / 1000) + 1);
    assert.ok(looks <= bound, `${looks} looks of ${M} waiting deliveries in ${downS} s: at most ${bound}`);
    await until('every delivery', async () => firstCome(device).length === M + 1, 60_000);
    assert.deepEqual(ns(device), Array.from({ length: M + 1 }, (_v, i) => i + 1), 'in order');
    const delivered = await (await t.nbi(`/webhooks/${webhook}/deliveries?status=delivered&limit=1000`)).json() as unknown[];
    assert.equal(delivered.length, M + 1);
  });

  it('runs a waiting series\' job less and less often, and sends it soon after its predecessor', async () => {
    const device = 'SLOW-PREDECESSOR';
    const delivery = (id: string, n: number) => ({ id, event: 'device.boot' as const, time: Date.now(), data: { n } });
    const series = (after: string | null, id: string, n: number): Series => ({ webhook, device, after, deliveries: [delivery(id, n)] });
    const predecessor = '00000000-0000-8000-8000-0000000ff001';
    const next = '00000000-0000-8000-8000-0000000ff002';
    const queue = deliveryQueue(connect(), prefix());
    await until('the worker idle', async () => (await queue.getJobCounts('waiting', 'delayed', 'active')).delayed === 0);
    store.firstAttemptRuns = 0;
    // Its predecessor's job is slow to come (a backlog): the series waits for it.
    await queue.addBulk([firstAttemptsJob([series(predecessor, next, 2)], Date.now())]);
    const waitS = 10;
    await sleep(waitS * 1000);
    const runs = store.firstAttemptRuns;
    // Looks after 0.25, 0.5, 0.75 s, then half the wait so far: 10 in 10 s; every 250 ms made 40.
    assert.ok(runs >= 3 && runs <= 13, `${runs} runs of the waiting series' job in ${waitS} s`);
    assert.deepEqual(firstCome(device), [], 'it waits for its predecessor');
    const at = Date.now();
    await queue.addBulk([firstAttemptsJob([series(null, predecessor, 1)], Date.now())]);
    await queue.close();
    await until('both deliveries', async () => firstCome(device).length === 2, 20_000);
    assert.deepEqual(firstCome(device), [predecessor, next]);
    // At most half its wait (about 5 s) after its predecessor, with the machine's slack.
    assert.ok(Date.now() - at < 12_000, `sent ${Date.now() - at} ms after its predecessor's job`);
  });
});
