/**
 * Which chart a device's series go on (src/ui/components/qoe-groups.tsx),
 * without a browser: TR-181 and TR-098 paths alike, values in the units
 * people read, the same parameter of two profiles drawn once, the busiest
 * lines kept, reboots counted once, the rest under "Other series".
 */
import { strict as assert } from 'node:assert';
import { chartsOf, MAX_LINES } from '../../src/ui/components/qoe-groups';
import { REBOOTS_PATH, type Series, type SeriesKind } from '../../src/qoe/types';

const T0 = 1_764_900_000_000;

function series(path: string, kind: SeriesKind, values: number[], profile = 'p'): Series {
  return { device: 'D', profile, path, kind, unit: kind === 'counter' ? 'per-second' : 'value', resolution: 'raw', points: values.map((value, i) => ({ time: T0 + i * 900_000, value })) };
}

const byKey = (all: Series[]) => new Map(chartsOf(all).map((c) => [c.key, c]));

describe('UI QoE: the charts a device\'s series make', () => {
  it('puts TR-181 and TR-098 byte counters on the throughput charts in bit/s, named by interface and direction', () => {
    const charts = byKey([
      series('Device.IP.Interface.1.Stats.BytesReceived', 'counter', [1000, 2000]),
      series('InternetGatewayDevice.WANDevice.1.WANCommonInterfaceConfig.TotalBytesSent', 'counter', [500]),
      series('Device.Ethernet.Interface.2.Stats.BytesSent', 'counter', [10]),
      series('Device.WiFi.Radio.1.Stats.BytesReceived', 'counter', [3]),
    ]);
    const wan = charts.get('wan')!;
    assert.deepEqual(wan.lines.map((l) => l.name), ['IP.Interface.1 received', 'WANDevice.1.WANCommonInterfaceConfig sent']);
    assert.deepEqual(wan.lines[0].points.map((p) => p.value), [8000, 16000]);
    assert.equal(wan.unit.format(16_000_000), '16 Mbit/s');
    assert.equal(charts.get('lan')!.lines[0].name, 'Ethernet.Interface.2 sent');
    assert.equal(charts.get('wifi-traffic')!.section, 'Throughput');
  });

  it('converts errors to per minute, DSL margins from 0.1 dB, optical levels from 0.001 dBm, memory from KiB', () => {
    const charts = byKey([
      series('Device.IP.Interface.1.Stats.ErrorsReceived', 'counter', [0.5]),
      series('Device.DSL.Line.1.DownstreamNoiseMargin', 'gauge', [65]),
      series('Device.Optical.Interface.1.OpticalSignalLevel', 'gauge', [-20_500]),
      series('Device.DeviceInfo.MemoryStatus.Free', 'gauge', [2048]),
    ]);
    assert.equal(charts.get('errors')!.lines[0].points[0].value, 30);
    assert.equal(charts.get('dsl-margins')!.lines[0].points[0].value, 6.5);
    assert.equal(charts.get('optical-levels')!.lines[0].points[0].value, -20.5);
    assert.equal(charts.get('memory')!.lines[0].points[0].value, 2);
    assert.equal(charts.get('memory')!.lines[0].name, 'free memory');
  });

  it('draws a parameter collected by two profiles once (the series with more samples), and counts a reboot once', () => {
    const charts = chartsOf([
      series('Device.DeviceInfo.ProcessStatus.CPUUsage', 'gauge', [10], 'system'),
      series('Device.DeviceInfo.ProcessStatus.CPUUsage', 'gauge', [10, 20, 30], 'mine'),
      series(REBOOTS_PATH, 'gauge', [1], 'system'),
      series(REBOOTS_PATH, 'gauge', [1], 'mine'),
      series('Device.DeviceInfo.UpTime', 'gauge', [100, 200]),
    ]);
    assert.deepEqual(charts.map((c) => c.key), ['cpu', 'reboots']);
    assert.equal(charts[0].lines[0].points.length, 3);
    assert.equal(charts[1].bars, true);
    assert.equal(charts[1].lines[0].points.length, 1);
  });

  it(`keeps the ${MAX_LINES} lines of a chart going furthest from zero, in name order, and says how many were left out`, () => {
    const clients = Array.from({ length: MAX_LINES + 3 }, (_, i) => series(`Device.WiFi.AccessPoint.1.AssociatedDevice.${i + 1}.SignalStrength`, 'gauge', [-40 - i]));
    const chart = byKey(clients).get('wifi-signal')!;
    assert.equal(chart.lines.length, MAX_LINES);
    assert.equal(chart.hidden, 3);
    // Furthest from zero: -43 … -50 dBm, the weakest signals.
    assert.ok(chart.lines.every((l) => l.points[0].value <= -43), chart.lines.map((l) => l.points[0].value).join(', '));
    assert.deepEqual(chart.lines.map((l) => l.name), [...chart.lines.map((l) => l.name)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  });

  it('puts what no chart takes under "Other series", by profile and kind; no series, no chart', () => {
    const charts = chartsOf([
      series('Device.Services.STBService.1.ServiceMonitoring.MainStream.1.Total.RTPStats.PacketsLost', 'counter', [2], 'iptv'),
      series('Device.WiFi.Radio.1.Stats.Noise', 'gauge', [], 'wifi'),
    ]);
    assert.deepEqual(charts.map((c) => [c.section, c.title]), [['Other series', 'iptv: counters (per second)']]);
    assert.deepEqual(chartsOf([]), []);
  });
});
