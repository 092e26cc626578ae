/**
 * PendingView: which pairs have a delivery pending, asked before a pair's
 * first attempts. A subscription with none is probed once and then known
 * clear (no SELECT per read) until something may have stored one: the
 * holder's own pending rows, a replay (the generation in Redis), or time.
 */
import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import { pendingChanged, PendingView, type Pair } from '../../src/webhooks/pending-view';
import { WebhookStore, type LogRow } from '../../src/webhooks/store';
import { TEST_REDIS_URL } from '../helpers/acs';
import { describeEachDriver } from '../helpers/db';

/** Counts the statements PendingView makes. */
class CountingStore extends WebhookStore {
  probes = 0;
  pairReads = 0;
  override async pendingSubscriptions(webhooks: number[]): Promise<Set<number>> {
    this.probes++;
    return super.pendingSubscriptions(webhooks);
  }
  override async pendingPairs(pairs: Pair[]): Promise<Set<string>> {
    this.pairReads++;
    return super.pendingPairs(pairs);
  }
}

describeEachDriver('webhooks: PendingView', 'webhooks_pending_view', (ctx) => {
  let redis: Redis;
  let store: CountingStore;
  let clock = 0;
  let n = 0;
  const key = () => `acs-test:pending-view:${process.pid}:${++n}`;
  const row = (webhook: number, device: string, status: LogRow['status']): LogRow => ({
    id: `00000000-0000-8000-8000-${String(++n).padStart(12, '0')}`, webhook, event: 'device.boot', device, time: 1_700_000_000_000 + n,
    body: '{}', status, attempts: 0, lastStatus: null, lastError: null, deliveredAt: null,
  });
  const subscribe = () => store.create({ url: 'http://127.0.0.1:1/', events: ['device.boot'], secret: 'x', filter: null, parameters: null, createdBy: 'test' });
  const sorted = (s: Set<string>) => [...s].sort();
  /** This process holds the fan-out's lease throughout. */
  const holding = async () => true;

  before(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  beforeEach(() => {
    store = new CountingStore(ctx.store.sql);
    clock = 1_000_000;
  });
  after(() => redis.disconnect());

  it('probes a subscription once, then asks nothing of the database for its pairs while it is known clear', async () => {
    const [a, b] = [await subscribe(), await subscribe()];
    await store.writeLog([row(b.id, 'D1', 'pending'), row(a.id, 'D1', 'delivered')]);
    const view = new PendingView({ redis, key: key(), store, holds: holding, now: () => clock });
    const pairs = [{ webhook: a.id, device: 'D1' }, { webhook: a.id, device: 'D2' }, { webhook: b.id, device: 'D1' }, { webhook: b.id, device: 'D2' }];
    assert.deepEqual(sorted(await view.behind(pairs)), [`${b.id} D1`]);
    assert.deepEqual([store.probes, store.pairReads], [1, 1], 'one probe of both, one read of the pairs of the one with pending deliveries');
    clock += 100;
    assert.deepEqual(sorted(await view.behind(pairs.slice(0, 2))), []);
    assert.deepEqual([store.probes, store.pairReads], [1, 1], 'a known clear: no statement');
    clock += 100;
    assert.deepEqual(sorted(await view.behind(pairs)), [`${b.id} D1`]);
    assert.deepEqual([store.probes, store.pairReads], [1, 2], 'the other is not probed again within a second; its pairs are read');
  });

  it('sees a replay once the generation changes, and forgets what it knew after 5 s', async () => {
    const s = await subscribe();
    const k = key();
    const view = new PendingView({ redis, key: k, store, holds: holding, now: () => clock });
    const pair = [{ webhook: s.id, device: 'R' }];
    assert.deepEqual(sorted(await view.behind(pair)), []);
    // A replay: the row set back to pending, then the generation changed.
    await store.writeLog([row(s.id, 'R', 'pending')]);
    assert.deepEqual(sorted(await view.behind(pair)), [], 'known clear until told: the replay has not said so yet');
    await pendingChanged(redis, k);
    assert.deepEqual(sorted(await view.behind(pair)), [`${s.id} R`]);

    // Another subscription's pending row, stored without a word (a lost lease's holder): seen once 5 s have passed.
    const quiet = await subscribe();
    const other = [{ webhook: quiet.id, device: 'Q' }];
    assert.deepEqual(sorted(await view.behind(other)), []);
    await store.writeLog([row(quiet.id, 'Q', 'pending')]);
    clock += 4_900;
    assert.deepEqual(sorted(await view.behind(other)), []);
    clock += 200;
    assert.deepEqual(sorted(await view.behind(other)), [`${quiet.id} Q`]);
  });

  it("does not take a subscription for clear while the holder's own pending rows of it are on their way", async () => {
    const s = await subscribe();
    const view = new PendingView({ redis, key: key(), store, holds: holding, now: () => clock });
    const pair = [{ webhook: s.id, device: 'P' }];
    assert.deepEqual(sorted(await view.behind(pair)), []);
    let written!: () => void;
    view.storing(s.id, new Promise<void>((resolve) => (written = resolve)));
    const probes = store.probes;
    assert.deepEqual(sorted(await view.behind(pair)), [], 'not written yet: nothing to find');
    assert.equal(store.probes, probes, 'no probe while its rows are on their way: it would find none');
    await store.writeLog([row(s.id, 'P', 'pending')]);
    written();
    await Promise.resolve();
    assert.deepEqual(sorted(await view.behind(pair)), [`${s.id} P`]);
    // Settled: probed clear again once a second has passed.
    await store.writeLog([{ ...row(s.id, 'P', 'delivered'), id: (await store.log(s.id, { limit: 1 }))[0].id }]);
    clock += 1_000;
    assert.deepEqual(sorted(await view.behind(pair)), []);
    const reads = store.pairReads;
    assert.deepEqual(sorted(await view.behind(pair)), []);
    assert.equal(store.pairReads, reads, 'known clear again');
  });

  it('a holder that lost the lease while its pending rows were on their way changes the generation once they are written; one that kept it does not', async () => {
    const s = await subscribe();
    const k = key();
    let lost = false;
    const old = new PendingView({ redis, key: k, store, holds: async () => !lost, now: () => clock });
    const next = new PendingView({ redis, key: k, store, holds: holding, now: () => clock });
    const pair = [{ webhook: s.id, device: 'L' }];
    const settled = async (generation: string | null) => {
      for (let i = 0; i < 50 && (await redis.get(k)) === generation; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      return redis.get(k);
    };

    // Kept: its rows are written while it holds the lease; no other holder can have probed before them.
    let written!: () => void;
    old.storing(s.id, new Promise<void>((resolve) => (written = resolve)));
    const kept = await redis.get(k);
    written();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await redis.get(k), kept, 'the generation is left alone');

    // Lost: the old holder's series is under way when its lease lapses; the new holder probes the subscription clear.
    old.storing(s.id, new Promise<void>((resolve) => (written = resolve)));
    lost = true;
    assert.deepEqual(sorted(await next.behind(pair)), []);
    // The old holder's pending row is written after that probe.
    await store.writeLog([row(s.id, 'L', 'pending')]);
    const before = await redis.get(k);
    written();
    assert.notEqual(await settled(before), before, 'the old holder changed the generation');
    assert.deepEqual(sorted(await next.behind(pair)), [`${s.id} L`], 'the new holder no longer trusts its probe');
  });

  it('a pending delivery without a device (in no pair\'s order) leaves its subscription clear', async () => {
    const s = await subscribe();
    await store.writeLog([{ ...row(s.id, 'N', 'pending'), device: null, event: 'campaign.progress' }]);
    const view = new PendingView({ redis, key: key(), store, holds: holding, now: () => clock });
    const pair = [{ webhook: s.id, device: 'N' }];
    assert.deepEqual(sorted(await view.behind(pair)), []);
    clock += 100;
    assert.deepEqual(sorted(await view.behind(pair)), []);
    assert.deepEqual([store.probes, store.pairReads], [1, 0], 'probed once, known clear: its pairs never read');
  });

  it('a probe during which the holder stored a pending row leaves the subscription unknown', async () => {
    const s = await subscribe();
    const view = new PendingView({ redis, key: key(), store, holds: holding, now: () => clock });
    const pair = [{ webhook: s.id, device: 'X' }];
    // The probe is made; before it answers, the holder stores a pending row, written once the probe has read.
    const probe = store.pendingSubscriptions.bind(store);
    store.pendingSubscriptions = async (ws) => {
      const found = await probe(ws);
      const written = store.writeLog([row(s.id, 'X', 'pending')]);
      view.storing(s.id, written);
      await written;
      return found;
    };
    await view.behind(pair);
    store.pendingSubscriptions = probe;
    assert.deepEqual(sorted(await view.behind(pair)), [`${s.id} X`], 'not taken for clear by the probe that missed the row');
  });

  it('a probe of more subscriptions than one statement asks counts their stores before its first statement', async () => {
    const subs = [];
    for (let i = 0; i < 101; i++) subs.push(await subscribe());
    const last = subs[100];
    const view = new PendingView({ redis, key: key(), store, holds: holding, now: () => clock });
    const pairs = subs.map((s) => ({ webhook: s.id, device: 'C' }));
    // While the first 100 are asked, the holder stores a pending row of the 101st; it is written after the second
    // statement read, before it answers.
    const probe = store.pendingSubscriptions.bind(store);
    let written!: () => void;
    store.pendingSubscriptions = async (ws) => {
      const found = await probe(ws);
      if (!ws.includes(last.id)) view.storing(last.id, new Promise<void>((resolve) => (written = resolve)));
      else {
        await store.writeLog([row(last.id, 'C', 'pending')]);
        written();
        await Promise.resolve();
      }
      return found;
    };
    await view.behind(pairs);
    store.pendingSubscriptions = probe;
    assert.equal(store.probes, 2, 'two statements: 100 subscriptions, then 1');
    assert.deepEqual(sorted(await view.behind(pairs)), [`${last.id} C`]);
  });
});
