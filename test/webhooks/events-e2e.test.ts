/**
 * Webhook events end to end (issue 10 §2) that webhooks.test.ts leaves out:
 * task.done, task.failed, device.fault, campaign.stopped and parameter.changed
 * (from a "4 VALUE CHANGE" Inform and from a read). Each test subscribes over
 * HTTP (POST /webhooks), makes the event with the simulator (src/sim) or the
 * REST API against the real server, and checks what a local receiver got: the
 * body's shape and meaningful fields, one delivery per delivery id, and the
 * signature verified here with node:crypto (not with src/webhooks/sign.ts).
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import type { BaseModel } from '../../src/sim/model';
import type { SimDevice } from '../../src/sim/device';
import type { RpcOptions } from '../../src/sim/cpe';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { sleep, until } from '../helpers/wait';
import { signatureHolds } from '../helpers/webhook-signature';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const SSID1 = 'Device.WiFi.SSID.1.SSID';
const SSID2 = 'Device.WiFi.SSID.2.SSID';
const SW = 'Device.DeviceInfo.SoftwareVersion';
const FAULT_SERIAL = 'HKDF000000';
/** How long a test waits, once its delivery came, for a second one that must not come. */
const SETTLE_MS = 1500;

interface Payload {
  id: string;
  event: string;
  time: string;
  device: string | null;
  data: Record<string, unknown>;
}

interface Hit {
  /** The URL path the subscription posts to: one per subscription. */
  path: string;
  raw: string;
  headers: http.IncomingHttpHeaders;
  body: Payload;
  at: number;
}

interface Sub {
  id: number;
  secret: string;
  path: string;
}

describe('webhooks: device, task, campaign and parameter events end to end (simulator, real server, independent signature check)', function () {
  this.timeout(30_000);
  let t: TestAcs;
  let model: BaseModel;
  let server: http.Server;
  let base = '';
  const hits: Hit[] = [];
  const fleets: Fleet[] = [];
  const subs: Sub[] = [];
  const reports: string[] = [];

  before(async function () {
    this.timeout(60_000);
    // One device (by serial number) runs a provision writing a value that device refuses (9003 with 9007): its channel faults.
    // (A read-only parameter would not do: the engine takes a 9008 as "not writable" and leaves the write out, src/engine/recovery.ts.)
    const presetsDir = dirWith({ 'hookfault.yaml': `channel: hookfault\nprecondition: DeviceID.SerialNumber = "${FAULT_SERIAL}"\nprovisions:\n  - [hookfault]\n` });
    const provisionsDir = dirWith({ 'hookfault.js': `declare('${SSID1}', { value: 1 }, { value: 'from-provision' });\n` });
    t = await startTestAcs('webhooks_events_e2e', { sessionTimeoutMs: 5000, presetsDir, provisionsDir, webhookRetryBaseMs: 100, webhookRetryMaxMs: 500 });
    model = loadModel(TR181);
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        hits.push({ path: req.url ?? '', raw, headers: req.headers, body: JSON.parse(raw) as Payload, at: Date.now() });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    // A test's subscriptions go with it: the next test's events are not posted to them.
    for (const s of subs.splice(0)) await t.nbi(`/webhooks/${s.id}`, { method: 'DELETE' });
  });

  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.stop();
  });

  async function subscribe(name: string, body: Record<string, unknown>): Promise<Sub> {
    const r = await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: `${base}/${name}`, ...body }) });
    assert.equal(r.status, 201, await r.clone().text());
    const created = (await r.json()) as { id: number; secret: string };
    if (body.secret !== undefined) assert.equal(created.secret, body.secret);
    const sub = { id: created.id, secret: created.secret, path: `/${name}` };
    subs.push(sub);
    return sub;
  }

  async function fleetOf(serialBase: string, rpcOptions: RpcOptions = {}): Promise<{ fleet: Fleet; device: SimDevice; key: string }> {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model, devices: 1, serialBase, concurrency: 1, rpcOptions, report: (k, m) => reports.push(`${k}: ${m}`) });
    fleets.push(fleet);
    const device = fleet.devices[0];
    return { fleet, device, key: deviceKeyOf(device.deviceId()) };
  }

  /** One session of the device (it carries what waits for it), ended. */
  async function session(fleet: Fleet, device: SimDevice, event = '6 CONNECTION REQUEST'): Promise<void> {
    const completed = fleet.stats.completed;
    fleet.connect(device, event);
    await fleet.idle();
    assert.equal(fleet.stats.completed, completed + 1, `the session completed\n${reports.slice(-5).join('\n')}`);
  }

  async function task(key: string, body: Record<string, unknown>): Promise<number> {
    const r = await t.nbi(`/devices/${encodeURIComponent(key)}/tasks`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(r.status, 202, await r.clone().text());
    return Number(((await r.json()) as { id: number | string }).id);
  }

  const of = (sub: Sub) => hits.filter((h) => h.path === sub.path);

  /** Waits for the subscription's first delivery that `match` accepts. */
  async function first(sub: Sub, what: string, match: (h: Hit) => boolean = () => true, timeoutMs = 15_000): Promise<Hit> {
    await until(what, async () => of(sub).some(match), timeoutMs);
    return of(sub).find(match) as Hit;
  }

  /**
   * The delivery as a receiver must see it: the five fields, its headers, an
   * ISO time close to now, and a signature that verifies with the
   * subscription's secret over `t.<raw body>` (and fails with another secret,
   * another body or another t).
   */
  function checkDelivery(sub: Sub, hit: Hit, event: string, device: string | null): void {
    const { body, headers, raw } = hit;
    assert.deepEqual(Object.keys(body).sort(), ['data', 'device', 'event', 'id', 'time']);
    assert.equal(body.event, event);
    assert.equal(body.device, device);
    assert.equal(typeof body.id, 'string');
    assert.ok(body.id.length >= 8, body.id);
    assert.equal(headers['x-acs-delivery'], body.id);
    assert.equal(headers['x-acs-event'], event);
    assert.match(String(headers['content-type']), /^application\/json/);
    assert.equal(typeof body.time, 'string');
    assert.equal(new Date(body.time).toISOString(), body.time, 'ISO 8601');
    assert.ok(Math.abs(Date.parse(body.time) - hit.at) < 60_000, `time ${body.time} near its delivery`);
    assert.equal(typeof body.data, 'object');
    assert.notEqual(body.data, null);

    const header = String(headers['x-acs-signature'] ?? '');
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    assert.ok(m, `X-ACS-Signature: ${header}`);
    const ts = Number(m[1]);
    assert.ok(Math.abs(ts - Math.floor(hit.at / 1000)) <= 5, `t=${ts} is the time of the POST`);
    const at = Math.floor(hit.at / 1000);
    assert.equal(signatureHolds(sub.secret, raw, header, at), true);
    assert.equal(signatureHolds(`${sub.secret}x`, raw, header, at), false, 'another secret does not verify');
    assert.equal(signatureHolds(sub.secret, raw.replace('"', ' "'), header, at), false, 'another body does not verify');
    assert.equal(signatureHolds(sub.secret, raw, header.replace(/^t=\d+/, `t=${ts - 1}`), at), false, 't is signed too');
  }

  /** The delivery came once (by id), it is the subscription's only one of `event` for `device`, and the log has it delivered at its first attempt. */
  async function onlyOnce(sub: Sub, hit: Hit, event: string, device: string | null): Promise<void> {
    await sleep(SETTLE_MS);
    assert.equal(of(sub).filter((h) => h.body.id === hit.body.id).length, 1, 'not delivered twice');
    assert.equal(of(sub).filter((h) => h.body.event === event && h.body.device === device).length, 1, `one ${event} delivery: ${JSON.stringify(of(sub).map((h) => h.body))}`);
    let log: { id: string; event: string; status: string; attempts: number }[] = [];
    await until('the delivery logged as delivered', async () => {
      log = (await (await t.nbi(`/webhooks/${sub.id}/deliveries?limit=1000`)).json()) as typeof log;
      return log.some((d) => d.id === hit.body.id && d.status === 'delivered');
    });
    const entry = log.find((d) => d.id === hit.body.id);
    assert.equal(entry?.event, event);
    assert.equal(entry?.attempts, 1, 'answered 204 at the first attempt');
  }

  it('task.done: a getParameterValues task the device answers, with its id and result', async () => {
    const { fleet, device, key } = await fleetOf('HKTD');
    await session(fleet, device, '0 BOOTSTRAP');
    const sub = await subscribe('task-done', { events: ['task.done', 'task.failed'] });
    const id = await task(key, { name: 'getParameterValues', parameterNames: [SSID1] });
    await session(fleet, device);
    const hit = await first(sub, 'task.done', (h) => h.body.event === 'task.done');
    checkDelivery(sub, hit, 'task.done', key);
    const data = hit.body.data as { sessionId: unknown; task: unknown; result: { ParameterList: { Name: string; Value: string; type: string }[] } };
    assert.deepEqual(Object.keys(data).sort(), ['result', 'sessionId', 'task']);
    assert.equal(data.task, id);
    assert.equal(typeof data.sessionId, 'string');
    assert.deepEqual(data.result.ParameterList, [{ Name: SSID1, Value: device.model.getValue(SSID1), type: 'xsd:string' }]);
    assert.equal(device.model.getValue(SSID1), 'TP-Link_2AC8');
    assert.equal(((await (await t.nbi(`/tasks/${id}`)).json()) as { status: string }).status, 'done');
    await onlyOnce(sub, hit, 'task.done', key);
    assert.equal(of(sub).filter((h) => h.body.event === 'task.failed').length, 0);
  });

  it('task.failed: a setParameterValues of a read-only parameter the device refuses (9003 with 9008), with the fault', async () => {
    const { fleet, device, key } = await fleetOf('HKTF');
    await session(fleet, device, '0 BOOTSTRAP');
    const before = device.model.getValue(SW);
    // A secret of the caller's own, this time.
    const sub = await subscribe('task-failed', { events: ['task.done', 'task.failed'], secret: 'the-callers-own-secret-42' });
    const id = await task(key, { name: 'setParameterValues', parameterValues: [[SW, 'hacked', 'xsd:string']] });
    await session(fleet, device);
    const hit = await first(sub, 'task.failed', (h) => h.body.event === 'task.failed');
    checkDelivery(sub, hit, 'task.failed', key);
    const data = hit.body.data as { sessionId: unknown; task: unknown; fault: { code: unknown; message: unknown; detail?: { ParameterName: string; FaultCode: number }[] } };
    assert.deepEqual(Object.keys(data).sort(), ['fault', 'sessionId', 'task']);
    assert.equal(data.task, id);
    assert.equal(typeof data.sessionId, 'string');
    assert.equal(data.fault.code, 9003);
    assert.equal(typeof data.fault.message, 'string');
    assert.deepEqual(data.fault.detail?.map((d) => [d.ParameterName, d.FaultCode]), [[SW, 9008]]);
    assert.equal(device.model.getValue(SW), before, 'the device refused it');
    const stored = (await (await t.nbi(`/tasks/${id}`)).json()) as { status: string };
    assert.equal(stored.status, 'fault');
    await onlyOnce(sub, hit, 'task.failed', key);
    assert.equal(of(sub).filter((h) => h.body.event === 'task.done').length, 0);
  });

  it('device.fault: a preset\'s provision whose write the device refuses becomes a channel fault, stored and delivered', async () => {
    const sub = await subscribe('device-fault', { events: ['device.fault'] });
    // This device refuses every SetParameterValues value (the simulator's fault injection: 9003 with 9007 for each parameter).
    const { fleet, device, key } = await fleetOf('HKDF', { refuseSetParameterValues: 9007 });
    assert.equal(device.deviceId().SerialNumber, FAULT_SERIAL);
    await session(fleet, device, '0 BOOTSTRAP');
    const hit = await first(sub, 'device.fault');
    checkDelivery(sub, hit, 'device.fault', key);
    const data = hit.body.data as { sessionId: unknown; channel: string; code: string; message: string; retries: number };
    assert.deepEqual(Object.keys(data).sort(), ['channel', 'code', 'message', 'retries', 'sessionId']);
    assert.equal(typeof data.sessionId, 'string');
    assert.equal(data.channel, 'hookfault');
    assert.equal(data.code, 'cwmp.9003');
    assert.match(data.message, /^SetParameterValues: /);
    assert.match(data.message, new RegExp(`${SSID1.replace(/\./g, '\\.')}: 9007`));
    assert.equal(data.retries, 1, 'its first fault');
    assert.equal(device.model.getValue(SSID1), 'TP-Link_2AC8', 'the device refused it');
    // Stored as the device's fault, the same one.
    const faults = (await (await t.nbi(`/faults?device=${encodeURIComponent(key)}`)).json()) as { channel: string; code: string; message: string; retries: number }[];
    const stored = faults.find((f) => f.channel === 'hookfault');
    assert.ok(stored, JSON.stringify(faults));
    assert.deepEqual([stored.code, stored.message, stored.retries], [data.code, data.message, data.retries]);
    await onlyOnce(sub, hit, 'device.fault', key);
  });

  it('parameter.changed from a "4 VALUE CHANGE" Inform: each subscription gets only the parameters it names', async () => {
    const { fleet, device, key } = await fleetOf('HKVC');
    await session(fleet, device, '0 BOOTSTRAP');
    // The ACS turns active notification on for both SSIDs and reads them (their values cached).
    const attrs = await task(key, { name: 'setParameterAttributes', parameterAttributes: [{ name: SSID1, notification: 2 }, { name: SSID2, notification: 2 }] });
    const read = await task(key, { name: 'getParameterValues', parameterNames: [SSID1, SSID2] });
    await session(fleet, device);
    for (const id of [attrs, read]) assert.equal(((await (await t.nbi(`/tasks/${id}`)).json()) as { status: string }).status, 'done');

    const one = await subscribe('vc-one', { events: ['parameter.changed'], parameters: [SSID1] });
    const wifi = await subscribe('vc-wifi', { events: ['parameter.changed'], parameters: ['Device.WiFi.SSID.'] });
    const other = await subscribe('vc-other', { events: ['parameter.changed'], parameters: ['Device.DeviceInfo.ProvisioningCode'] });
    // A user changes both on the device: active notification, so the device opens a session at once.
    const completed = fleet.stats.completed;
    device.model.deviceChange(SSID1, 'user-ssid-1');
    fleet.deviceChange(device, SSID2, 'user-ssid-2');
    await fleet.idle();
    assert.equal(fleet.stats.completed, completed + 1, 'the device informed by itself');
    const stored = await t.acs.store.getDevice(key);
    const informs = (stored?.history ?? []).filter((h) => h.kind === 'inform');
    assert.match(JSON.stringify(informs[informs.length - 1]?.detail), /4 VALUE CHANGE/);

    const hitOne = await first(one, 'the SSID1 change');
    const hitWifi = await first(wifi, 'the SSID changes');
    checkDelivery(one, hitOne, 'parameter.changed', key);
    checkDelivery(wifi, hitWifi, 'parameter.changed', key);
    assert.deepEqual(Object.keys(hitOne.body.data).sort(), ['changes', 'sessionId']);
    assert.equal(hitOne.body.data.sessionId, hitWifi.body.data.sessionId, 'one session, one event');
    assert.notEqual(hitOne.body.id, hitWifi.body.id, 'a delivery per subscription');
    assert.deepEqual(hitOne.body.data.changes, [{ path: SSID1, old: 'TP-Link_2AC8', value: 'user-ssid-1', type: 'xsd:string' }]);
    const changes = (hitWifi.body.data.changes as { path: string }[]).slice().sort((a, b) => a.path.localeCompare(b.path));
    assert.deepEqual(changes, [
      { path: SSID1, old: 'TP-Link_2AC8', value: 'user-ssid-1', type: 'xsd:string' },
      { path: SSID2, old: 'TP-Link_2AC8_1', value: 'user-ssid-2', type: 'xsd:string' },
    ]);
    await onlyOnce(one, hitOne, 'parameter.changed', key);
    await onlyOnce(wifi, hitWifi, 'parameter.changed', key);
    assert.equal(of(other).length, 0, 'no delivery for a subscription naming none of the changed parameters');
  });

  it('parameter.changed from a read: a getParameterValues whose answer changes a cached value (no notification)', async () => {
    const { fleet, device, key } = await fleetOf('HKRD');
    await session(fleet, device, '0 BOOTSTRAP');
    await task(key, { name: 'getParameterValues', parameterNames: [SSID1, SSID2] });
    await session(fleet, device);
    const sub = await subscribe('read-one', { events: ['parameter.changed'], parameters: [SSID2] });
    // Changed on the device with notification off: no session, no Inform reports it.
    device.model.deviceChange(SSID1, 'quiet-1');
    fleet.deviceChange(device, SSID2, 'quiet-2');
    assert.equal(device.model.hasValueChanges(), false);
    assert.equal(device.inSession, false);
    await sleep(300);
    assert.equal(of(sub).length, 0, 'nothing until the ACS reads it');
    const read = await task(key, { name: 'getParameterValues', parameterNames: [SSID1, SSID2] });
    await session(fleet, device);
    const hit = await first(sub, 'the SSID2 change');
    checkDelivery(sub, hit, 'parameter.changed', key);
    assert.deepEqual(Object.keys(hit.body.data).sort(), ['changes', 'sessionId']);
    assert.equal(typeof hit.body.data.sessionId, 'string');
    assert.deepEqual(hit.body.data.changes, [{ path: SSID2, old: 'TP-Link_2AC8_1', value: 'quiet-2', type: 'xsd:string' }], 'SSID1 changed too, but the subscription does not name it');
    assert.equal(((await (await t.nbi(`/tasks/${read}`)).json()) as { status: string }).status, 'done');
    const cached = await t.acs.store.getParameters(key, SSID1);
    assert.equal(cached[0]?.value, 'quiet-1', 'the read cached SSID1\'s change as well');
    await onlyOnce(sub, hit, 'parameter.changed', key);
  });

  it('campaign.stopped: a campaign whose stop rule fires (its device refuses the write), with the reason', async () => {
    const { fleet, device, key } = await fleetOf('HKCS');
    await session(fleet, device, '0 BOOTSTRAP');
    const sub = await subscribe('campaign', { events: ['campaign.stopped', 'campaign.progress'] });
    const c = await t.nbi('/campaigns', {
      method: 'POST',
      body: JSON.stringify({
        name: 'hook-stop', query: `DeviceID.SerialNumber = "${device.deviceId().SerialNumber}"`,
        action: { task: { name: 'setParameterValues', parameterValues: [[SW, 'hacked', 'xsd:string']] } },
        failureThreshold: 0.5, minSample: 1, ratePerMinute: 6000,
      }),
    });
    assert.equal(c.status, 201, await c.clone().text());
    const campaign = ((await c.json()) as { id: string }).id;
    const stopped = (h: Hit) => h.body.event === 'campaign.stopped' && h.body.data.campaign === campaign;
    // The campaign's task waits for the device's next session: sessions until the campaign stops.
    await until('campaign.stopped', async () => {
      if (of(sub).some(stopped)) return true;
      await session(fleet, device);
      await sleep(200);
      return of(sub).some(stopped);
    }, 25_000);
    const hit = of(sub).find(stopped) as Hit;
    checkDelivery(sub, hit, 'campaign.stopped', null);
    const data = hit.body.data as { campaign: string; status: string; reason: string; stage: number; stages: number; progress: { total: number; counts: Record<string, number> }[] };
    assert.deepEqual(Object.keys(data).sort(), ['campaign', 'progress', 'reason', 'stage', 'stages', 'status']);
    assert.equal(data.status, 'stopped');
    assert.equal(data.reason, 'stage 1 of 1: 1 of 1 finished devices failed (100 % >= 50 %)');
    assert.equal(data.stage, 0);
    assert.equal(data.stages, 1);
    assert.equal(data.progress.length, 1);
    assert.equal(data.progress[0].total, 1);
    assert.equal(data.progress[0].counts.failed, 1);
    const detail = (await (await t.nbi(`/campaigns/${campaign}`)).json()) as { status: string; reason: string };
    assert.equal(detail.status, 'stopped');
    assert.equal(detail.reason, data.reason);
    assert.notEqual(device.model.getValue(SW), 'hacked');
    await onlyOnce(sub, hit, 'campaign.stopped', null);
    assert.ok(!of(sub).some((h) => h.body.data.campaign === campaign && h.body.data.status === 'done'), 'never reported done');
    const devices = (await (await t.nbi(`/campaigns/${campaign}/devices`)).json()) as { device: string; status: string }[];
    assert.deepEqual(devices.map((d) => [d.device, d.status]), [[key, 'failed']]);
  });
});
