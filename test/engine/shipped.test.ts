/**
 * The shipped provisions (provisions/*.js) and presets (presets/*.yaml), end
 * to end: the real server (MariaDB, Redis, engine workers) against simulated
 * CPEs built from real devices' data models, one TR-181 (TP-Link XX230v) and
 * one TR-098 (Huawei EG8145V5). Each suite runs the repository's provisions
 * with the preset(s) under test; the last runs the shipped presets together.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import type { SessionOutcome, SimDevice } from '../../src/sim/device';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import type { BaseModel } from '../../src/sim/model';
import { fileServer } from '../helpers/file-server';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';

const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
const TR181_FILE = path.join(MODELS, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const TR098_FILE = path.join(MODELS, 'device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv');
const PROVISIONS = path.resolve(__dirname, '../../provisions');
const PRESETS = path.resolve(__dirname, '../../presets');

let tr181: BaseModel | undefined;
let tr098: BaseModel | undefined;
const TR181 = (): BaseModel => (tr181 ??= loadModel(TR181_FILE));
const TR098 = (): BaseModel => (tr098 ??= loadModel(TR098_FILE));

const WRITES = new Set(['SetParameterValues', 'SetParameterAttributes', 'AddObject', 'DeleteObject', 'Download', 'Upload', 'Reboot', 'FactoryReset']);

/** A folder of preset files: shipped ones by name, or given text. */
function presetsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'acs-shipped-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function shipped(name: string): string {
  return readFileSync(path.join(PRESETS, name), 'utf8');
}

/** What one device's sessions carried: the Inform's events and every ACS request, in order. */
interface Session {
  events: string[];
  requests: CpeRequest[];
}

/** Records the sessions of a simulated device (wraps its session runner and its request handler). */
function traceOf(device: SimDevice): Session[] {
  const sessions: Session[] = [];
  const d = device as unknown as {
    runSession(reason?: string): Promise<SessionOutcome>;
    execute(request: CpeRequest, id: string | undefined, out: SessionOutcome): Promise<unknown>;
  };
  const run = d.runSession.bind(device);
  d.runSession = (reason?: string) => {
    sessions.push({ events: [...device.events.map((e) => e.EventCode), ...(reason ? [reason] : [])], requests: [] });
    return run(reason);
  };
  const execute = d.execute.bind(device);
  d.execute = (request, id, out) => {
    sessions[sessions.length - 1].requests.push(request);
    return execute(request, id, out);
  };
  return sessions;
}

const methods = (s: Session | undefined): string[] => (s ? s.requests.map((r) => r.method) : []);
const writesOf = (s: Session | undefined): string[] => methods(s).filter((m) => WRITES.has(m));
const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];
const keyOf = (device: SimDevice): string => deviceKeyOf(device.deviceId());
const serialOf = (device: SimDevice): string => device.deviceId().SerialNumber;

/** The value of a parameter in the ACS's cache (null when it has the path without a value, undefined when not at all). */
async function cached(t: TestAcs, device: SimDevice, p: string): Promise<string | null | undefined> {
  const rows = await t.acs.store.getParameters(keyOf(device), p);
  return rows.find((r) => r.path === p)?.value;
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

describe('shipped provisions and presets (simulator, MariaDB, Redis, engine)', function () {
  this.timeout(120_000);
  const reports: string[] = [];
  const fleets: Fleet[] = [];
  let t: TestAcs | undefined;

  async function start(suite: string, presets: Record<string, string>): Promise<TestAcs> {
    t = await startTestAcs(`shipped_${suite}`, { sessionTimeoutMs: 3000, presetsDir: presetsDir(presets), provisionsDir: PROVISIONS });
    return t;
  }

  async function fleetOf(model: BaseModel, devices: number, serialBase: string): Promise<{ fleet: Fleet; traces: Session[][] }> {
    const fleet = await Fleet.create({ acsUrl: (t as TestAcs).cwmpUrl, model, devices, serialBase, concurrency: 20, report: (k, m) => reports.push(`${k}: ${m}`) });
    fleets.push(fleet);
    return { fleet, traces: fleet.devices.map(traceOf) };
  }

  /** One session of each device (a periodic Inform unless told), waiting for all to end. */
  async function sessions(fleet: Fleet, devices: SimDevice[] = fleet.devices, event = '2 PERIODIC'): Promise<void> {
    for (const d of devices) fleet.connect(d, event);
    await fleet.idle();
  }

  function clean(fleet: Fleet): void {
    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
    assert.equal(fleet.stats.failed + fleet.stats.refused, 0, reports.join('\n'));
  }

  async function noChannelFaults(device: SimDevice): Promise<void> {
    assert.deepEqual(await (t as TestAcs).acs.store.getChannelFaults(keyOf(device)), []);
  }

  afterEach(async () => {
    await Promise.all(fleets.splice(0).map((f) => f.close()));
    await t?.stop();
    t = undefined;
    reports.length = 0;
  });

  describe('bootstrap', () => {
    for (const [label, model, root] of [['TR-181', TR181, 'Device'], ['TR-098', TR098, 'InternetGatewayDevice']] as const) {
      it(`reads DeviceInfo and ManagementServer at first contact and again after a factory reset (${label})`, async () => {
        const acs = await start(`boot_${label === 'TR-181' ? 181 : 98}`, { 'bootstrap.yaml': shipped('bootstrap.yaml') });
        const { fleet, traces } = await fleetOf(model(), 1, `SHBOOT${label.slice(3)}-`);
        const device = fleet.devices[0];
        await fleet.connectAll();
        clean(fleet);
        const first = traces[0][0];
        assert.deepEqual(first.events, ['0 BOOTSTRAP', '1 BOOT']);
        assert.deepEqual(writesOf(first), [], 'reads only');
        assert.ok(methods(first).includes('GetParameterValues'), methods(first).join());
        for (const p of ['DeviceInfo.Manufacturer', 'DeviceInfo.ModelName', 'DeviceInfo.UpTime', 'ManagementServer.URL', 'ManagementServer.PeriodicInformInterval', 'ManagementServer.ConnectionRequestUsername']) {
          assert.equal(await cached(acs, device, `${root}.${p}`), device.model.getValue(`${root}.${p}`), p);
        }
        // Secrets read back as "": never asked for, so the cache holds no value for them.
        const gpv = first.requests.flatMap((r) => (r.method === 'GetParameterValues' ? r.ParameterNames : []));
        assert.ok(!gpv.some((n) => /Password$/.test(n)), gpv.join());
        assert.notEqual(await cached(acs, device, `${root}.ManagementServer.ConnectionRequestPassword`), '');

        // Periodic sessions: the preset does not run.
        await sessions(fleet);
        assert.deepEqual(methods(last(traces[0])), []);

        // A factory reset (the sim keeps its model; the device says 0 BOOTSTRAP): values changed meanwhile are read again.
        device.setPeriodicInterval(777);
        device.addEvent('1 BOOT');
        await sessions(fleet, [device], '0 BOOTSTRAP');
        clean(fleet);
        assert.ok(methods(last(traces[0])).includes('GetParameterValues'));
        assert.equal(await cached(acs, device, `${root}.ManagementServer.PeriodicInformInterval`), '777');
        await noChannelFaults(device);
      });
    }
  });

  describe('refresh', () => {
    it('sends nothing while the key parameters are fresh, and one GetParameterValues once they are older than its age (TR-181, TR-098)', async () => {
      const acs = await start('refresh', {
        'bootstrap.yaml': shipped('bootstrap.yaml'),
        // The shipped preset with a 3 s age instead of an hour, so the test can outlive it.
        'refresh.yaml': shipped('refresh.yaml').replace('[refresh, 3600]', '[refresh, 3]'),
      });
      assert.match(shipped('refresh.yaml'), /\[refresh, 3600\]/);
      const a = await fleetOf(TR181(), 2, 'SHREF181-');
      const b = await fleetOf(TR098(), 2, 'SHREF098-');
      const all = [...a.fleet.devices, ...b.fleet.devices];
      const traces = [...a.traces, ...b.traces];
      await Promise.all([a.fleet.connectAll(), b.fleet.connectAll()]);
      // Fresh (read by bootstrap just now): no RPC at all.
      await Promise.all([sessions(a.fleet), sessions(b.fleet)]);
      for (const tr of traces) assert.deepEqual(methods(last(tr)), [], 'fresh values: no RPC');

      await sleep(3200);
      for (const d of all) d.setPeriodicInterval(1234);
      await Promise.all([sessions(a.fleet), sessions(b.fleet)]);
      for (const [i, d] of all.entries()) {
        const s = last(traces[i]);
        assert.deepEqual(methods(s), ['GetParameterValues'], `${d.key}: one read of the stale values`);
        const names = s?.requests[0]?.method === 'GetParameterValues' ? s.requests[0].ParameterNames : [];
        const root = d.model.root;
        assert.ok(names.includes(`${root}ManagementServer.PeriodicInformInterval`));
        assert.ok(!names.includes(`${root}DeviceInfo.SoftwareVersion`), 'Inform parameters are fresh: not read');
        assert.ok(!names.some((n) => /Password$/.test(n)), 'no secrets');
        assert.equal(await cached(acs, d, `${root}ManagementServer.PeriodicInformInterval`), '1234');
      }
      // Fresh again.
      await Promise.all([sessions(a.fleet), sessions(b.fleet)]);
      for (const tr of traces) assert.deepEqual(methods(last(tr)), []);
      clean(a.fleet);
      clean(b.fleet);
      for (const d of all) await noChannelFaults(d);
    });
  });

  describe('inform', () => {
    it('sets the interval with a per-device spread, periodic informs on, and per-device connection-request credentials; then nothing', async () => {
      const secret = 'test secret, not the real one';
      const acs = await start('inform', { 'inform.yaml': 'channel: inform\nprovisions:\n  - [inform, 600, 20, "test secret, not the real one"]\n' });
      const a = await fleetOf(TR181(), 6, 'SHINF181-');
      const b = await fleetOf(TR098(), 3, 'SHINF098-');
      const all = [...a.fleet.devices, ...b.fleet.devices];
      const traces = [...a.traces, ...b.traces];
      for (const d of all) d.model.setValue(d.model.lookup(`${d.model.root}ManagementServer.PeriodicInformEnable`)!, 'false');
      await Promise.all([a.fleet.connectAll(), b.fleet.connectAll()]);
      const intervals = new Set<number>();
      for (const [i, d] of all.entries()) {
        const ms = `${d.model.root}ManagementServer.`;
        assert.deepEqual(writesOf(traces[i][0]), ['SetParameterValues'], `${d.key}: ${methods(traces[i][0]).join()}`);
        const interval = Number(d.model.getValue(`${ms}PeriodicInformInterval`));
        assert.ok(interval >= 480 && interval <= 720, `${interval} within 600 ± 20%`);
        intervals.add(interval);
        assert.equal(d.model.getValue(`${ms}PeriodicInformEnable`), 'true');
        assert.equal(d.model.getValue(`${ms}ConnectionRequestUsername`), serialOf(d));
        assert.equal(d.model.getValue(`${ms}ConnectionRequestPassword`), sha256Hex(`${secret}:${serialOf(d)}`).slice(0, 24));
        assert.equal(await cached(acs, d, `${ms}PeriodicInformInterval`), String(interval), 'the cache knows what was set');
        // The password is in the cache (the ACS needs it for connection requests) but in no log.
        const detail = await acs.acs.store.getDevice(keyOf(d));
        assert.ok(!JSON.stringify(detail?.history ?? []).includes(d.model.getValue(`${ms}ConnectionRequestPassword`) as string), 'password not in the history');
      }
      assert.ok(intervals.size >= 5, `the spread differs across devices: ${[...intervals].join(', ')}`);

      // Same device, same values: the next sessions send nothing.
      await Promise.all([sessions(a.fleet), sessions(b.fleet)]);
      for (const tr of traces) assert.deepEqual(methods(last(tr)), [], 'second session: no RPC');
      clean(a.fleet);
      clean(b.fleet);
      for (const d of all) await noChannelFaults(d);
    });
  });

  describe('zero-touch', () => {
    const ARGS = ['HomeNet', 'correct horse battery', 'HomeNet-Guest', 'guest staple 2024', '+3215551234', 'sip3215551234', 'sip-s3cret'];
    // Runs at every session here (the shipped preset: 0 BOOTSTRAP only), so the test sees it change nothing once applied.
    const PRESET = `channel: zero-touch\nprovisions:\n  - [zero-touch, ${ARGS.map((a) => JSON.stringify(a)).join(', ')}]\n`;

    it('TR-181 (XX230v): SSID and passphrase on the advertised networks, a guest SSID and access point added; no VoIP line in this model', async () => {
      const acs = await start('zt181', { 'bootstrap.yaml': shipped('bootstrap.yaml'), 'zero-touch.yaml': PRESET });
      const { fleet, traces } = await fleetOf(TR181(), 1, 'SHZT181-');
      const device = fleet.devices[0];
      const m = device.model;
      const before = (p: string): string | undefined => m.getValue(p);
      const untouched = ['Device.WiFi.SSID.2.SSID', 'Device.WiFi.SSID.6.SSID', 'Device.WiFi.SSID.9.SSID'].map((p) => [p, before(p)]);
      await fleet.connectAll();
      clean(fleet);
      await noChannelFaults(device);
      // The enabled, advertised access points are 1 and 3 (2.4 and 5 GHz).
      for (const n of [1, 3]) {
        assert.equal(m.getValue(`Device.WiFi.SSID.${n}.SSID`), 'HomeNet');
        assert.equal(m.getValue(`Device.WiFi.AccessPoint.${n}.Security.KeyPassphrase`), 'correct horse battery');
      }
      for (const [p, v] of untouched) assert.equal(m.getValue(p as string), v, `${p} untouched`);
      // The guest network: a new SSID and an access point that refers to it.
      const guest = [...Array(40).keys()].map((i) => `Device.WiFi.SSID.${i + 1}`).find((p) => m.getValue(`${p}.SSID`) === 'HomeNet-Guest');
      assert.ok(guest, 'guest SSID added');
      assert.equal(m.getValue(`${guest}.Enable`), 'true');
      const ap = [...Array(40).keys()].map((i) => `Device.WiFi.AccessPoint.${i + 1}`).find((p) => m.getValue(`${p}.SSIDReference`) === `${guest}.`);
      assert.ok(ap, 'guest access point added, referring to the guest SSID');
      assert.equal(m.getValue(`${ap}.Enable`), 'true');
      assert.equal(m.getValue(`${ap}.SSIDAdvertisementEnabled`), 'true');
      assert.equal(m.getValue(`${ap}.IsolationEnable`), 'true');
      assert.equal(m.getValue(`${ap}.Security.ModeEnabled`), 'WPA2-Personal');
      assert.equal(m.getValue(`${ap}.Security.KeyPassphrase`), 'guest staple 2024');
      const adds = traces[0][0].requests.filter((r) => r.method === 'AddObject').map((r) => (r.method === 'AddObject' ? r.ObjectName : ''));
      assert.deepEqual(adds, ['Device.WiFi.SSID.', 'Device.WiFi.AccessPoint.']);
      // The model's VoIP line parameters are vendor ones (X_TP_Services): nothing standard to set.
      assert.equal(m.getValue('Device.X_TP_Services.VoiceService.1.VoiceProfile.1.Line.1.DirectoryNumber'), '');
      const history = (await acs.acs.store.getDevice(keyOf(device)))?.history ?? [];
      assert.match(JSON.stringify(history), /no VoIP line/);
      assert.doesNotMatch(JSON.stringify(history), /correct horse|guest staple|sip-s3cret/, 'no secret in the history');
      // The cache: SSIDs as set; the guest instance known.
      assert.equal(await cached(acs, device, 'Device.WiFi.SSID.1.SSID'), 'HomeNet');
      assert.equal(await cached(acs, device, `${guest}.SSID`), 'HomeNet-Guest');

      await sessions(fleet);
      assert.deepEqual(methods(last(traces[0])), [], 'applied: the next session sends nothing');
      clean(fleet);
    });

    it('TR-098 (EG8145V5): SSID and both passphrases on the advertised WLANs, a guest WLAN added, the first VoIP line enabled with its number and SIP credentials', async () => {
      const acs = await start('zt098', { 'bootstrap.yaml': shipped('bootstrap.yaml'), 'zero-touch.yaml': PRESET });
      const { fleet, traces } = await fleetOf(TR098(), 1, 'SHZT098-');
      const device = fleet.devices[0];
      const m = device.model;
      await fleet.connectAll();
      clean(fleet);
      await noChannelFaults(device);
      const wlan = 'InternetGatewayDevice.LANDevice.1.WLANConfiguration';
      for (const n of [1, 5]) {
        assert.equal(m.getValue(`${wlan}.${n}.SSID`), 'HomeNet');
        assert.equal(m.getValue(`${wlan}.${n}.KeyPassphrase`), 'correct horse battery');
        assert.equal(m.getValue(`${wlan}.${n}.PreSharedKey.1.KeyPassphrase`), 'correct horse battery');
      }
      const guest = [...Array(20).keys()].map((i) => `${wlan}.${i + 1}`).find((p) => m.getValue(`${p}.SSID`) === 'HomeNet-Guest');
      assert.ok(guest, 'guest WLAN added');
      assert.equal(m.getValue(`${guest}.Enable`), 'true');
      assert.equal(m.getValue(`${guest}.SSIDAdvertisementEnabled`), 'true');
      assert.equal(m.getValue(`${guest}.BeaconType`), '11i');
      assert.equal(m.getValue(`${guest}.KeyPassphrase`), 'guest staple 2024');
      const line = 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1';
      assert.equal(m.getValue(`${line}.Enable`), 'Enabled');
      assert.equal(m.getValue(`${line}.DirectoryNumber`), '+3215551234');
      assert.equal(m.getValue(`${line}.SIP.AuthUserName`), 'sip3215551234');
      assert.equal(m.getValue(`${line}.SIP.AuthPassword`), 'sip-s3cret');
      assert.equal(await cached(acs, device, `${line}.DirectoryNumber`), '+3215551234');
      const history = (await acs.acs.store.getDevice(keyOf(device)))?.history ?? [];
      assert.doesNotMatch(JSON.stringify(history), /correct horse|guest staple|sip-s3cret/, 'no secret in the history');

      await sessions(fleet);
      assert.deepEqual(methods(last(traces[0])), [], 'applied: the next session sends nothing');
      clean(fleet);
    });

    it('faults the channel on bad arguments, with a message that does not echo them', async () => {
      const acs = await start('ztbad', { 'zero-touch.yaml': 'channel: zero-touch\nprovisions:\n  - [zero-touch, "HomeNet", "short"]\n' });
      const { fleet, traces } = await fleetOf(TR181(), 1, 'SHZTBAD-');
      await fleet.connectAll();
      clean(fleet);
      assert.deepEqual(writesOf(traces[0][0]), []);
      const faults = await acs.acs.store.getChannelFaults(keyOf(fleet.devices[0]));
      assert.equal(faults.length, 1);
      assert.equal(faults[0].channel, 'zero-touch');
      assert.match(faults[0].message, /8 to 63 characters/);
      assert.doesNotMatch(faults[0].message, /short/);
    });
  });

  describe('firmware', () => {
    it('downloads the image when the version differs, the device reports TransferComplete and reboots into it; once (TR-181, TR-098)', async () => {
      const image = Buffer.alloc(32 * 1024, 7);
      const files = await fileServer({ '/fw/XX230v-2.0.1.bin': image, '/fw/EG8145V5-5.20.1.bin': image });
      try {
        const acs = await start('fw', {
          'fw181.yaml': `precondition: 'DeviceID.ProductClass = "Device2" AND Device.DeviceInfo.SoftwareVersion <> "2.0.1"'\nchannel: fw181\nprovisions:\n  - [firmware, "2.0.1", "XX230v-2.0.1.bin", "${files.url}/fw/XX230v-2.0.1.bin", ${image.length}]\n`,
          'fw098.yaml': `precondition: 'DeviceID.ProductClass = "EG8145V5" AND InternetGatewayDevice.DeviceInfo.SoftwareVersion <> "5.20.1"'\nchannel: fw098\nprovisions:\n  - [firmware, "5.20.1", "EG8145V5-5.20.1.bin", "${files.url}/fw/EG8145V5-5.20.1.bin"]\n`,
        });
        const a = await fleetOf(TR181(), 1, 'SHFW181-');
        const b = await fleetOf(TR098(), 1, 'SHFW098-');
        for (const [fleet, traces, target] of [[a.fleet, a.traces, '2.0.1'], [b.fleet, b.traces, '5.20.1']] as const) {
          const device = fleet.devices[0];
          const key = keyOf(device);
          await fleet.connectAll();
          await until('the new version', async () => (await acs.acs.store.getDevice(key))?.softwareVersion === target);
          await fleet.idle();
          assert.equal(device.model.getValue(`${device.model.root}DeviceInfo.SoftwareVersion`), target);
          const stored = await acs.acs.store.getDevice(key);
          const tc = stored?.history.find((h) => h.kind === 'TransferComplete');
          assert.equal((tc?.detail as { FaultStruct: { FaultCode: number } }).FaultStruct.FaultCode, 0);
          const informs = stored?.history.filter((h) => h.kind === 'inform').map((h) => h.detail as string[]) ?? [];
          assert.ok(informs.some((e) => e.includes('7 TRANSFER COMPLETE') && e.includes('M Download') && e.includes('1 BOOT')), JSON.stringify(informs));
          const downloads = traces[0].flatMap((s) => s.requests).filter((r) => r.method === 'Download');
          assert.equal(downloads.length, 1, 'one Download');
          const dl = downloads[0];
          assert.ok(dl.method === 'Download' && dl.FileType === '1 Firmware Upgrade Image' && dl.TargetFileName.includes(target));
          // Upgraded: the preset no longer applies, and nothing is sent.
          await sessions(fleet);
          assert.deepEqual(methods(last(traces[0])), []);
          clean(fleet);
          await noChannelFaults(device);
        }
      } finally {
        files.server.close();
      }
    });

    it('does not send the same image again when the upgrade failed', async () => {
      const files = await fileServer({});
      try {
        const acs = await start('fwfail', {
          'fw.yaml': `precondition: 'DeviceID.ProductClass = "Device2"'\nchannel: fw\nprovisions:\n  - [firmware, "2.0.1", "XX230v-2.0.1.bin", "${files.url}/fw/missing-2.0.1.bin"]\n`,
        });
        const { fleet, traces } = await fleetOf(TR181(), 1, 'SHFWX-');
        const device = fleet.devices[0];
        await fleet.connectAll();
        await until('the TransferComplete', async () => ((await acs.acs.store.getDevice(keyOf(device)))?.history ?? []).some((h) => h.kind === 'TransferComplete'));
        await fleet.idle();
        await sessions(fleet);
        const tc = (await acs.acs.store.getDevice(keyOf(device)))?.history.find((h) => h.kind === 'TransferComplete');
        assert.notEqual((tc?.detail as { FaultStruct: { FaultCode: number } }).FaultStruct.FaultCode, 0);
        assert.equal(traces[0].flatMap((s) => s.requests).filter((r) => r.method === 'Download').length, 1);
        assert.deepEqual(methods(last(traces[0])), []);
        assert.notEqual(device.model.getValue('Device.DeviceInfo.SoftwareVersion'), '2.0.1');
        clean(fleet);
      } finally {
        files.server.close();
      }
    });
  });

  // ENGINE PROBLEMS found with zero-touch.js (not problems of the shipped files). All three pass on 1c73187;
  // fa41b47 ("Planner discovers one level at a time") broke them; 1 and 2 were fixed since (724026d), 3 is open.
  // A NextLevel=true listing of an object (db/cache-ops.ts listedObject) stamps the listed object with
  // namesTime AND valueTime (valueTime: "its children were listed"), and:
  //  1. (fixed) planner/reads.ts keysKnown() took the instance's namesTime (set when its parent was listed)
  //     for "its children were listed": an alias key was deemed absent, the filter matched nothing, and
  //     `instances: 1` added a duplicate.
  //  2. (fixed) sandbox/device-view.ts childrenListedAt() fell back to the children's namesTime: a child
  //     stamped by its own listing (Device.WiFi.AccessPoint) made its parent (Device.WiFi) look listed, and a
  //     sibling (Device.WiFi.SSID) was "known absent": never read nor set.
  //  3. (open) readMatch() takes the listed object's namesTime for "its parent's listing named it", which is
  //     what carries Writable: `declare(table, { writable: 1 })` after the table was listed never asks, and
  //     writable stays unknown (zero-touch.js then adds no guest WLAN on the EG8145V5). Stamping the listed
  //     object with valueTime only (not namesTime) in listedObject makes this file pass (and the unit tests).
  describe('engine: discovery after a NextLevel=true listing', () => {
    async function runAlone(suite: string, script: string): Promise<{ device: SimDevice; seen: string; traces: Session[][] }> {
      const provisions = presetsDir({ 'probe.js': script });
      t = await startTestAcs(`shipped_${suite}`, { sessionTimeoutMs: 3000, presetsDir: presetsDir({ 'probe.yaml': 'provisions:\n  - probe\n' }), provisionsDir: provisions });
      const { fleet, traces } = await fleetOf(TR181(), 1, `SH${suite.toUpperCase()}-`);
      await fleet.connectAll();
      clean(fleet);
      const seen = traces[0][0].requests.map((r) => `${r.method} ${JSON.stringify(r)}`).join('\n');
      return { device: fleet.devices[0], seen, traces };
    }

    it('1. an alias filter reads the listed instances\' keys, matches the existing one, adds none (XX230v: SSID.1 is "TP-Link_2AC8")', async () => {
      const { device, seen, traces } = await runAlone('alias',
        "declare('Device.WiFi.SSID.[SSID:TP-Link_2AC8]', { path: 1 }, { instances: 1 });\n" +
        "declare('Device.WiFi.SSID.[SSID:TP-Link_2AC8].Enable', null, { value: false });\n");
      assert.ok(!methods(traces[0][0]).includes('AddObject'), `SSID.1 already has that name: no AddObject\n${seen}`);
      assert.equal(device.model.getValue('Device.WiFi.SSID.1.Enable'), 'false', `SSID.1 matched the filter\n${seen}`);
    });

    it('2. a sibling of a listed object is still discovered (Device.WiFi.SSID after Device.WiFi.AccessPoint was listed)', async () => {
      const { device, seen } = await runAlone('sibling',
        "if (declare('Device.WiFi.AccessPoint.*', { path: 1 }).size > 0) declare('Device.WiFi.SSID.1.SSID', { value: 1 }, { value: 'renamed' });\n");
      assert.equal(device.model.getValue('Device.WiFi.SSID.1.SSID'), 'renamed', seen);
    });

    it('3. the writability of a table is learnt after the table was listed', async () => {
      const { device, seen } = await runAlone('writable',
        "if (declare('Device.WiFi.SSID.*', { path: 1 }).size > 0) {\n" +
        "  const w = declare('Device.WiFi.SSID', { writable: 1 }).writable;\n" +
        "  declare('Tags.ssid-table-writable', null, { value: w === true });\n" +
        "}\n");
      assert.deepEqual(await (t as TestAcs).acs.store.getTags(keyOf(device)), ['ssid-table-writable'], seen);
    });
  });

  describe('the shipped presets together', () => {
    it('first contact configures both models, periodic sessions then send nothing, firmware goes to the tagged pilot device once', async () => {
      const image = Buffer.alloc(16 * 1024, 3);
      const files = await fileServer({ '/huawei/EG8145V5-V5R020C10S115.bin': image });
      try {
        // As shipped, but the firmware example points at this test's file server, and its night-time window is left out.
        const firmware = shipped('firmware.yaml').replace('http://firmware.example.net', files.url).replace(/^schedule:.*$/m, '');
        assert.notEqual(firmware, shipped('firmware.yaml'));
        const acs = await start('all', {
          'bootstrap.yaml': shipped('bootstrap.yaml'),
          'refresh.yaml': shipped('refresh.yaml'),
          'inform.yaml': shipped('inform.yaml'),
          'zero-touch.yaml': shipped('zero-touch.yaml'),
          'firmware.yaml': firmware,
        });
        const a = await fleetOf(TR181(), 2, 'SHALL181-');
        const b = await fleetOf(TR098(), 2, 'SHALL098-');
        const all = [...a.fleet.devices, ...b.fleet.devices];
        const traces = [...a.traces, ...b.traces];
        // The zero-touch example applies to devices with provisioning code ZT-DEMO: the first of each fleet.
        for (const f of [a.fleet, b.fleet]) {
          const d = f.devices[0];
          d.model.setValue(d.model.lookup(`${d.model.root}DeviceInfo.ProvisioningCode`)!, 'ZT-DEMO');
        }
        await Promise.all([a.fleet.connectAll(), b.fleet.connectAll()]);
        for (const [i, d] of all.entries()) {
          const root = d.model.root;
          const interval = Number(d.model.getValue(`${root}ManagementServer.PeriodicInformInterval`));
          assert.ok(interval >= 3240 && interval <= 3960, `${d.key}: ${interval}`);
          assert.equal(await cached(acs, d, `${root}DeviceInfo.UpTime`), d.model.getValue(`${root}DeviceInfo.UpTime`));
          const zt = i % 2 === 0;
          const ssid = root === 'Device.' ? 'Device.WiFi.SSID.1.SSID' : 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID';
          assert.equal(d.model.getValue(ssid) === 'HomeNet', zt, `${d.key}: zero-touch only with ZT-DEMO`);
          assert.ok(!methods(traces[i][0]).includes('Download'), 'not tagged: no firmware');
          await noChannelFaults(d);
        }
        assert.equal(b.fleet.devices[0].model.getValue('InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.DirectoryNumber'), '+3215551234');

        // Periodic sessions: everything is fresh and applied. Nothing is logged either (a log line is a history row).
        await Promise.all([sessions(a.fleet), sessions(b.fleet)]);
        const historyLength = async (d: SimDevice): Promise<number> => ((await acs.acs.store.getDevice(keyOf(d)))?.history ?? []).length;
        const before = await Promise.all(all.map(historyLength));
        await Promise.all([sessions(a.fleet), sessions(b.fleet)]);
        for (const tr of traces) assert.deepEqual(methods(last(tr)), [], 'periodic: no RPC');
        assert.deepEqual(await Promise.all(all.map(historyLength)), before, 'periodic: no history');

        // Tag one EG8145V5 for the firmware pilot: its next session downloads the image, once.
        const pilot = b.fleet.devices[1];
        await acs.acs.store.setTags(keyOf(pilot), ['firmware-pilot'], []);
        await sessions(b.fleet, [pilot]);
        await until('the TransferComplete', async () => ((await acs.acs.store.getDevice(keyOf(pilot)))?.history ?? []).some((h) => h.kind === 'TransferComplete'));
        await b.fleet.idle();
        await Promise.all([sessions(a.fleet), sessions(b.fleet)]);
        const pilotTrace = traces[3];
        assert.equal(pilotTrace.flatMap((s) => s.requests).filter((r) => r.method === 'Download').length, 1);
        for (const tr of traces) assert.deepEqual(methods(last(tr)), [], 'periodic: no RPC');
        clean(a.fleet);
        clean(b.fleet);
        for (const d of all) await noChannelFaults(d);
      } finally {
        files.server.close();
      }
    });

    it('every sample device model: first contact (zero-touch included) without a fault, then periodic sessions without an RPC', async () => {
      const acs = await start('models', {
        'bootstrap.yaml': shipped('bootstrap.yaml'),
        'refresh.yaml': shipped('refresh.yaml'),
        'inform.yaml': shipped('inform.yaml'),
        'zero-touch.yaml': shipped('zero-touch.yaml'),
        'firmware.yaml': shipped('firmware.yaml'),
      });
      const files = readdirSync(MODELS).filter((f) => f.endsWith('.csv')).sort();
      assert.ok(files.length >= 2, files.join());
      for (const [i, file] of files.entries()) {
        const { fleet, traces } = await fleetOf(loadModel(path.join(MODELS, file)), 1, `SHMOD${i}-`);
        const d = fleet.devices[0];
        const code = d.model.lookup(`${d.model.root}DeviceInfo.ProvisioningCode`);
        if (code !== undefined) d.model.setValue(code, 'ZT-DEMO');
        await fleet.connectAll();
        await sessions(fleet);
        clean(fleet);
        await noChannelFaults(d);
        assert.ok(methods(traces[0][0]).length > 0, `${file}: provisioned at first contact`);
        assert.deepEqual(methods(last(traces[0])), [], `${file}: nothing left to do`);
        const interval = Number(await cached(acs, d, `${d.model.root}ManagementServer.PeriodicInformInterval`));
        assert.ok(interval >= 3240 && interval <= 3960, `${file}: ${interval}`);
        // Every sample has an enabled, advertised network: zero-touch named it, on the device and in the cache.
        const named = (await acs.acs.store.getParameters(keyOf(d))).filter((r) => r.path.endsWith('.SSID') && r.value === 'HomeNet');
        assert.ok(named.length > 0, `${file}: no SSID set`);
        for (const r of named) assert.equal(d.model.getValue(r.path), 'HomeNet');
      }
    });
  });
});
