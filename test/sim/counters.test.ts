/**
 * Simulated counters: computed from the clock (no timers), shaped by the
 * time of day, errors on bad lines only, 32-bit counters wrapping, all of
 * them and the uptime back to 0 on a reboot, and what GetParameterValues
 * returns.
 */
import { strict as assert } from 'node:assert';
import type { GetParameterValuesResponse } from '../../src/cwmp/soap/types';
import { runSim } from '../../src/sim/cli';
import { Fleet } from '../../src/sim/fleet';
import { handleRequest } from '../../src/sim/cpe';
import { createDevice, type DeviceModel } from '../../src/sim/model';
import { classify, loadAt, loadIntegral, SimClock, TrafficModel, type DeviceTraffic } from '../../src/sim/traffic';
import { tr098, tr181, xx230v } from '../unit/sim/helpers';

const HOUR = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 11, 5);
const WAN_RX_098 = 'InternetGatewayDevice.WANDevice.1.WANCommonInterfaceConfig.TotalBytesReceived';
const IP_RX_181 = 'Device.IP.Interface.1.Stats.BytesReceived';

/** A clock stopped at `at` (speed tiny enough not to move during a test). */
function frozen(at: number): SimClock {
  return new SimClock({ start: at, speed: 1e-9 });
}

function gpv(model: DeviceModel, traffic: DeviceTraffic, ...names: string[]): Record<string, string> {
  const r = handleRequest(model, { method: 'GetParameterValues', ParameterNames: names }, {}, traffic).response as GetParameterValuesResponse;
  return Object.fromEntries(r.ParameterList.map((p) => [p.Name, p.Value]));
}

function counterAt(model: DeviceModel, traffic: DeviceTraffic, path: string, at: number): number {
  const ref = model.lookup(path);
  assert.ok(ref !== undefined, path);
  return Number(traffic.valueAt(model, ref, at));
}

describe('sim counters', () => {
  it('the day shape averages 1, is lowest at night and highest in the evening', () => {
    assert.ok(Math.abs(loadIntegral(86_400) - 86_400) < 1e-6);
    assert.ok(Math.abs(loadIntegral(10 * 86_400 + 5000) - loadIntegral(5000) - 10 * 86_400) < 1e-6);
    assert.ok(loadAt(20 * 3600) > 5 * loadAt(4 * 3600), `${loadAt(20 * 3600)} vs ${loadAt(4 * 3600)}`);
    // The integral is the sum of the load: a numeric check over one hour.
    let sum = 0;
    for (let s = 0; s < 3600; s++) sum += loadAt(13 * 3600 + s + 0.5);
    assert.ok(Math.abs(sum - (loadIntegral(14 * 3600) - loadIntegral(13 * 3600))) < 1e-3);
  });

  it('classifies interface statistics, uptime and DSL seconds; not writable, diagnostics or other parameters', () => {
    assert.equal(classify(IP_RX_181, 'xsd:unsignedLong', false)?.kind, 'bytes');
    assert.equal(classify('Device.Ethernet.Interface.1.Stats.MulticastPacketsSent', 'xsd:unsignedLong', false)?.fraction, 0.03);
    assert.equal(classify('Device.IP.Interface.1.Stats.ErrorsReceived', 'xsd:unsignedInt', false)?.wrap, 2 ** 32);
    assert.equal(classify('Device.DSL.Line.1.Stats.QuarterHour.ErroredSecs', 'xsd:unsignedInt', false)?.period, 'quarter');
    assert.equal(classify(WAN_RX_098, 'xsd:unsignedInt', false)?.kind, 'bytes');
    assert.equal(classify('Device.DeviceInfo.UpTime', 'xsd:unsignedInt', false)?.kind, 'uptime');
    assert.equal(classify('Device.IP.Diagnostics.DownloadDiagnostics.TestBytesReceived', 'xsd:unsignedInt', false), null);
    assert.equal(classify(IP_RX_181, 'xsd:unsignedLong', true), null);
    assert.equal(classify('Device.IP.Interface.1.Stats.BytesReceived', 'xsd:string', false), null);
    assert.equal(classify('Device.WiFi.Radio.1.Channel', 'xsd:unsignedInt', false), null);
  });

  it('GetParameterValues returns counters that grow with time, and the uptime', () => {
    const model = createDevice(tr181(), { SerialNumber: 'C1' });
    const clock = new SimClock({ start: MIDNIGHT + 12 * HOUR, speed: 3600 });
    const traffic = new TrafficModel(clock, { initialUptimeS: 600 }).device('C1');
    const first = gpv(model, traffic, 'Device.IP.Interface.1.Stats.', 'Device.DeviceInfo.UpTime');
    assert.ok(Number(first[IP_RX_181]) > 0);
    assert.ok(Number(first['Device.DeviceInfo.UpTime']) >= 600);
    const later = Date.now() + 30;
    while (Date.now() < later) {
      // 30 ms at speed 3600: 108 simulated seconds.
    }
    const second = gpv(model, traffic, IP_RX_181, 'Device.DeviceInfo.UpTime');
    assert.ok(Number(second[IP_RX_181]) > Number(first[IP_RX_181]));
    assert.ok(Number(second['Device.DeviceInfo.UpTime']) >= Number(first['Device.DeviceInfo.UpTime']) + 100);
    // Parameters that are no counters read as stored.
    assert.equal(gpv(model, traffic, 'Device.DeviceInfo.SerialNumber')['Device.DeviceInfo.SerialNumber'], 'C1');
  });

  it('traffic follows the time of day: an evening hour carries several times a night hour', () => {
    const model = createDevice(tr181(), { SerialNumber: 'D1' });
    const traffic = new TrafficModel(frozen(MIDNIGHT), { initialUptimeS: 0 }).device('D1');
    const hour = (h: number): number => counterAt(model, traffic, IP_RX_181, MIDNIGHT + (h + 1) * HOUR) - counterAt(model, traffic, IP_RX_181, MIDNIGHT + h * HOUR);
    assert.ok(hour(20) > 3 * hour(4), `20:00 ${hour(20)} vs 04:00 ${hour(4)}`);
    assert.ok(hour(20) > hour(12) && hour(12) > hour(4));
  });

  it('the local time zone moves the peak', () => {
    const model = createDevice(tr181(), { SerialNumber: 'Z1' });
    const make = (utcOffsetMin: number): DeviceTraffic => new TrafficModel(frozen(MIDNIGHT), { initialUptimeS: 0, utcOffsetMin }).device('Z1');
    const utc = make(0);
    const east = make(8 * 60);
    const during = (t: DeviceTraffic, h: number): number => counterAt(model, t, IP_RX_181, MIDNIGHT + (h + 1) * HOUR) - counterAt(model, t, IP_RX_181, MIDNIGHT + h * HOUR);
    // 12:00 UTC is 20:00 at UTC+8: busier there than at UTC.
    assert.ok(during(east, 12) > 1.3 * during(utc, 12));
  });

  it('a 32-bit (xsd:unsignedInt) counter wraps at 2^32; a 64-bit one does not', () => {
    const heavy = { initialUptimeS: 0, meanBytesPerS: 5_000_000 };
    const m098 = createDevice(tr098(), { SerialNumber: 'W1' });
    const t098 = new TrafficModel(frozen(MIDNIGHT), heavy).device('W1');
    const m181 = createDevice(tr181(), { SerialNumber: 'W1' });
    const t181 = new TrafficModel(frozen(MIDNIGHT), heavy).device('W1');
    const day = MIDNIGHT + 24 * HOUR;
    const wide = counterAt(m181, t181, IP_RX_181, day);
    assert.ok(wide > 2 ** 32, `${wide} bytes in a day`);
    const narrow = counterAt(m098, t098, WAN_RX_098, day);
    assert.ok(narrow < 2 ** 32);
    // The same traffic, seen through 32 bits (the interface share differs by path, so compare with its own 64-bit value).
    const spec = classify(WAN_RX_098, 'xsd:unsignedInt', false);
    assert.ok(spec);
    const unwrapped = t098.counter({ ...spec, wrap: 0 }, day);
    assert.ok(unwrapped > 2 ** 32);
    assert.equal(narrow, unwrapped % 2 ** 32);
    // Somewhere in the day it went back down: a wrap a collector must see as one.
    let wrapped = false;
    for (let m = 0; m < 24 * 60; m += 5) {
      const a = counterAt(m098, t098, WAN_RX_098, MIDNIGHT + m * 60_000);
      const b = counterAt(m098, t098, WAN_RX_098, MIDNIGHT + (m + 5) * 60_000);
      if (b < a) wrapped = true;
    }
    assert.ok(wrapped);
  });

  it('a reboot resets every counter and the uptime', () => {
    const model = createDevice(tr181(), { SerialNumber: 'R1' });
    const clock = frozen(MIDNIGHT + 20 * HOUR);
    const traffic = new TrafficModel(clock, { initialUptimeS: 5 * 86_400, badLineShare: 1 }).device('R1');
    const paths = [IP_RX_181, 'Device.IP.Interface.1.Stats.PacketsSent', 'Device.IP.Interface.1.Stats.ErrorsReceived', 'Device.DeviceInfo.UpTime'];
    const before = gpv(model, traffic, ...paths);
    for (const p of paths) assert.ok(Number(before[p]) > 0, `${p} ${before[p]}`);
    traffic.reboot();
    const after = gpv(model, traffic, ...paths);
    for (const p of paths) assert.equal(after[p], '0', p);
    const soon = clock.now() + 60_000;
    assert.ok(counterAt(model, traffic, IP_RX_181, soon) > 0);
    assert.ok(counterAt(model, traffic, IP_RX_181, soon) < Number(before[IP_RX_181]));
  });

  it('errors grow on the configured share of bad lines only', () => {
    const model = createDevice(tr181(), { SerialNumber: 'E' });
    const fleet = new TrafficModel(frozen(MIDNIGHT + 22 * HOUR), { badLineShare: 0.2, initialUptimeS: 86_400, seed: 's1' });
    const devices = Array.from({ length: 1000 }, (_v, i) => fleet.device(`dev-${i}`));
    const bad = devices.filter((d) => d.badLine);
    assert.ok(bad.length > 150 && bad.length < 250, `${bad.length} bad of 1000`);
    const errors = (d: DeviceTraffic): number => Number(gpv(model, d, 'Device.IP.Interface.1.Stats.ErrorsReceived')['Device.IP.Interface.1.Stats.ErrorsReceived']);
    assert.ok(bad.every((d) => errors(d) > 0));
    assert.ok(devices.filter((d) => !d.badLine).every((d) => errors(d) === 0));
    // The same seed draws the same lines; another seed others.
    const again = new TrafficModel(frozen(MIDNIGHT), { badLineShare: 0.2, seed: 's1' });
    assert.deepEqual(devices.map((d, i) => again.device(`dev-${i}`).badLine), devices.map((d) => d.badLine));
  });

  it('DSL quarter-hour counters start again every 15 minutes', () => {
    const model = createDevice(tr181(), { SerialNumber: 'Q1' });
    const traffic = new TrafficModel(frozen(MIDNIGHT), { badLineShare: 1, initialUptimeS: 86_400 }).device('Q1');
    const spec = classify('Device.DSL.Line.1.Stats.QuarterHour.ErroredSecs', 'xsd:unsignedInt', false);
    assert.ok(spec);
    const at = (min: number): number => traffic.counter(spec, MIDNIGHT + min * 60_000);
    assert.ok(at(14) > at(1));
    assert.ok(at(16) < at(14));
    assert.ok(model.lookup('Device.DSL.Line.1.Stats.Total.ErroredSecs') !== undefined);
  });

  it('a real device dump (TP-Link XX230v, 32-bit TR-181 counters) gets moving counters that wrap at 2^32', () => {
    const model = createDevice(xx230v(), { SerialNumber: 'X1' });
    const traffic = new TrafficModel(frozen(MIDNIGHT + 20 * HOUR), { initialUptimeS: 3600 }).device('X1');
    const values = gpv(model, traffic, 'Device.IP.Interface.1.Stats.', 'Device.DeviceInfo.UpTime');
    assert.ok(Number(values[IP_RX_181]) > 0);
    assert.equal(values['Device.DeviceInfo.UpTime'], '3600');
    const ref = model.lookup(IP_RX_181);
    assert.ok(ref !== undefined && model.typeOf(ref) === 'xsd:unsignedInt');
    assert.equal(traffic.counter(classify(IP_RX_181, 'xsd:unsignedInt', false) ?? assert.fail(), MIDNIGHT + 30 * 86_400_000) < 2 ** 32, true);
  });
});

describe('sim counters: in a fleet', () => {
  it('every "1 BOOT" (Reboot, factory reset, firmware install) restarts the device\'s counters and uptime', async () => {
    const fleet = await Fleet.create({ acsUrl: 'http://127.0.0.1:1/', devices: 2, model: tr181(), traffic: { initialUptimeS: 86_400 } });
    try {
      const [a, b] = fleet.devices;
      assert.ok(a.traffic && b.traffic);
      assert.ok(a.traffic.uptimeS() >= 86_400);
      a.addEvent('1 BOOT');
      assert.ok(a.traffic.uptimeS() < 5);
      assert.ok(b.traffic.uptimeS() >= 86_400, 'the other device did not reboot');
    } finally {
      await fleet.close();
    }
  });
});

describe('sim counters: command line', () => {
  it('--bad-lines and --utc-offset need --traffic; bad values are named', async () => {
    const base = ['--acs', 'http://127.0.0.1:1/', '--model', 'tr181'];
    await assert.rejects(runSim([...base, '--bad-lines', '0.1']), /--bad-lines and --utc-offset need --traffic/);
    await assert.rejects(runSim([...base, '--traffic', '--bad-lines', '2']), /--bad-lines 2: expected a share between 0 and 1/);
    await assert.rejects(runSim([...base, '--traffic', '--utc-offset', '5000']), /--utc-offset 5000: expected minutes/);
    await assert.rejects(runSim([...base, '--clock-speed', '0']), /--clock-speed 0: expected a positive number/);
  });
});

describe('sim gauges', () => {
  const model = createDevice(tr181(), { SerialNumber: 'G1' });
  const fleet = new TrafficModel(frozen(MIDNIGHT), { badLineShare: 0.5, seed: 'g' });
  const devices = Array.from({ length: 40 }, (_v, i) => fleet.device(`g-${i}`));
  const read = (d: DeviceTraffic, path: string, at: number): number => counterAt(model, d, path, at);
  const mean = (path: string, hour: number): number => {
    let sum = 0;
    for (const d of devices) for (let m = 0; m < 60; m += 10) sum += read(d, path, MIDNIGHT + hour * HOUR + m * 60_000);
    return sum / (devices.length * 6);
  };

  it('CPU use follows the evening load; free memory falls as it rises; the same time reads the same value', () => {
    const cpu = 'Device.DeviceInfo.ProcessStatus.CPUUsage';
    const free = 'Device.DeviceInfo.MemoryStatus.Free';
    assert.ok(mean(cpu, 20) > mean(cpu, 4) + 15, `${mean(cpu, 20)} vs ${mean(cpu, 4)}`);
    assert.ok(mean(free, 20) < mean(free, 4));
    assert.equal(read(devices[0], 'Device.DeviceInfo.MemoryStatus.Total', MIDNIGHT), 524_288, 'the model says 0: a plausible size');
    for (const d of devices) {
      const v = read(d, cpu, MIDNIGHT + 20 * HOUR);
      assert.ok(v >= 0 && v <= 100);
      assert.equal(read(d, cpu, MIDNIGHT + 20 * HOUR), v);
    }
  });

  it('Wi-Fi signal strength stays in -83..-42 dBm; DSL noise margin is lower on bad lines', () => {
    const signal = 'Device.WiFi.AccessPoint.1.AssociatedDevice.1.SignalStrength';
    const margin = 'Device.DSL.Line.1.DownstreamNoiseMargin';
    assert.ok(model.lookup(signal) !== undefined && model.lookup(margin) !== undefined);
    for (const d of devices) {
      const s = read(d, signal, MIDNIGHT + 3 * HOUR);
      assert.ok(s >= -83 && s <= -42, String(s));
    }
    const avg = (list: DeviceTraffic[]): number => list.reduce((a, d) => a + read(d, margin, MIDNIGHT), 0) / list.length;
    const bad = devices.filter((d) => d.badLine);
    const good = devices.filter((d) => !d.badLine);
    assert.ok(bad.length > 0 && good.length > 0);
    assert.ok(avg(bad) < 45 && avg(good) > 55, `bad ${avg(bad)} good ${avg(good)}`);
  });
});
