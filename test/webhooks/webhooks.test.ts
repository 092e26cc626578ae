/**
 * Webhooks end to end (issue 10 §2): a subscription through the REST API, the
 * simulated CPE's sessions making events, a local receiver that checks every
 * signature. The receiver goes away for a while and comes back: it still
 * gets every event exactly once by delivery id, a device's in order. Replays,
 * filters, disabling after failures, bad subscriptions refused.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deviceKeyOf } from '../../src/model/device-key';
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { startDeliveryWorker, SubscriptionView, WebhookStore } from '../../src/webhooks';
import { staleSql } from '../../src/webhooks/store';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { sleep, until } from '../helpers/wait';
import { sample, scrape } from '../metrics/scrape';
import { Receiver, SECRET } from './receiver';

describe('webhooks: signed deliveries of session events', function () {
  this.timeout(120_000);
  let t: TestAcs;
  const receiver = new Receiver();
  const cpes: ScriptedCpe[] = [];

  before(async () => {
    t = await startTestAcs('webhooks', { webhookRetryBaseMs: 100, webhookRetryMaxMs: 500, webhookDisableAfterMs: 60_000 });
    await receiver.open();
  });
  after(async () => {
    cpes.forEach((c) => c.close());
    await receiver.shut().catch(() => undefined);
    await t?.stop();
  });

  async function subscribe(body: Record<string, unknown>): Promise<{ id: number; secret: string }> {
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify(body) });
    assert.equal(r.status, 201, await r.clone().text());
    return (await r.json()) as { id: number; secret: string };
  }

  async function session(serial: string, events: string[]): Promise<void> {
    const c = new ScriptedCpe(t.cwmpUrl);
    cpes.push(c);
    assert.equal((await c.post(inform(serial, events))).envelope?.body.method, 'InformResponse');
    assert.equal((await c.post(null)).status, 204);
  }

  const ofDevice = (serial: string) => receiver.got.filter((g) => g.device === deviceKeyOf(inform(serial, []).DeviceId));

  it('refuses bad subscriptions naming the field', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ url: 'ftp://x/', events: ['device.boot'] }, /url must be http or https/],
      [{ url: 'not a url', events: ['device.boot'] }, /is not a URL/],
      [{ url: receiver.url(), events: [] }, /events must be a non-empty array/],
      [{ url: receiver.url(), events: ['device.reboot'] }, /unknown event "device.reboot"/],
      [{ url: receiver.url(), events: ['device.boot'], secret: 'short' }, /secret must be 16 to 255 characters/],
      [{ url: receiver.url(), events: ['device.boot'], filter: 'Tags.x AND' }, /^filter: /],
    ];
    for (const [body, message] of cases) {
      const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify(body) });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(((await r.json()) as { error: string }).error, message);
    }
    assert.deepEqual(await (await t.nbi('/webhooks')).json(), [], 'nothing stored');
  });

  it('delivers a session\'s events, signed, and every event exactly once in order when the receiver was away', async () => {
    const sub = await subscribe({ url: receiver.url(), events: ['device.registered', 'device.bootstrap', 'device.boot', 'device.inform', 'task.done'], secret: SECRET });
    await session('HOOK-1', ['0 BOOTSTRAP', '1 BOOT']);
    await until('first deliveries', async () => ofDevice('HOOK-1').length >= 4);
    assert.deepEqual(ofDevice('HOOK-1').map((g) => g.event).sort(), ['device.boot', 'device.bootstrap', 'device.inform', 'device.registered']);
    assert.equal(receiver.bad, 0, 'every signature verifies');

    // The receiver goes away; the device keeps reporting.
    await receiver.shut();
    await session('HOOK-1', ['1 BOOT']);
    await session('HOOK-1', ['2 PERIODIC']);
    await session('HOOK-1', ['1 BOOT', '4 VALUE CHANGE']);
    await sleep(1500);
    const log = (await (await t.nbi(`/webhooks/${sub.id}/deliveries?status=pending`)).json()) as { attempts: number; lastError: string }[];
    assert.equal(log.length, 5, 'pending while the receiver is away');
    assert.ok(log.some((d) => d.attempts >= 1 && /ECONNREFUSED|fetch failed/.test(d.lastError)), JSON.stringify(log[0]));

    await receiver.open();
    // Three more sessions: device.boot + device.inform, device.inform (periodic), device.boot + device.inform.
    await until('every delivery', async () => ofDevice('HOOK-1').length >= 4 + 5, 30_000);
    await sleep(1000);
    const got = ofDevice('HOOK-1');
    assert.equal(new Set(got.map((g) => g.id)).size, got.length, 'no delivery twice');
    assert.equal(got.length, 9);
    // In order per device: the sessions' device.inform events carry their event codes in the order they happened.
    const informs = got.filter((g) => g.event === 'device.inform').map((g) => (g.data.events as string[]).join('+'));
    assert.deepEqual(informs, ['0 BOOTSTRAP+1 BOOT', '1 BOOT', '2 PERIODIC', '1 BOOT+4 VALUE CHANGE']);
    assert.equal(receiver.bad, 0);
    const delivered = (await (await t.nbi(`/webhooks/${sub.id}/deliveries?status=delivered&limit=1000`)).json()) as { id: string; attempts: number }[];
    assert.equal(delivered.length, 9);
    assert.ok(delivered.some((d) => d.attempts > 1), 'some needed retries');
    assert.equal(((await (await t.nbi(`/webhooks/${sub.id}`)).json()) as { failingSince: number | null }).failingSince, null, 'healthy again');

    // A replay sends the same delivery (same id: receivers de-duplicate on it).
    const one = got[0].id;
    const replay = await t.nbi(`/webhooks/${sub.id}/deliveries/${one}/replay`, { method: 'POST' });
    assert.equal(replay.status, 202);
    await until('the replay', async () => receiver.got.filter((g) => g.id === one).length === 2);
    const range = async (body: Record<string, unknown>) => (await (await t.nbi(`/webhooks/${sub.id}/replay`, { method: 'POST', body: JSON.stringify(body) })).json()) as { replayed: number; next: number | null };
    // Page by page (limit), each page ending between two sessions' times: every delivery once.
    const pages: number[] = [];
    for (let page = await range({ from: 0, limit: 4 }); ; page = await range({ from: page.next, limit: 4 })) {
      pages.push(page.replayed);
      if (page.next === null) break;
    }
    assert.deepEqual(pages, [4, 3, 2], 'the first session\'s 4, then 2 + 1, then 2');
    await until('the range replay', async () => ofDevice('HOOK-1').length === 9 + 1 + 9);
    await sleep(500);
    assert.equal(ofDevice('HOOK-1').length, 9 + 1 + 9, 'each once');
    // A page smaller than one millisecond's deliveries takes that millisecond whole.
    const first = await range({ from: 0, limit: 2 });
    assert.equal(first.replayed, 4);
    await until('the millisecond replayed', async () => ofDevice('HOOK-1').length === 9 + 1 + 9 + 4);
    assert.ok(first.next !== null);
    assert.deepEqual(await range({ from: first.next - 1, to: first.next }), { replayed: 4, next: null }, 'next: the millisecond after');
    await until('the millisecond again', async () => ofDevice('HOOK-1').length === 9 + 1 + 9 + 4 + 4);
    const tooMany = await t.nbi(`/webhooks/${sub.id}/replay`, { method: 'POST', body: JSON.stringify({ from: 0, limit: 10_001 }) });
    assert.equal(tooMany.status, 400);
    assert.equal(((await tooMany.json()) as { field: string }).field, 'body.limit');
    assert.deepEqual(await range({ from: 0 }), { replayed: 9, next: null }, 'all of them when no limit is given');
    await until('the whole replay', async () => ofDevice('HOOK-1').length === 9 + 1 + 9 + 4 + 4 + 9);
    assert.equal((await t.nbi(`/webhooks/${sub.id}/deliveries/nope/replay`, { method: 'POST' })).status, 404);
    assert.equal((await t.nbi(`/webhooks/${sub.id}`, { method: 'DELETE' })).status, 204);
  });

  it('delivers device.registered once per device, at its first Inform: one tagged before it came, one whose first Inform is periodic', async () => {
    const sub = await subscribe({ url: receiver.url(), events: ['device.registered'], secret: SECRET });
    const early = deviceKeyOf(inform('HOOK-EARLY', []).DeviceId);
    // Tagged before its first contact (zero-touch): the ACS makes its row then, bare.
    assert.equal((await t.nbi(`/devices/${encodeURIComponent(early)}/tags/vip`, { method: 'POST' })).status, 204);
    await session('HOOK-EARLY', ['0 BOOTSTRAP', '1 BOOT']);
    // Moved from another ACS: its first Inform here is a routine one, acknowledged only by the session's commit.
    await session('HOOK-MOVED', ['2 PERIODIC']);
    await until('both registered', async () => ofDevice('HOOK-EARLY').length === 1 && ofDevice('HOOK-MOVED').length === 1);
    await session('HOOK-EARLY', ['1 BOOT']);
    await session('HOOK-MOVED', ['2 PERIODIC', '1 BOOT']);
    await session('HOOK-MOVED', ['0 BOOTSTRAP']);
    await sleep(1500);
    for (const serial of ['HOOK-EARLY', 'HOOK-MOVED']) {
      assert.deepEqual(ofDevice(serial).map((g) => g.event), ['device.registered'], `${serial}: once, at its first Inform`);
    }
    assert.deepEqual(ofDevice('HOOK-EARLY')[0].data.events, ['0 BOOTSTRAP', '1 BOOT']);
    assert.deepEqual(ofDevice('HOOK-MOVED')[0].data.events, ['2 PERIODIC']);
    await t.nbi(`/webhooks/${sub.id}`, { method: 'DELETE' });
  });

  it('delivers device.registered for a first Inform acknowledged whose session could not open, and not again later', async () => {
    const sub = await subscribe({ url: receiver.url(), events: ['device.registered'], secret: SECRET });
    // A new device's periodic Inform opens a session; its row waits for that session's commit.
    const first = new ScriptedCpe(t.cwmpUrl);
    const second = new ScriptedCpe(t.cwmpUrl);
    cpes.push(first, second);
    assert.equal((await first.post(inform('HOOK-BUSY', ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
    // Meanwhile a VALUE CHANGE Inform is made durable (its row, first_inform set), then refused: the device is in session.
    const refused = await second.post(inform('HOOK-BUSY', ['4 VALUE CHANGE']));
    assert.equal(refused.envelope?.body.method, 'Fault', 'refused while the first session holds the device');
    await until('registered', async () => ofDevice('HOOK-BUSY').length === 1);
    // The first session's commit finds the row no longer bare: nothing more.
    assert.equal((await first.post(null)).status, 204);
    await session('HOOK-BUSY', ['4 VALUE CHANGE']);
    await sleep(1500);
    assert.deepEqual(ofDevice('HOOK-BUSY').map((g) => g.event), ['device.registered']);
    assert.deepEqual(ofDevice('HOOK-BUSY')[0].data.events, ['4 VALUE CHANGE']);
    await t.nbi(`/webhooks/${sub.id}`, { method: 'DELETE' });
  });

  it('delivers task.failed, once, for a task that expired before its device ran it', async () => {
    await session('HOOK-EXP', ['0 BOOTSTRAP']);
    const sub = await subscribe({ url: receiver.url(), events: ['task.failed', 'task.done'], secret: SECRET });
    const key = deviceKeyOf(inform('HOOK-EXP', []).DeviceId);
    const r = await t.nbi(`/devices/${encodeURIComponent(key)}/tasks?expiry=${Date.now() + 300}`, { method: 'POST', body: JSON.stringify({ name: 'reboot' }) });
    assert.equal(r.status, 202, await r.clone().text());
    const id = Number(((await r.json()) as { id: number | string }).id);
    await sleep(500);
    // The device's next session finds it past its expiry: never sent, expired, told of.
    await session('HOOK-EXP', ['2 PERIODIC']);
    await until('task.failed', async () => ofDevice('HOOK-EXP').length === 1);
    const [got] = ofDevice('HOOK-EXP');
    assert.equal(got.event, 'task.failed');
    assert.equal(got.data.task, id);
    assert.equal((got.data.fault as { code: string }).code, 'expired');
    assert.match((got.data.fault as { message: string }).message, /^expired at \d{4}-.*before the device ran it$/);
    assert.equal(((await (await t.nbi(`/tasks/${id}`)).json()) as { status: string }).status, 'expired');
    await session('HOOK-EXP', ['2 PERIODIC']);
    await sleep(1000);
    assert.equal(ofDevice('HOOK-EXP').length, 1, 'once');
    assert.equal(receiver.bad, 0);
    await t.nbi(`/webhooks/${sub.id}`, { method: 'DELETE' });
  });

  it('skips devices outside the filter', async () => {
    const sub = await subscribe({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: 'DeviceID.SerialNumber = "HOOK-IN"' });
    await session('HOOK-OUT', ['1 BOOT']);
    await session('HOOK-IN', ['1 BOOT']);
    await until('the filtered delivery', async () => ofDevice('HOOK-IN').length === 1);
    await until('the skip', async () => ((await (await t.nbi(`/webhooks/${sub.id}/deliveries?status=skipped`)).json()) as unknown[]).length === 1);
    assert.equal(ofDevice('HOOK-OUT').length, 0);
    await t.nbi(`/webhooks/${sub.id}`, { method: 'DELETE' });
  });

  it('delivers parameter.changed with only the changes of the parameters the subscription names', async () => {
    const sub = await subscribe({ url: receiver.url(), events: ['parameter.changed'], parameters: ['Device.DeviceInfo.SoftwareVersion'], secret: SECRET });
    const c = new ScriptedCpe(t.cwmpUrl);
    cpes.push(c);
    const withVersions = (sw: string, hw: string) => inform('HOOK-2', ['1 BOOT'], {
      ParameterList: [
        { Name: 'Device.DeviceInfo.SoftwareVersion', Value: sw, type: 'xsd:string' },
        { Name: 'Device.DeviceInfo.HardwareVersion', Value: hw, type: 'xsd:string' },
      ],
    });
    for (const [sw, hw] of [['1.0', 'a'], ['1.0', 'b'], ['2.0', 'c']]) {
      assert.equal((await c.post(withVersions(sw, hw))).envelope?.body.method, 'InformResponse');
      assert.equal((await c.post(null)).status, 204);
    }
    await until('the change', async () => ofDevice('HOOK-2').length >= 1);
    await sleep(500);
    const changes = ofDevice('HOOK-2').map((g) => g.data.changes);
    assert.deepEqual(changes, [[{ path: 'Device.DeviceInfo.SoftwareVersion', old: '1.0', value: '2.0', type: 'xsd:string' }]], 'the first contact and the hardware changes are not deliveries');
    for (const [body, message] of [
      [{ url: receiver.url(), events: ['parameter.changed'] }, /parameters .* is required with parameter.changed/],
      [{ url: receiver.url(), events: ['device.boot'], parameters: ['Device.X'] }, /parameters only goes with the parameter.changed event/],
      [{ url: receiver.url(), events: ['parameter.changed'], parameters: ['Device..X'] }, /is not a parameter path/],
    ] as const) {
      const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify(body) });
      assert.equal(r.status, 400);
      assert.match(((await r.json()) as { error: string }).error, message);
    }
    await t.nbi(`/webhooks/${sub.id}`, { method: 'DELETE' });
  });

  it('delivers workflow and campaign events from the worker role', async () => {
    const sub = await subscribe({ url: receiver.url(), events: ['workflow.done', 'workflow.failed', 'campaign.progress', 'campaign.stopped'], secret: SECRET });
    const device = deviceKeyOf(inform('HOOK-1', []).DeviceId);
    const start = async (workflow: unknown) => {
      const r = await t.nbi('/workflows/runs', { method: 'POST', body: JSON.stringify({ device, workflow }) });
      assert.equal(r.status, 201, await r.clone().text());
      return ((await r.json()) as { id: string }).id;
    };
    const ok = await start({ name: 'answer', definition: { steps: [{ name: 'out', output: { answer: 42 } }] } });
    const ko = await start({ name: 'refuse', definition: { steps: [{ name: 'give-up', fail: 'not today' }] } });
    await until('both runs', async () => receiver.got.filter((g) => g.event.startsWith('workflow.')).length === 2);
    const done = receiver.got.find((g) => g.event === 'workflow.done');
    assert.equal(done?.data.run, ok);
    assert.deepEqual(done?.data.output, { out: { answer: 42 } });
    const failed = receiver.got.find((g) => g.event === 'workflow.failed');
    assert.equal(failed?.data.run, ko);
    assert.equal(failed?.data.reason, 'not today');
    assert.equal(failed?.device, device);

    const c = await t.nbi('/campaigns', { method: 'POST', body: JSON.stringify({ name: 'nobody', query: 'DeviceID.SerialNumber = "NOBODY"', action: { task: { name: 'reboot' } } }) });
    assert.equal(c.status, 201, await c.clone().text());
    const campaign = ((await c.json()) as { id: string }).id;
    await until('the campaign event', async () => receiver.got.some((g) => g.event === 'campaign.progress' && g.data.campaign === campaign), 20_000);
    const ended = receiver.got.find((g) => g.event === 'campaign.progress' && g.data.campaign === campaign);
    assert.equal(ended?.data.status, 'done');
    assert.equal(ended?.device, null);
    assert.equal(receiver.bad, 0);
    await t.nbi(`/webhooks/${sub.id}`, { method: 'DELETE' });
  });
});


describe('webhooks: a receiver that keeps failing is disabled', function () {
  this.timeout(60_000);
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('webhooks_disable', { webhookRetryBaseMs: 100, webhookRetryMaxMs: 200, webhookDisableAfterMs: 1500 });
  });
  after(async () => {
    await t?.stop();
  });

  it('disables it with the reason, fails its deliveries, counts it in acs_webhooks_disabled_total, and enables it on request', async () => {
    const disabledCount = async () => sample((await scrape(`${t.nbiUrl}/metrics`, t.token)).samples, 'acs_webhooks_disabled_total');
    const before = await disabledCount();
    // A port nobody listens on.
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url, events: ['device.boot'] }) });
    const sub = (await r.json()) as { id: number; secret: string };
    assert.match(sub.secret, /^[A-Za-z0-9_-]{43}$/, 'a secret is made when none is given');
    const c = new ScriptedCpe(t.cwmpUrl);
    assert.equal((await c.post(inform('HOOK-DEAD', ['1 BOOT']))).envelope?.body.method, 'InformResponse');
    assert.equal((await c.post(null)).status, 204);
    c.close();
    let state = { disabledAt: null as number | null, disabledReason: null as string | null };
    await until('disabled', async () => {
      state = (await (await t.nbi(`/webhooks/${sub.id}`)).json()) as typeof state;
      return state.disabledAt !== null;
    }, 20_000);
    assert.match(String(state.disabledReason), /^failing since .*ECONNREFUSED|fetch failed/);
    // The counter moves just after the UPDATE that the GET above saw commits: wait for it, then check it moved once.
    await until('the notice to alert on', async () => (await disabledCount()) >= before + 1, 5_000);
    await until('its delivery failed', async () => ((await (await t.nbi(`/webhooks/${sub.id}/deliveries?status=failed`)).json()) as unknown[]).length === 1);
    const enabled = (await (await t.nbi(`/webhooks/${sub.id}/enable`, { method: 'POST' })).json()) as typeof state;
    assert.equal(enabled.disabledAt, null);
    assert.equal(await disabledCount(), before + 1, 'counted once, by the one write that disabled it');
  });
});

describe('webhooks: deliveries whose jobs were lost (Redis restarted empty) are delivered', function () {
  this.timeout(60_000);
  let t: TestAcs;
  const receiver = new Receiver();
  let worker: { close(): Promise<void> } | null = null;
  before(async () => {
    // No worker role here: nothing delivers but the worker this test starts.
    t = await startTestAcs('webhooks_rescue', {}, 'nbi');
    await receiver.open();
  });
  after(async () => {
    await worker?.close();
    await receiver.shut();
    await t?.stop();
  });

  it('finds pending deliveries without a job and queues them again', async () => {
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['device.boot'], secret: SECRET }) });
    const { id } = (await r.json()) as { id: number };
    const store = new WebhookStore(t.acs.store.sql);
    // Stored, never queued: what a Redis restart leaves behind.
    const [delivery] = await store.addDeliveries([{ webhook: id, event: { event: 'device.boot', device: 'X-Y-Z', time: Date.now() - 5000, data: { n: 1 } } }]);
    const prefix = bullPrefix(t.config.redisPrefix);
    const options = { timeoutMs: 2000, retryBaseMs: 100, maxRetryMs: 200, disableAfterMs: 60_000, rescueEveryMs: 200, rescueAfterMs: 1000, retentionMs: 7 * 24 * 3600_000 };
    worker = startDeliveryWorker({ connect: () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }), prefix, redisPrefix: t.config.redisPrefix, view: new SubscriptionView(store), store, log: createLogger('silent'), options });
    await until('the rescued delivery', async () => receiver.got.some((g) => g.id === delivery), 10_000);
    assert.equal(receiver.bad, 0);
    // The worker marks a job's deliveries after their POSTs, in one UPDATE: the receiver can see one first.
    await until('the rescued delivery marked delivered', async () => (await store.delivery(delivery))?.status === 'delivered', 10_000);
  });

  it('reads only pending deliveries to find those without a job (the index keyed only where pending), not the whole log', async () => {
    // The last test's worker would rescue (deliver) the pending rows this one reads: CI once saw r_rows 0.
    await worker?.close();
    worker = null;
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['device.boot'], secret: SECRET }) });
    const { id } = (await r.json()) as { id: number };
    const store = new WebhookStore(t.acs.store.sql);
    // A log as a running ACS has it: mostly delivered, a few pending.
    const ids = await store.addDeliveries(Array.from({ length: 2000 }, (_v, i) => ({ webhook: id, event: { event: 'device.boot' as const, device: `D-${i}`, time: Date.now() - 3_600_000, data: {} } })));
    const delivered = ids.slice(10);
    await t.acs.store.sql.autocommit((db) => db.run(`UPDATE webhook_deliveries SET status = 'delivered' WHERE uuid IN (${delivered.map(() => '?').join(', ')})`, delivered));
    await t.acs.store.sql.autocommit((db) => db.select('ANALYZE TABLE webhook_deliveries'));
    // MariaDB's ANALYZE runs the statement and reports the rows it read (r_rows): the estimate of a small table's range is coarse.
    const [plan] = await t.acs.store.sql.autocommit((db) => db.select(`ANALYZE ${staleSql(db.driver, 1000)}`, [Date.now()]));
    assert.equal(plan.key, 'ix_webhook_deliveries_pending_only', JSON.stringify(plan));
    assert.equal(plan.type, 'range', JSON.stringify(plan));
    assert.ok(Number(plan.r_rows) >= 10 && Number(plan.r_rows) < 100, `the pending entries only, not the 2,000 rows: ${JSON.stringify(plan)}`);
    assert.equal((await t.nbi(`/webhooks/${id}`, { method: 'DELETE' })).status, 204);
  });

  it('deletes settled deliveries past their retention, pending and recent ones stay', async () => {
    await worker?.close();
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['device.boot'], secret: SECRET }) });
    const { id } = (await r.json()) as { id: number };
    const store = new WebhookStore(t.acs.store.sql);
    const at = (ageMs: number) => ({ webhook: id, event: { event: 'device.boot' as const, device: 'R-E-T', time: Date.now() - ageMs, data: {} } });
    const [delivered, failed, skipped, pending, recent] = await store.addDeliveries([at(60_000), at(60_000), at(60_000), at(60_000), at(0)]);
    await store.settle(delivered, 'delivered');
    await store.settle(failed, 'failed');
    await store.settle(skipped, 'skipped');
    await store.settle(recent, 'delivered');
    // Batches of one: the loop over full batches is what a large log goes through.
    assert.equal(await store.purge(Date.now() - 30_000, 1), 3);
    for (const gone of [delivered, failed, skipped]) assert.equal(await store.delivery(gone), null);
    assert.equal((await store.delivery(pending))?.status, 'pending', 'a pending delivery is kept however old');
    assert.equal((await store.delivery(recent))?.status, 'delivered');
    // The worker purges on its own, with the rescue.
    const [old] = await store.addDeliveries([at(60_000)]);
    await store.settle(old, 'delivered');
    const options = { timeoutMs: 2000, retryBaseMs: 100, maxRetryMs: 200, disableAfterMs: 60_000, rescueEveryMs: 200, rescueAfterMs: 1000, retentionMs: 30_000 };
    worker = startDeliveryWorker({ connect: () => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }), prefix: bullPrefix(t.config.redisPrefix), redisPrefix: t.config.redisPrefix, view: new SubscriptionView(store), store, log: createLogger('silent'), options });
    await until('the old delivery deleted by the worker', async () => (await store.delivery(old)) === null, 10_000);
    assert.equal((await store.delivery(recent))?.status, 'delivered');
  });
});

describe('webhooks: a receiver down for a whole minute', function () {
  this.timeout(180_000);
  let t: TestAcs;
  const receiver = new Receiver();
  const cpes: ScriptedCpe[] = [];
  before(async () => {
    // The default base delay; a 10 s cap (WEBHOOK_RETRY_MAX_MS) so the test's wait after the outage stays short.
    t = await startTestAcs('webhooks_minute', { webhookRetryMaxMs: 10_000 });
    await receiver.open();
  });
  after(async () => {
    cpes.forEach((c) => c.close());
    await receiver.shut().catch(() => undefined);
    await t?.stop();
  });

  it('gets every event of the minute exactly once by delivery id, in order, once it is back', async () => {
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['device.boot', 'device.inform'], secret: SECRET }) });
    const { id } = (await r.json()) as { id: number };
    await receiver.shut();
    const downAt = Date.now();
    // A session every 10 s while the receiver is down, boots and periodic ones by turns: 3 × 2 + 3 × 1 events.
    const codes = ['1 BOOT', '2 PERIODIC', '1 BOOT', '2 PERIODIC', '1 BOOT', '2 PERIODIC'];
    for (const [n, code] of codes.entries()) {
      const c = new ScriptedCpe(t.cwmpUrl);
      cpes.push(c);
      assert.equal((await c.post(inform('HOOK-MINUTE', [code]))).envelope?.body.method, 'InformResponse');
      assert.equal((await c.post(null)).status, 204);
      await sleep(Math.max(0, downAt + (n + 1) * 10_000 - Date.now()));
    }
    const pending = (await (await t.nbi(`/webhooks/${id}/deliveries?status=pending&limit=100`)).json()) as { attempts: number }[];
    assert.equal(pending.length, 9, 'all waiting');
    assert.ok(pending.some((d) => d.attempts >= 3), 'retried while the receiver was down');
    await receiver.open();
    await until('every delivery', async () => receiver.got.length >= 9, 60_000);
    await sleep(2000);
    assert.equal(receiver.got.length, 9, 'nothing twice');
    assert.equal(new Set(receiver.got.map((g) => g.id)).size, 9);
    assert.equal(receiver.bad, 0, 'every signature verifies');
    const informs = receiver.got.filter((g) => g.event === 'device.inform').map((g) => (g.data.events as string[]).join('+'));
    assert.deepEqual(informs, codes, 'a device\'s events in order');
    assert.equal(receiver.got.filter((g) => g.event === 'device.boot').length, 3);

  });
});
