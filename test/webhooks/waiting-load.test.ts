/**
 * The load of waiting during a receiver's outage: a delivery stored behind a
 * pending one of its device looks again when that one can have moved (its
 * next retry), not every 250 ms (two SELECTs and a job each time). Counted:
 * the looks of M waiting deliveries over N seconds of outage. Order and
 * at-least-once kept: all arrive once the receiver is back, in their
 * device's order.
 */
import { strict as assert } from 'node:assert';
import { WebhookEmitter, WebhookStore } from '../../src/webhooks';
import type { PendingDelivery } from '../../src/webhooks/store';
import type { TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { boot, deliverySuite } from './delivery-suite';

/** Counts the looks of waiting stored deliveries. */
class CountingStore extends WebhookStore {
  waitingLooks = 0;
  override async pending(ids: string[]): Promise<PendingDelivery[]> {
    const found = await super.pending(ids);
    this.waitingLooks += found.filter((d) => d.waits).length;
    return found;
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
});
