/**
 * QoE collection end to end, against the real server (MariaDB, Redis, the
 * engine worker) and simulated CPEs built from a real TR-181 device's data
 * model (TP-Link XX230v): collection profiles through the API, reads in the
 * device's own sessions (qoe-collect), bulk data reports (qoe-bulkdata and
 * the file server's collector), counters stored as rates, the export stream.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import Redis from 'ioredis';
import { deviceKeyOf } from '../../src/model/device-key';
import { BulkDataAccess } from '../../src/qoe/collector/access';
import { qoeKeys } from '../../src/qoe/frames/keys';
import { REBOOTS_PATH, type Series } from '../../src/qoe/types';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { SimClock } from '../../src/sim/traffic/clock';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { freePort } from '../helpers/private-services';
import { until } from '../helpers/wait';
import { nbiJson, type JsonReply } from './nbi-json';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const PROVISIONS = path.resolve(__dirname, '../../provisions');
const FAST = { parameters: [
  { path: 'Device.IP.Interface.*.Stats.BytesReceived', kind: 'counter', alias: 'WANBytesIn' },
  { path: 'Device.IP.Interface.*.Stats.ErrorsReceived', kind: 'counter' },
  { path: 'Device.DeviceInfo.UpTime', kind: 'gauge' },
], intervalS: 60 };

describe('QoE collection: profiles, reads in sessions, bulk data reports, rates', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let fsUrl: string;
  let redis: Redis;
  const fleets: Fleet[] = [];
  const model = loadModel(MODEL);

  const json = (p: string, init?: RequestInit): Promise<JsonReply> => nbiJson(t, p, init);
  const seriesOf = async (device: string, profile: string): Promise<Series[]> => {
    const r = await json(`/qoe/devices/${encodeURIComponent(device)}/series?profile=${profile}&from=${Date.now() - 86_400_000}&to=${Date.now() + 7_200_000}&resolution=raw`);
    if (r.status !== 200) throw new Error(`series: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Series[];
  };

  before(async () => {
    const fsPort = await freePort();
    fsUrl = `http://127.0.0.1:${fsPort}`;
    const presets = dirWith({
      'collect.yaml': 'precondition: DeviceID.SerialNumber LIKE "QGPV%"\nevents: ["2 PERIODIC"]\nchannel: qoe\nprovisions:\n  - [qoe-collect, fast]\n',
      'bulk.yaml': 'precondition: DeviceID.SerialNumber LIKE "QBDR%"\nchannel: qoe-bulkdata\nprovisions:\n  - [qoe-bulkdata, fast, JSON]\n',
    });
    t = await startTestAcs('qoe_collection', { provisionsDir: PROVISIONS, presetsDir: presets, fsPort, fsUrl, qoeExportMax: 1000, sessionTimeoutMs: 5000 });
    redis = new Redis(TEST_REDIS_URL);
    assert.equal((await json('/qoe/profiles/fast', { method: 'PUT', body: JSON.stringify(FAST) })).status, 201);
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    redis?.disconnect();
    await t?.stop();
  });

  describe('profiles through the REST API', () => {
    it('lists the shipped profiles and the stored ones, with their origin', async () => {
      const { status, body } = await json('/qoe/profiles');
      assert.equal(status, 200);
      const byName = new Map((body as { name: string; origin: string }[]).map((p) => [p.name, p]));
      for (const shipped of ['interfaces', 'wifi', 'dsl', 'pon', 'system', 'iptv']) assert.equal(byName.get(shipped)?.origin, 'builtin', shipped);
      assert.equal(byName.get('fast')?.origin, 'stored');
      const fast = (await json('/qoe/profiles/fast')).body as { parameters: { path: string; bits?: number }[] };
      // Device.IP.Interface.{i}.Stats.BytesReceived is an unsignedLong, ErrorsReceived an unsignedInt.
      assert.deepEqual(fast.parameters.map((p) => p.bits), [64, 32, undefined]);
    });

    it('refuses a bad profile with a 400 naming the field, and stores nothing', async () => {
      const bad = await json('/qoe/profiles/broken', { method: 'PUT', body: JSON.stringify({ ...FAST, parameters: [{ path: 'Device..Nope', kind: 'counter' }] }) });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /parameters\.0\.path|parameters\[0\]\.path/);
      const short = await json('/qoe/profiles/broken', { method: 'PUT', body: JSON.stringify({ ...FAST, intervalS: 5 }) });
      assert.equal(short.status, 400);
      assert.match(JSON.stringify(short.body), /intervalS/);
      assert.equal((await json('/qoe/profiles/broken')).status, 404);
    });

    it('replaces a shipped profile by name, and deleting the replacement brings the shipped one back; a shipped one cannot be deleted', async () => {
      assert.equal((await json('/qoe/profiles/system', { method: 'PUT', body: JSON.stringify(FAST) })).status, 201);
      assert.equal((await json('/qoe/profiles/system')).body.origin, 'stored');
      assert.equal((await json('/qoe/profiles/system', { method: 'DELETE' })).status, 204);
      assert.equal((await json('/qoe/profiles/system')).body.origin, 'builtin');
      const refused = await json('/qoe/profiles/system', { method: 'DELETE' });
      assert.equal(refused.status, 409);
      assert.match(String(refused.body.error), /shipped/);
      assert.equal((await json('/qoe/profiles/nope', { method: 'DELETE' })).status, 404);
    });
  });

  describe('reads in the device\'s own sessions (qoe-collect)', () => {
    let fleet: Fleet;
    let device: string;

    before(async () => {
      fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model, devices: 1, serialBase: 'QGPV', traffic: true });
      fleets.push(fleet);
      await fleet.connectAll();
      device = deviceKeyOf(fleet.devices[0].deviceId());
    });

    it('reads the profile\'s parameters in a periodic session and stores them; a read a few seconds later makes rates', async () => {
      await fleet.connectAll('2 PERIODIC');
      await until('the first frame stored', async () => (await seriesOf(device, 'fast')).some((s) => s.path === 'Device.DeviceInfo.UpTime' && s.points.length > 0), 15_000);
      // A counter's first read makes no point (a rate needs two); a second read a few seconds later (a
      // task, in the next session: the provision waits for its interval) does.
      await new Promise((r) => setTimeout(r, 2000));
      const task = await json(`/devices/${encodeURIComponent(device)}/tasks`, { method: 'POST', body: JSON.stringify({ name: 'getParameterValues', parameterNames: ['Device.IP.Interface.', 'Device.DeviceInfo.UpTime'] }) });
      assert.ok(task.status >= 200 && task.status < 300, `task: ${task.status} ${JSON.stringify(task.body)}`);
      await fleet.connectAll('2 PERIODIC');
      const isBytes = (s: Series) => /^Device\.IP\.Interface\.\d+\.Stats\.BytesReceived$/.test(s.path);
      await until('a rate', async () => (await seriesOf(device, 'fast')).some((s) => isBytes(s) && s.points.length > 0), 15_000);
      const rate = (await seriesOf(device, 'fast')).find(isBytes) as Series;
      assert.equal(rate.kind, 'counter');
      assert.equal(rate.unit, 'per-second');
      assert.ok(rate.points.some((p) => p.value > 0), `the simulated traffic moved the counter: ${JSON.stringify(rate.points)}`);
      assert.ok(rate.points.every((p) => Number.isFinite(p.value) && p.value >= 0), JSON.stringify(rate.points));
    });

    it('sees a reboot (the uptime and counters reset): a point of the @reboots series, and no negative rate', async () => {
      const task = await json(`/devices/${encodeURIComponent(device)}/tasks`, { method: 'POST', body: JSON.stringify({ name: 'reboot' }) });
      assert.ok(task.status >= 200 && task.status < 300, `reboot: ${task.status} ${JSON.stringify(task.body)}`);
      await fleet.connectAll('2 PERIODIC');
      // The device comes back with "1 BOOT"; then a read of the counters and the uptime.
      await fleet.connectAll('1 BOOT');
      const read = await json(`/devices/${encodeURIComponent(device)}/tasks`, { method: 'POST', body: JSON.stringify({ name: 'getParameterValues', parameterNames: ['Device.IP.Interface.', 'Device.DeviceInfo.UpTime'] }) });
      assert.ok(read.status >= 200 && read.status < 300);
      await fleet.connectAll('2 PERIODIC');
      await until('the reboot recorded', async () => (await seriesOf(device, 'fast')).some((s) => s.path === REBOOTS_PATH && s.points.length > 0), 15_000);
      for (const s of await seriesOf(device, 'fast')) {
        if (s.kind === 'counter') assert.ok(s.points.every((p) => p.value >= 0), `${s.path}: ${JSON.stringify(s.points)}`);
      }
    });

    it('copies the stored frames to the export stream (QOE_EXPORT_MAX)', async () => {
      const entries = (await redis.xrange(qoeKeys(t.config.redisPrefix).export, '-', '+')) as [string, string[]][];
      const frames = entries.flatMap(([, f]) => JSON.parse(f[1]) as { device: string; profile: string }[]);
      assert.ok(frames.some((f) => f.device === device && f.profile === 'fast'), `export has ${frames.length} frames`);
    });
  });

  describe('bulk data reports (qoe-bulkdata and the collector)', () => {
    it('configures the device\'s BulkData profile, and its reports become series', async () => {
      const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model, devices: 1, serialBase: 'QBDR', traffic: true, bulkData: true, clock: new SimClock({ speed: 30 }) });
      fleets.push(fleet);
      await fleet.connectAll();
      const device = deviceKeyOf(fleet.devices[0].deviceId());
      await until('reports stored', async () => (await seriesOf(device, 'fast')).some((s) => s.points.length > 0), 30_000);
      const series = await seriesOf(device, 'fast');
      assert.ok(series.some((s) => s.path === 'Device.DeviceInfo.UpTime'), series.map((s) => s.path).join(', '));
    });
  });

  describe('the collector refuses what it should', () => {
    let access: BulkDataAccess;
    before(async () => {
      access = await BulkDataAccess.open(t.acs.store.sql);
    });
    const post = (url: string, body: string, headers: Record<string, string> = {}) =>
      fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
    const report = JSON.stringify({ Report: [{ CollectionTime: 1733300000, 'Device.DeviceInfo.UpTime': 100 }] });

    it('401 without a grant, with a challenge; 401 with a signature of another device', async () => {
      const none = await post(`${fsUrl}/bulkdata/fast`, report);
      assert.equal(none.status, 401);
      assert.match(String(none.headers.get('www-authenticate')), /Basic|Digest/);
      const { url } = access.target(fsUrl, 'fast', 'AAAAAA-X-1');
      const forged = url.replace('AAAAAA-X-1', 'AAAAAA-X-2');
      assert.equal((await post(forged, report)).status, 401);
    });

    it('takes a report on the signed URL or with the device\'s own credentials (Basic)', async () => {
      const target = access.target(fsUrl, 'fast', 'AAAAAA-X-1');
      assert.equal((await post(target.url, report)).status, 204);
      const basic = Buffer.from(`${target.username}:${target.password}`).toString('base64');
      assert.equal((await post(`${fsUrl}/bulkdata/fast`, report, { Authorization: `Basic ${basic}` })).status, 204);
      const wrong = Buffer.from(`${target.username}:nope`).toString('base64');
      assert.equal((await post(`${fsUrl}/bulkdata/fast`, report, { Authorization: `Basic ${wrong}` })).status, 401);
    });

    it('400 naming the problem for a report it cannot read, 404 for an unknown profile, 405 for a GET', async () => {
      const bad = await post(access.target(fsUrl, 'fast', 'AAAAAA-X-1').url, '{"Report": [');
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /JSON/i);
      const unknown = await post(access.target(fsUrl, 'nope', 'AAAAAA-X-1').url, report);
      assert.equal(unknown.status, 404);
      assert.match(await unknown.text(), /no collection profile named "nope"/);
      assert.equal((await fetch(`${fsUrl}/bulkdata/fast`)).status, 405);
    });
  });
});
