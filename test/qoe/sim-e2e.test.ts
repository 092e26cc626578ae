/**
 * QoE end to end with the simulator as the CPEs, against the real server
 * (MariaDB, Redis, the engine worker, the file server's bulk data collector):
 *  - a 32-bit byte counter that wraps between two bulk data reports becomes
 *    the rate the simulated traffic had, and a reboot just before a wrap is a
 *    reset (@reboots), not a wrap;
 *  - reports dated in a past UTC day (a device clock in the past) are rolled
 *    up, and the fleet reports and the 1h/1d series say what the simulated
 *    counters did;
 *  - qoe-collect (presets/qoe.yaml) reads a profile once per interval in the
 *    device's periodic sessions.
 * Expected numbers come from the frames the collector received (the export
 * stream, QOE_EXPORT_MAX), checked against the simulator's own counters.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { createLogger } from '../../src/log';
import { deviceKeyOf } from '../../src/model/device-key';
import { qoeKeys } from '../../src/qoe/frames/keys';
import { startSeriesMaintenance } from '../../src/qoe/maintenance';
import { createSeriesStore } from '../../src/qoe/series';
import { patternRegExp } from '../../src/qoe/series/values';
import { REBOOTS_PATH, type CollectionProfile, type Frame, type Series } from '../../src/qoe/types';
import { windowStart } from '../../src/sandbox/date-window';
import type { SimDevice } from '../../src/sim/device';
import { Fleet, type FleetOptions } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { SimClock } from '../../src/sim/traffic/clock';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { freePort } from '../helpers/private-services';
import { requestsOf } from '../helpers/sim-sessions';
import { sleep, until } from '../helpers/wait';
import { nbiJson, type JsonReply } from './nbi-json';

const ROOT = path.resolve(__dirname, '../..');
// A real TP-Link XX230v: its Ethernet and IP interface byte counters are xsd:unsignedInt (TR-181 says
// unsignedLong, so the profiles below say bits: 32, as an operator must for such a device).
const MODEL = path.resolve(ROOT, '../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const WRAP = 2 ** 32;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const WRAP_PROFILE = {
  intervalS: 60,
  parameters: [
    { path: 'Device.Ethernet.Interface.*.Stats.BytesReceived', kind: 'counter', bits: 32, alias: 'EthBytesIn' },
    { path: 'Device.DeviceInfo.UpTime', kind: 'gauge' },
  ],
};
const FLEET_PROFILE = {
  intervalS: 300,
  retention: { raw: 7, '5m': 7, '1h': 30, '1d': 400 },
  parameters: [
    { path: 'Device.IP.Interface.*.Stats.BytesReceived', kind: 'counter', bits: 32, alias: 'WANBytesReceived' },
    { path: 'Device.IP.Interface.*.Stats.BytesSent', kind: 'counter', bits: 32, alias: 'WANBytesSent' },
    { path: 'Device.DeviceInfo.ProcessStatus.CPUUsage', kind: 'gauge', alias: 'CPU' },
    { path: 'Device.DeviceInfo.UpTime', kind: 'gauge', alias: 'UpTime' },
  ],
};
const RX = patternRegExp('Device.IP.Interface.*.Stats.BytesReceived');
const TX = patternRegExp('Device.IP.Interface.*.Stats.BytesSent');
const CPU = 'Device.DeviceInfo.ProcessStatus.CPUUsage';

/** A frame as the collector stored it, its values as numbers. */
interface Stored {
  time: number;
  values: Record<string, number>;
  uptimeS?: number;
}

/** The rate a 32-bit counter had from one frame to the next, per second. */
function rate32(prev: Stored, cur: Stored, p: string): number {
  return (((cur.values[p] - prev.values[p]) % WRAP) + WRAP) % WRAP / ((cur.time - prev.time) / 1000);
}

/** Percentile p of sorted values, linear between the nearest ranks (the usual definition). */
function percentileOf(sorted: number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  return sorted[Math.floor(rank)] + (sorted[Math.ceil(rank)] - sorted[Math.floor(rank)]) * (rank - Math.floor(rank));
}

/** Rates and averages are stored as float32 (series/codec.ts): 2^-24 relative, twice for a day made from hours. */
const FLOAT32 = 2.4e-7;

/** `actual` is `expected` within the store's float32 rounding, plus `tolerance` (a report's rounding of its cells). */
function close(actual: unknown, expected: number, what: string, tolerance = 0.01): void {
  assert.equal(typeof actual, 'number', `${what}: ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tolerance + FLOAT32 * Math.abs(expected), `${what}: ${String(actual)}, expected ${expected}`);
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Whether a GetParameterValues name reads parameters of a profile path ("*" for instance numbers): the path itself, or a partial path above it. */
function reads(name: string, profilePath: string): boolean {
  const partial = name.endsWith('.');
  const segments = (partial ? name.slice(0, -1) : name).split('.');
  const wanted = profilePath.split('.');
  if (partial ? segments.length >= wanted.length : segments.length !== wanted.length) return false;
  return segments.every((s, i) => wanted[i] === s || (wanted[i] === '*' && /^\d+$/.test(s)));
}

describe('QoE with the simulator: counter wraps, rollups and fleet reports, reads once per interval', function () {
  this.timeout(240_000);
  let t: TestAcs;
  let redis: Redis;
  let rollupLock: string;
  const fleets: Fleet[] = [];
  const model = loadModel(MODEL);

  const json = (p: string, init?: RequestInit): Promise<JsonReply> => nbiJson(t, p, init);
  const seriesOf = async (device: string, profile: string, q: string): Promise<Series[]> => {
    const r = await json(`/qoe/devices/${encodeURIComponent(device)}/series?profile=${profile}&${q}`);
    if (r.status !== 200) throw new Error(`series: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Series[];
  };
  const rawOf = (device: string, profile: string) => seriesOf(device, profile, `from=${Date.now() - 8 * DAY}&to=${Date.now() + DAY}&resolution=raw`);
  /** The frames of a device and profile the ACS stored, from its export stream, oldest first. */
  const exported = async (device: string, profile: string): Promise<Stored[]> => {
    const entries = (await redis.xrange(qoeKeys(t.config.redisPrefix).export, '-', '+')) as [string, string[]][];
    const byTime = new Map<number, Stored>();
    for (const [, fields] of entries) {
      for (const f of JSON.parse(fields[1]) as Frame[]) {
        if (f.device !== device || f.profile !== profile) continue;
        const values = Object.fromEntries(Object.entries(f.values).map(([k, v]) => [k, Number(v)]));
        byTime.set(f.time, { time: f.time, values, ...(f.uptimeS !== undefined ? { uptimeS: f.uptimeS } : {}) });
      }
    }
    return [...byTime.values()].sort((a, b) => a.time - b.time);
  };
  const task = async (device: string, body: object) => {
    const r = await json(`/devices/${encodeURIComponent(device)}/tasks`, { method: 'POST', body: JSON.stringify(body) });
    assert.ok(r.status >= 200 && r.status < 300, `task: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const fleet = async (o: Omit<FleetOptions, 'acsUrl' | 'model'>): Promise<Fleet> => {
    const f = await Fleet.create({ acsUrl: t.cwmpUrl, model, ...o });
    fleets.push(f);
    return f;
  };
  /** The simulator's own value of a counter of a device at simulated time `at`. */
  const simValue = (d: SimDevice, p: string, at: number): number => {
    const ref = d.model.lookup(p);
    assert.ok(ref !== undefined && d.traffic, p);
    return Number(d.traffic.valueAt(d.model, ref, at));
  };

  before(async () => {
    const fsPort = await freePort();
    const presets = dirWith({
      'wrap.yaml': 'precondition: DeviceID.SerialNumber LIKE "QWRP%"\nchannel: qoe-wrap\nprovisions:\n  - [qoe-bulkdata, wrap, JSON]\n',
      'fleet.yaml': 'precondition: DeviceID.SerialNumber LIKE "QRPT%"\nchannel: qoe-fleet\nprovisions:\n  - [qoe-bulkdata, fleet, CSV]\n',
      // The shipped example, as is: qoe-collect of "interfaces" and "system" on devices tagged "qoe".
      'qoe.yaml': readFileSync(path.join(ROOT, 'presets/qoe.yaml'), 'utf8'),
    });
    t = await startTestAcs('qoe_sim_e2e', {
      provisionsDir: path.join(ROOT, 'provisions'), presetsDir: presets, fsPort, fsUrl: `http://127.0.0.1:${fsPort}`, qoeExportMax: 1_000_000, sessionTimeoutMs: 5000,
    });
    redis = new Redis(TEST_REDIS_URL);
    // Held as another worker would hold it: no rollup runs until the past day's frames are all in (a frame
    // arriving after its day was rolled up stays in raw only); the rollup test releases it.
    rollupLock = `${t.config.redisPrefix}qoe:rollup`;
    await redis.set(rollupLock, 'held-by-the-test', 'PX', 600_000);
    for (const [name, body] of [['wrap', WRAP_PROFILE], ['fleet', FLEET_PROFILE]] as const) {
      const r = await json(`/qoe/profiles/${name}`, { method: 'PUT', body: JSON.stringify(body) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    redis?.disconnect();
    await t?.stop();
  });

  describe('a 32-bit counter wrapping between two bulk data reports', () => {
    it('is stored as the rate the simulated traffic had across the wrap, with no reboot recorded', async () => {
      // Every 32-bit counter of the device passes 2^32 15 simulated minutes (15 s) after it is made.
      const f = await fleet({ devices: 1, serialBase: 'QWRPA', clock: new SimClock({ speed: 60 }), traffic: { initialUptimeS: 3600, wrapAfterS: 900 }, bulkData: { epochUnit: 'ms' } });
      const sim = f.devices[0];
      const device = deviceKeyOf(sim.deviceId());
      await f.connectAll();
      const eth1 = 'Device.Ethernet.Interface.1.Stats.BytesReceived';
      let frames: Stored[] = [];
      const wrapAt = () => frames.findIndex((fr, i) => i > 0 && fr.values[eth1] < frames[i - 1].values[eth1]);
      await until('a report after the wrap', async () => {
        frames = await exported(device, 'wrap');
        return wrapAt() > 0;
      }, 120_000);
      const i = wrapAt();
      const [before, after] = [frames[i - 1], frames[i]];
      const ethPaths = Object.keys(after.values).filter((p) => p.startsWith('Device.Ethernet.Interface.'));
      assert.ok(ethPaths.length > 1, ethPaths.join());
      // What the device reported is the simulator's counter at the report's time (device timestamps, in ms).
      for (const p of ethPaths) for (const fr of [before, after]) assert.equal(fr.values[p], simValue(sim, p, fr.time), `${p} at ${fr.time}`);
      await until('the rate across the wrap stored', async () => (await rawOf(device, 'wrap')).some((s) => s.path === eth1 && s.points.some((pt) => pt.time === after.time)), 30_000);
      const stored = await rawOf(device, 'wrap');
      for (const p of ethPaths) {
        const s = stored.find((x) => x.path === p);
        assert.ok(s, `no series for ${p}`);
        assert.equal(s.unit, 'per-second');
        const point = s.points.find((pt) => pt.time === after.time);
        assert.ok(point, `${p}: no point at the wrap's report ${after.time}: ${JSON.stringify(s.points)}`);
        // The counter went down (it wrapped), and the rate is what the traffic added meanwhile.
        assert.ok(after.values[p] < before.values[p], `${p}: ${before.values[p]} -> ${after.values[p]}`);
        const expected = (after.values[p] + WRAP - before.values[p]) / ((after.time - before.time) / 1000);
        close(point.value, expected, `${p} across the wrap`, 1e-6);
        assert.ok(point.value > 0 && point.value * ((after.time - before.time) / 1000) < 2 ** 31, `${p}: ${point.value}`);
        // Every other point too: the stored rates are the simulated traffic.
        for (const pt of s.points) {
          const k = frames.findIndex((fr) => fr.time === pt.time);
          if (k > 0) close(pt.value, rate32(frames[k - 1], frames[k], p), `${p} at ${pt.time}`, 1e-6);
        }
      }
      const reboots = stored.find((s) => s.path === REBOOTS_PATH);
      assert.equal(reboots?.points.length ?? 0, 0, `no reboot: ${JSON.stringify(reboots?.points)}`);
      await f.close();
    });

    it('a reboot just before a wrap is a reset (@reboots), not a wrap, though the counter went down by less than half its range', async () => {
      // The wrap is far ahead (5000 simulated s), and a light line keeps the counter within 2^31 of it: a reboot
      // meanwhile makes the counter go down by an amount that alone would read as a plausible wrap.
      const f = await fleet({ devices: 1, serialBase: 'QWRPB', clock: new SimClock({ speed: 60 }), traffic: { initialUptimeS: 3600, wrapAfterS: 5000, meanBytesPerS: 50_000 }, bulkData: { epochUnit: 'ms' } });
      const device = deviceKeyOf(f.devices[0].deviceId());
      await f.connectAll();
      await until('two reports stored', async () => (await exported(device, 'wrap')).length >= 2, 60_000);
      await task(device, { name: 'reboot' });
      await f.connectAll('2 PERIODIC');
      let frames: Stored[] = [];
      const rebootAt = () => frames.findIndex((fr, i) => i > 0 && fr.uptimeS !== undefined && fr.uptimeS < (frames[i - 1].uptimeS ?? 0));
      await until('a report after the reboot', async () => {
        frames = await exported(device, 'wrap');
        return rebootAt() > 0;
      }, 60_000);
      const i = rebootAt();
      const [before, after] = [frames[i - 1], frames[i]];
      const eth1 = 'Device.Ethernet.Interface.1.Stats.BytesReceived';
      assert.ok(after.values[eth1] < before.values[eth1], `the counter restarted: ${before.values[eth1]} -> ${after.values[eth1]}`);
      assert.ok(after.values[eth1] + WRAP - before.values[eth1] <= 2 ** 31, `as a wrap it would be believed: ${before.values[eth1]} -> ${after.values[eth1]}`);
      await until('the reboot recorded', async () => (await rawOf(device, 'wrap')).some((s) => s.path === REBOOTS_PATH && s.points.length > 0), 30_000);
      const stored = await rawOf(device, 'wrap');
      assert.deepEqual(stored.find((s) => s.path === REBOOTS_PATH)?.points.map((p) => p.time), [after.time]);
      for (const s of stored.filter((x) => x.kind === 'counter')) {
        assert.ok(!s.points.some((p) => p.time === after.time), `${s.path}: no rate over the reboot: ${JSON.stringify(s.points)}`);
        for (const pt of s.points) {
          const k = frames.findIndex((fr) => fr.time === pt.time);
          if (k > 0) close(pt.value, rate32(frames[k - 1], frames[k], s.path), `${s.path} at ${pt.time}`, 1e-6);
        }
      }
      await f.close();
    });
  });

  describe('rollups and fleet reports of a past day, from bulk data reports', () => {
    /** The UTC day the devices' clocks are in: two days ago, finished whatever the hour. */
    const day = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
    const sims: { sim: SimDevice; key: string; productClass: string; tag: string }[] = [];
    const frames = new Map<string, Stored[]>();
    let from = 0;
    let to = 0;

    const report = async (kind: string, q: string) => {
      const r = await json(`/qoe/reports/${kind}?profile=fleet&${q}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body as { columns: string[]; rows: Record<string, unknown>[]; coveredUntil: number; notes: string[] };
    };
    /** Each report's frames in [from, to), with the one before (their rates' start). */
    const inRange = (key: string): [Stored, Stored][] => {
      const list = frames.get(key) as Stored[];
      return list.flatMap((fr, i) => (i > 0 && fr.time >= from && fr.time < to ? [[list[i - 1], fr] as [Stored, Stored]] : []));
    };
    const bytes = (key: string, re: RegExp) => inRange(key).reduce((sum, [a, b]) => sum + Object.keys(b.values).filter((p) => re.test(p)).reduce((s, p) => s + rate32(a, b, p) * ((b.time - a.time) / 1000), 0), 0);

    before(async function () {
      this.timeout(240_000);
      const delivered = new Map<string, number>();
      const reporting: Fleet[] = [];
      for (const [productClass, serialBase] of [['QoeGwA', 'QRPTA'], ['QoeGwB', 'QRPTB']]) {
        // The devices' clocks start at 09:00 of that day and run 600 times fast: a report every 0.5 s.
        const f = await fleet({
          devices: 2, serialBase, productClass, clock: new SimClock({ start: day + 9 * HOUR, speed: 600 }), traffic: true,
          bulkData: { epochUnit: 'ms', onAttempt: (a) => a.outcome.ok && delivered.set(a.device, (delivered.get(a.device) ?? 0) + 1) },
        });
        reporting.push(f);
        await f.connectAll();
        f.devices.forEach((sim, i) => sims.push({ sim, key: deviceKeyOf(sim.deviceId()), productClass, tag: i === 0 ? 'gold' : 'silver' }));
      }
      for (const s of sims) assert.equal((await json(`/devices/${encodeURIComponent(s.key)}/tags/${s.tag}`, { method: 'POST' })).status, 204);
      // Four simulated hours of reports from every device (the first and the last hour partial).
      await until('four hours of reports', async () => {
        for (const s of sims) {
          const list = await exported(s.key, 'fleet');
          if (list.length < 2 || list[list.length - 1].time - list[0].time < 4 * HOUR + 600_000) return false;
        }
        return true;
      }, 180_000);
      await Promise.all(reporting.map((f) => f.close()));
      // A report on its way when the fleets closed still arrives: let it, before counting.
      await sleep(1000);
      // Every report delivered is stored (the export stream is written after the store).
      await until('every delivered report stored', async () => {
        for (const s of sims) {
          const list = await exported(s.key, 'fleet');
          if (list.length < (delivered.get(s.sim.key) ?? Infinity)) return false;
          frames.set(s.key, list);
        }
        return true;
      }, 60_000);
      for (const s of sims) {
        const list = frames.get(s.key) as Stored[];
        assert.ok(list[list.length - 1].time < day + DAY, 'every report in that day');
        // The reports carry what the simulator's counters and gauges were at their times.
        for (const fr of [list[0], list[list.length - 1]]) for (const [p, v] of Object.entries(fr.values)) assert.equal(v, simValue(s.sim, p, fr.time), `${s.key} ${p}`);
      }
      // Whole hours in which every device has all of its 12 reports, each with a rate.
      from = Math.max(...sims.map((s) => Math.ceil(((frames.get(s.key) as Stored[])[0].time + 1) / HOUR) * HOUR));
      to = Math.min(...sims.map((s) => Math.floor((frames.get(s.key) as Stored[]).at(-1)!.time / HOUR) * HOUR));
      assert.ok(to - from >= 2 * HOUR, `${new Date(from).toISOString()} to ${new Date(to).toISOString()}`);
      for (const s of sims) assert.equal(inRange(s.key).length, ((to - from) / HOUR) * 12, s.key);

      // The rollup, as a worker runs it once the lock is free (the suite's own worker may take it first).
      await redis.del(rollupLock);
      const profiles = new Map(((await json('/qoe/profiles')).body as CollectionProfile[]).map((p) => [p.name, p]));
      const stop = startSeriesMaintenance({ redis, redisPrefix: t.config.redisPrefix, series: createSeriesStore(t.acs.store.sql, { profiles: (n) => profiles.get(n) }), log: createLogger('silent'), everyMs: 200 });
      try {
        await until('the day rolled up at 1h and 1d', async () => {
          const marks = await t.acs.store.sql.autocommit((db) => db.select("SELECT resolution, done_until FROM qoe_rollup_marks WHERE profile = 'fleet'"));
          const done = new Map(marks.map((m) => [String(m.resolution), Number(m.done_until)]));
          return (done.get('1h') ?? 0) >= day + DAY && (done.get('1d') ?? 0) >= day + DAY;
        }, 60_000);
      } finally {
        await stop();
      }
      const rows = await t.acs.store.sql.autocommit((db) => db.select("SELECT COUNT(*) AS n FROM qoe_1h r JOIN qoe_streams s ON s.id = r.stream WHERE s.profile = 'fleet'"));
      assert.ok(Number(rows[0].n) >= sims.length * 4, `hourly rows: ${rows[0].n}`);
    });

    it('bandwidth by product class and by tag: devices, bytes and throughput as the counters moved', async () => {
      const seconds = (to - from) / 1000;
      for (const groupBy of ['productClass', 'tag'] as const) {
        const r = await report('bandwidth', `from=${from}&to=${to}&resolution=1h&groupBy=${groupBy}`);
        assert.equal(r.coveredUntil, to);
        const groups = [...new Set(sims.map((s) => s[groupBy]))].sort();
        assert.deepEqual(r.rows.map((row) => row.group), groups);
        for (const g of groups) {
          const members = sims.filter((s) => s[groupBy] === g);
          const row = r.rows.find((x) => x.group === g) as Record<string, unknown>;
          assert.equal(row.devices, members.length);
          const rx = members.map((s) => bytes(s.key, RX));
          const tx = members.map((s) => bytes(s.key, TX));
          assert.ok(rx.every((b) => b > 0) && tx.every((b) => b > 0));
          close(row.bytesReceived, rx.reduce((a, b) => a + b, 0), `${g} bytesReceived`, 1);
          close(row.bytesSent, tx.reduce((a, b) => a + b, 0), `${g} bytesSent`, 1);
          const rxBps = rx.map((b) => b / seconds).sort((a, b) => a - b);
          const txBps = tx.map((b) => b / seconds).sort((a, b) => a - b);
          close(row.receivedAvgBps, mean(rxBps), `${g} receivedAvgBps`);
          close(row.receivedP50Bps, percentileOf(rxBps, 50), `${g} receivedP50Bps`);
          close(row.receivedP95Bps, percentileOf(rxBps, 95), `${g} receivedP95Bps`);
          close(row.sentAvgBps, mean(txBps), `${g} sentAvgBps`);
          close(row.sentP95Bps, percentileOf(txBps, 95), `${g} sentP95Bps`);
        }
      }
    });

    it('top talkers: the devices in the order of the bytes they counted', async () => {
      const r = await report('top-talkers', `from=${from}&to=${to}&resolution=1h&limit=3`);
      const expected = sims.map((s) => ({ s, rx: bytes(s.key, RX), tx: bytes(s.key, TX) })).sort((a, b) => b.rx + b.tx - (a.rx + a.tx)).slice(0, 3);
      assert.deepEqual(r.rows.map((row) => row.device), expected.map((e) => e.s.key));
      r.rows.forEach((row, i) => {
        assert.equal(row.rank, i + 1);
        assert.equal(row.productClass, expected[i].s.productClass);
        close(row.bytes, expected[i].rx + expected[i].tx, `${String(row.device)} bytes`, 1);
        close(row.bytesReceived, expected[i].rx, `${String(row.device)} bytesReceived`, 1);
      });
    });

    it('percentiles of a counter\'s average rate (by product class) and of a gauge\'s maximum (fleet), at 1h and 1d', async () => {
      const rates = (key: string) => {
        const byPath = new Map<string, number[]>();
        for (const [a, b] of inRange(key)) for (const p of Object.keys(b.values).filter((x) => RX.test(x))) byPath.set(p, [...(byPath.get(p) ?? []), rate32(a, b, p)]);
        return [...byPath.values()].map(mean);
      };
      const r = await report('percentiles', `from=${from}&to=${to}&resolution=1h&series=WANBytesReceived&stat=avg&groupBy=productClass&percentiles=50,90`);
      for (const productClass of ['QoeGwA', 'QoeGwB']) {
        const samples = sims.filter((s) => s.productClass === productClass).flatMap((s) => rates(s.key)).sort((a, b) => a - b);
        const row = r.rows.find((x) => x.group === productClass) as Record<string, unknown>;
        assert.equal(row.unit, 'per-second');
        assert.equal(row.samples, samples.length);
        close(row.min, samples[0], `${productClass} min`, 1e-5);
        close(row.mean, mean(samples), `${productClass} mean`, 1e-5);
        close(row.p50, percentileOf(samples, 50), `${productClass} p50`, 1e-5);
        close(row.p90, percentileOf(samples, 90), `${productClass} p90`, 1e-5);
        close(row.max, samples[samples.length - 1], `${productClass} max`, 1e-5);
      }
      // The whole day at 1d: each device's highest CPU reading of the day.
      const cpu = sims.map((s) => Math.max(...(frames.get(s.key) as Stored[]).map((fr) => fr.values[CPU]))).sort((a, b) => a - b);
      const daily = await report('percentiles', `from=${day}&to=${day + DAY}&resolution=1d&series=CPU&stat=max&percentiles=50`);
      assert.equal(daily.coveredUntil, day + DAY);
      assert.deepEqual(daily.rows.map((row) => [row.group, row.devices, row.unit, row.min, row.max]), [['all', sims.length, 'value', cpu[0], cpu[cpu.length - 1]]]);
      close(daily.rows[0].p50, percentileOf(cpu, 50), 'CPU p50');
    });

    it('a device\'s series at 1h and 1d: average, minimum and maximum of its rates per hour and for the day', async () => {
      const s = sims[0];
      const list = frames.get(s.key) as Stored[];
      const pairs = list.slice(1).map((fr, i) => [list[i], fr] as const);
      const hourly = await seriesOf(s.key, 'fleet', `from=${day}&to=${day + DAY}&resolution=1h&paths=WANBytesReceived`);
      const daily = await seriesOf(s.key, 'fleet', `from=${day}&to=${day + DAY}&resolution=1d&paths=WANBytesReceived`);
      const paths = Object.keys(list[0].values).filter((p) => RX.test(p)).sort();
      assert.deepEqual(hourly.map((x) => x.path), paths);
      assert.deepEqual(daily.map((x) => x.path), paths);
      for (const p of paths) {
        const byHour = new Map<number, number[]>();
        for (const [a, b] of pairs) byHour.set(Math.floor(b.time / HOUR) * HOUR, [...(byHour.get(Math.floor(b.time / HOUR) * HOUR) ?? []), rate32(a, b, p)]);
        const h = hourly.find((x) => x.path === p) as Series;
        assert.equal(h.resolution, '1h');
        assert.deepEqual(h.points.map((pt) => pt.time), [...byHour.keys()]);
        for (const pt of h.points) {
          const r = byHour.get(pt.time) as number[];
          close(pt.value, mean(r), `${p} ${new Date(pt.time).toISOString()} avg`, 1e-6);
          close(pt.min, Math.min(...r), `${p} min`, 1e-6);
          close(pt.max, Math.max(...r), `${p} max`, 1e-6);
        }
        const all = pairs.map(([a, b]) => rate32(a, b, p));
        const d = daily.find((x) => x.path === p) as Series;
        assert.equal(d.resolution, '1d');
        assert.equal(d.points.length, 1);
        assert.equal(d.points[0].time, day);
        close(d.points[0].value, mean(all), `${p} day avg`, 1e-6);
        close(d.points[0].min, Math.min(...all), `${p} day min`, 1e-6);
        close(d.points[0].max, Math.max(...all), `${p} day max`, 1e-6);
      }
    });
  });

  describe('qoe-collect (presets/qoe.yaml): reads once per interval in periodic sessions', () => {
    it('reads the profiles in the first periodic session, not in another of the same interval, again in the next interval', async () => {
      // The shipped profiles read every minute instead of every 15: a stored profile replaces a shipped one.
      const profilePaths: string[] = [];
      for (const name of ['interfaces', 'system']) {
        const shipped = (await json(`/qoe/profiles/${name}`)).body as CollectionProfile;
        const r = await json(`/qoe/profiles/${name}`, { method: 'PUT', body: JSON.stringify({ intervalS: 60, parameters: shipped.parameters }) });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        profilePaths.push(...shipped.parameters.map((p) => p.path).filter((p) => p.startsWith('Device.')));
      }
      const f = await fleet({ devices: 1, serialBase: 'QGPVC', traffic: true });
      const sim = f.devices[0];
      const sessions = requestsOf(sim);
      const device = deviceKeyOf(sim.deviceId());
      await f.connectAll();
      assert.equal((await json(`/devices/${encodeURIComponent(device)}/tags/qoe`, { method: 'POST' })).status, 204);
      const windowOf = (at: number) => windowStart(at, device, { every: 60_000, variance: null }) as number;
      const names = (s: CpeRequest[]) => s.flatMap((r) => (r.method === 'GetParameterValues' ? r.ParameterNames : []));
      /** The names a session read of the profiles' parameters. */
      const readOf = (s: CpeRequest[]) => names(s).filter((n) => profilePaths.some((p) => reads(n, p)));
      const periodic = async (): Promise<CpeRequest[]> => {
        await f.connectAll('2 PERIODIC');
        return sessions[sessions.length - 1];
      };
      // Two sessions in one interval of the device's (its windows are shifted by its key); a try whose
      // second session ends in the next interval (a very slow machine) is made again.
      let first: CpeRequest[] = [];
      let second: CpeRequest[] = [];
      for (let attempt = 0; ; attempt++) {
        // Begun 15 s before an interval ends: the wait for the next interval after the two sessions is short.
        const left = windowOf(Date.now()) + 60_000 - Date.now();
        await sleep(left >= 15_000 ? left - 15_000 : left + 45_000);
        const window = windowOf(Date.now());
        first = await periodic();
        second = await periodic();
        if (windowOf(Date.now()) === window || attempt === 2) break;
      }
      const firstRead = readOf(first);
      for (const p of ['Device.DeviceInfo.UpTime', 'Device.IP.Interface.*.Stats.BytesReceived', 'Device.DeviceInfo.ProcessStatus.CPUUsage']) {
        assert.ok(firstRead.some((n) => reads(n, p)), `the first periodic session reads ${p}: ${JSON.stringify(names(first))}`);
      }
      assert.deepEqual(readOf(second), [], `nothing read again in the same interval: ${JSON.stringify(second)}`);
      const uptimes = async () => (await rawOf(device, 'system')).find((s) => s.path === 'Device.DeviceInfo.UpTime')?.points.length ?? 0;
      await until('the first read stored', async () => (await uptimes()) === 1, 30_000);
      // The next interval: read again, and the counters get their first rates.
      await sleep(windowOf(Date.now()) + 60_000 - Date.now() + 200);
      const third = await periodic();
      assert.ok(readOf(third).some((n) => reads(n, 'Device.IP.Interface.*.Stats.BytesReceived')), `read again in the next interval: ${JSON.stringify(names(third))}`);
      await until('the second read stored', async () => (await uptimes()) === 2, 30_000);
      const bytes = (await rawOf(device, 'interfaces')).filter((s) => /^Device\.IP\.Interface\.\d+\.Stats\.BytesReceived$/.test(s.path));
      assert.ok(bytes.length > 0 && bytes.every((s) => s.points.length === 1 && s.points[0].value >= 0), JSON.stringify(bytes));
    });
  });
});
