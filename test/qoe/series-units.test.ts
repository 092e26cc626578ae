/**
 * The series store's pure parts, without a database: the row codec, counter
 * rates (wraps at 32 and 64 bits, resets), value parsing and the choice of
 * resolutions a profile keeps.
 */
import { strict as assert } from 'node:assert';
import { decode, encode } from '../../src/qoe/series/codec';
import { counterRate, frameRow } from '../../src/qoe/series/rates';
import { resolutionFor } from '../../src/qoe/series/reader';
import { keptResolutions, DAY_MS } from '../../src/qoe/series/tiers';
import { counterValue, gaugeValue } from '../../src/qoe/series/values';
import { framesOfValues } from '../../src/qoe/frames/from-session';
import { ProfileMatcher } from '../../src/qoe/profiles/matcher';
import type { XsdType } from '../../src/cwmp/soap/types';
import { REBOOTS_PATH, type CollectionProfile } from '../../src/qoe/types';

const RETENTION = { raw: 2, '5m': 7, '1h': 30, '1d': 400 };
const PROFILE: CollectionProfile = {
  name: 'unit',
  intervalS: 900,
  retention: RETENTION,
  parameters: [
    { path: 'Device.IP.Interface.*.Stats.BytesReceived', kind: 'counter', bits: 32 },
    { path: 'Device.DeviceInfo.ProcessStatus.CPUUsage', kind: 'gauge' },
  ],
};

describe('qoe series: codec, rates and values', () => {
  it('packs values exactly (integers, floats, missing) and rates to float32 when lossy', () => {
    const values = [0, -1, 2 ** 53 - 1, 0.5, 0.1, NaN, -65, 1e300, 3.4e39];
    const back = decode(encode(values));
    assert.equal(back.length, values.length);
    values.forEach((v, i) => (Number.isNaN(v) ? assert.ok(Number.isNaN(back[i])) : assert.equal(back[i], v)));
    const lossy = decode(encode([0.1, 12345.678], () => true));
    assert.equal(lossy[0], Math.fround(0.1));
    assert.equal(lossy[1], Math.fround(12345.678));
    // An idle counter (0) costs one byte; 20 of them with the header fit in 27 bytes.
    assert.ok(encode(new Array<number>(20).fill(0)).length <= 27, String(encode(new Array<number>(20).fill(0)).length));
  });

  it('reads only the values asked for, the others as missing', () => {
    const row = encode([7, 0.5, 1e300, NaN, -3, 2 ** 40]);
    const some = decode(row, (i) => i === 2 || i === 5);
    assert.deepEqual(some.map((v) => (Number.isNaN(v) ? null : v)), [null, null, 1e300, null, null, 2 ** 40]);
  });

  it('refuses a row of another format or cut short', () => {
    assert.throws(() => decode(Buffer.from([9, 0])), /unknown format 9/);
    const full = encode([1.5, 2.5]);
    assert.throws(() => decode(full.subarray(0, full.length - 2)), /truncated/);
  });

  it('rates a counter across a 32-bit and a 64-bit wrap, and calls an implausible fall a reset', () => {
    assert.equal(counterRate(2n ** 32n - 1000n, 1000n, 32, 10), 200);
    assert.equal(counterRate(2n ** 64n - 616n, 384n, 64, 100), 10);
    assert.ok(Number.isNaN(counterRate(5_000_000n, 1000n, 32, 10)), 'a fall of 5 million on 32 bits is a reset');
    assert.ok(Number.isNaN(counterRate(1000n, 10n, 64, 10)));
    assert.equal(counterRate(100n, 700n, 64, 60), 10);
  });

  it('reads numbers, booleans and numeric strings; drops the rest with a reason', () => {
    assert.equal(gaugeValue(' -65 '), -65);
    assert.equal(gaugeValue(true), 1);
    assert.equal(gaugeValue('false'), 0);
    assert.equal(gaugeValue('1.5e3'), 1500);
    assert.deepEqual(gaugeValue('Up'), { reason: 'not numeric' });
    assert.match((gaugeValue(NaN) as { reason: string }).reason, /not a finite number/);
    assert.match((gaugeValue('1e999') as { reason: string }).reason, /out of range/);
    assert.equal(counterValue('18446744073709551615', 64), 2n ** 64n - 1n);
    assert.match((counterValue('18446744073709551616', 64) as { reason: string }).reason, /outside 0..2\^64-1/);
    assert.match((counterValue(2 ** 40, 32) as { reason: string }).reason, /outside 0..2\^32-1/);
    assert.match((counterValue(-5, 64) as { reason: string }).reason, /outside/);
    assert.match((counterValue(1.5, 64) as { reason: string }).reason, /not an integer/);
    assert.match((counterValue(2 ** 60, 64) as { reason: string }).reason, /past 2\^53/);
  });

  it('makes a frame a row: no rate without a previous value, none across a reboot, a reboot point', () => {
    const path = 'Device.IP.Interface.1.Stats.BytesReceived';
    const first = frameRow({ device: 'd', profile: 'unit', time: 1000, values: { [path]: '100', 'Device.X': 1 } }, PROFILE, { time: null, uptimeS: null, counters: new Map() });
    assert.deepEqual(first.columns.map((c) => c.path), [path, REBOOTS_PATH]);
    assert.ok(Number.isNaN(first.values[0]));
    assert.deepEqual(first.dropped, [{ path: 'Device.X', reason: 'not a parameter of profile unit' }]);
    const prev = { time: 1000, uptimeS: 500, counters: first.counters };
    const next = frameRow({ device: 'd', profile: 'unit', time: 11_000, values: { [path]: '600' }, uptimeS: 510 }, PROFILE, prev);
    assert.deepEqual(next.values, [50, NaN]);
    const rebooted = frameRow({ device: 'd', profile: 'unit', time: 11_000, values: { [path]: '600' }, uptimeS: 5 }, PROFILE, prev);
    assert.ok(Number.isNaN(rebooted.values[0]), 'the counter grew, but the device rebooted: no rate');
    assert.equal(rebooted.values[1], 1);
    assert.equal(rebooted.reboot, true);
  });

  it('a counter the device types xsd:unsignedInt in a read wraps at 2^32 though its profile says 64 bits', () => {
    const path = 'Device.Ethernet.Interface.1.Stats.BytesSent';
    const wide: CollectionProfile = { ...PROFILE, parameters: [{ path: 'Device.Ethernet.Interface.*.Stats.BytesSent', kind: 'counter', bits: 64 }] };
    const matcher = new ProfileMatcher([wide]);
    const read = (value: string, type: XsdType, time: number) =>
      framesOfValues('d', [{ Name: path, Value: value, type }], time, matcher)[0];
    const before = read(String(2 ** 32 - 1000), 'xsd:unsignedInt', 1000);
    assert.deepEqual(before.narrow, [path]);
    const prev = { time: 1000, uptimeS: null, counters: frameRow(before, wide, { time: null, uptimeS: null, counters: new Map() }).counters };
    assert.deepEqual(frameRow(read('3000', 'xsd:unsignedInt', 11_000), wide, prev).values, [400, NaN], '4000 bytes in 10 s across the wrap');
    const typedWide = read('3000', 'xsd:unsignedLong', 11_000);
    assert.equal(typedWide.narrow, undefined);
    assert.ok(Number.isNaN(frameRow(typedWide, wide, prev).values[0]), 'a 64-bit counter that fell by almost 2^32 was reset');
  });

  it('keeps a rollup only when its bucket holds more than one frame, and reads the finest kept for a range', () => {
    assert.deepEqual(keptResolutions(PROFILE), ['raw', '1h', '1d']);
    assert.deepEqual(keptResolutions({ intervalS: 60, retention: RETENTION }), ['raw', '5m', '1h', '1d']);
    assert.deepEqual(keptResolutions({ intervalS: 60, retention: { ...RETENTION, '5m': 0 } }), ['raw', '1h', '1d']);
    const now = 100 * DAY_MS;
    assert.equal(resolutionFor(PROFILE, now - DAY_MS, now), 'raw');
    assert.equal(resolutionFor(PROFILE, now - 10 * DAY_MS, now), '1h');
    assert.equal(resolutionFor(PROFILE, now - 30 * DAY_MS, now), '1h');
    assert.equal(resolutionFor(PROFILE, now - 31 * DAY_MS, now), '1d');
    assert.equal(resolutionFor(PROFILE, now - 500 * DAY_MS, now), '1d');
    assert.equal(resolutionFor(PROFILE, now, now, '5m'), '1h', '5m is not kept at a 15-minute interval: the next coarser');
  });
});
