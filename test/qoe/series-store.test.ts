/**
 * The series store against real databases (MariaDB and SQLite): frames in,
 * rates out (wraps, resets, reboots), bad input dropped with a reason,
 * layouts that change, exact rollups, the resolution a query reads, rates
 * continued by a new store instance, a few statements per ingest call.
 */
import { strict as assert } from 'node:assert';
import type { Db } from '../../src/db/sql';
import type { SqlAccess } from '../../src/db/types';
import { createSeriesStore, type SeriesStore } from '../../src/qoe/series';
import { REBOOTS_PATH, type CollectionProfile, type Frame, type RawValue, type Series } from '../../src/qoe/types';
import { describeEachDriver } from '../helpers/db';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Midnight UTC: buckets of every size start here. */
const T0 = Date.UTC(2026, 11, 1);
const RETENTION = { raw: 2, '5m': 7, '1h': 30, '1d': 400 };
const RX = 'Device.IP.Interface.1.Stats.BytesReceived';
const TX = 'Device.IP.Interface.1.Stats.BytesSent';
const CPU = 'Device.DeviceInfo.ProcessStatus.CPUUsage';

const WAN: CollectionProfile = {
  name: 'wan',
  intervalS: 60,
  retention: RETENTION,
  parameters: [
    { path: 'Device.IP.Interface.*.Stats.BytesReceived', kind: 'counter', bits: 32, alias: 'WANRx' },
    { path: 'Device.IP.Interface.*.Stats.BytesSent', kind: 'counter' },
    { path: CPU, kind: 'gauge' },
    { path: 'Device.WiFi.Radio.*.Enable', kind: 'gauge' },
  ],
};
const SLOW: CollectionProfile = { ...WAN, name: 'slow', intervalS: 900 };
const PROFILES = new Map([WAN, SLOW].map((p) => [p.name, p]));
const lookup = (name: string): CollectionProfile | undefined => PROFILES.get(name);

let serial = 0;
const newDevice = (): string => `00D09E-QoE-S${Date.now()}${++serial}`;

function frame(device: string, time: number, values: Record<string, RawValue>, uptimeS?: number, profile = 'wan'): Frame {
  return { device, profile, time, values, ...(uptimeS === undefined ? {} : { uptimeS }) };
}

function pointsOf(series: Series[], path: string): [number, number][] {
  return (series.find((s) => s.path === path)?.points ?? []).map((p) => [p.time, p.value]);
}

/** A SqlAccess that counts the statements sent through it. */
function counting(sql: SqlAccess): { sql: SqlAccess; count: () => number } {
  let n = 0;
  const wrap = (db: Db): Db => ({
    driver: db.driver,
    select: (s, p) => (n++, db.select(s, p)),
    run: (s, p) => (n++, db.run(s, p)),
    runPrepared: (s, p) => (n++, db.runPrepared(s, p)),
    later: (s, p) => (n++, db.later(s, p)),
    batch: (list) => ((n += list.length), db.batch(list)),
  });
  return { sql: { driver: sql.driver, autocommit: (fn) => sql.autocommit((db) => fn(wrap(db))), transaction: (fn) => sql.transaction((db) => fn(wrap(db))) }, count: () => n };
}

describeEachDriver('qoe series store', 'qoe_series_test', (ctx) => {
  let clock = T0 + DAY;
  let store: SeriesStore;
  const open = (): SeriesStore => createSeriesStore(ctx.store.sql, { profiles: lookup, now: () => clock });
  beforeEach(() => {
    store = open();
  });

  it('stores gauges as read, booleans as 0/1, and counters as rates per second from the previous frame', async () => {
    const d = newDevice();
    const r1 = await store.ingest([frame(d, T0, { [RX]: '1000', [TX]: 5, [CPU]: '12', 'Device.WiFi.Radio.1.Enable': true })]);
    const r2 = await store.ingest([frame(d, T0 + 60_000, { [RX]: '61000', [TX]: 605, [CPU]: 30.5, 'Device.WiFi.Radio.1.Enable': 'false' })]);
    assert.deepEqual([r1.frames, r1.rates, r2.frames, r2.rates, r2.droppedCount], [1, 0, 1, 2, 0]);
    const s = await store.series({ device: d, from: T0, to: T0 + HOUR });
    assert.deepEqual(pointsOf(s, RX), [[T0 + 60_000, 1000]], 'no rate for the first frame, then 60,000 bytes in 60 s');
    assert.deepEqual(pointsOf(s, TX), [[T0 + 60_000, 10]]);
    assert.deepEqual(pointsOf(s, CPU), [[T0, 12], [T0 + 60_000, 30.5]]);
    assert.deepEqual(pointsOf(s, 'Device.WiFi.Radio.1.Enable'), [[T0, 1], [T0 + 60_000, 0]]);
    const rx = s.find((x) => x.path === RX);
    assert.deepEqual([rx?.kind, rx?.unit, rx?.resolution, rx?.profile], ['counter', 'per-second', 'raw', 'wan']);
    assert.equal(s.find((x) => x.path === CPU)?.unit, 'value');
  });

  it('rates across a 32-bit wrap and a 64-bit wrap', async () => {
    const d = newDevice();
    await store.ingest([frame(d, T0, { [RX]: String(2 ** 32 - 3000), [TX]: '18446744073709550616' })]);
    await store.ingest([frame(d, T0 + 100_000, { [RX]: '7000', [TX]: '9000' })]);
    const s = await store.series({ device: d, from: T0, to: T0 + HOUR });
    assert.deepEqual(pointsOf(s, RX), [[T0 + 100_000, 100]], '3,000 to the wrap and 7,000 after, in 100 s');
    assert.deepEqual(pointsOf(s, TX), [[T0 + 100_000, 100]], '1,000 to the 64-bit wrap and 9,000 after');
  });

  it('gives no rate for a reset by value, nor across a reboot (uptime went back), which records a reboot point', async () => {
    const d = newDevice();
    await store.ingest([frame(d, T0, { [RX]: '5000000', [TX]: '5000000' }, 1000)]);
    const reset = await store.ingest([frame(d, T0 + 60_000, { [RX]: '1000', [TX]: '5006000' }, 1060)]);
    assert.deepEqual([reset.rates, reset.reboots], [1, 0], 'RX fell: a reset, TX still rated');
    const reboot = await store.ingest([frame(d, T0 + 120_000, { [RX]: '9000000', [TX]: '9000000' }, 30)]);
    assert.deepEqual([reboot.rates, reboot.reboots], [0, 1], 'both counters grew, but the device rebooted');
    await store.ingest([frame(d, T0 + 180_000, { [RX]: '9006000', [TX]: '9000600' }, 90)]);
    const s = await store.series({ device: d, from: T0, to: T0 + HOUR });
    assert.deepEqual(pointsOf(s, RX), [[T0 + 180_000, 100]]);
    assert.deepEqual(pointsOf(s, TX), [[T0 + 60_000, 100], [T0 + 180_000, 10]]);
    assert.deepEqual(pointsOf(s, REBOOTS_PATH), [[T0 + 120_000, 1]]);
    const only = await store.series({ device: d, profile: 'wan', paths: [REBOOTS_PATH], from: T0, to: T0 + HOUR });
    assert.deepEqual(only.map((x) => x.path), [REBOOTS_PATH]);
  });

  it('drops bad frames and values with a reason, keeps the rest, never throws', async () => {
    const d = newDevice();
    const bad = [
      frame(d, T0, { [CPU]: 1 }, undefined, 'nope'),
      frame('', T0, { [CPU]: 1 }),
      frame(d, Number.NaN, { [CPU]: 1 }),
      frame(d, clock + 2 * DAY, { [CPU]: 1 }),
      frame(d, T0, { [CPU]: 1 }, -4),
      { device: d, profile: 'wan', time: T0 } as unknown as Frame,
      null as unknown as Frame,
    ];
    const r = await store.ingest([...bad, frame(d, T0, { [CPU]: 'n/a', [RX]: -5, [TX]: 1.5, 'Device.WiFi.Radio.1.Enable': Number.NaN, 'Device.Other': 3, 'Device.WiFi.Radio.2.Enable': 1e300 })]);
    assert.equal(r.frames, 1);
    assert.equal(r.droppedCount, bad.length + 5);
    const reasons = r.dropped.map((x) => `${x.path ?? '-'}: ${x.reason}`);
    for (const re of [/unknown profile nope/, /device key missing/, /time not a positive integer/, /ahead of the ACS's clock/, /uptimeS not a number/, /values not an object/, /not an object/, /CPUUsage: not numeric/, /BytesReceived: counter not an unsigned integer|BytesReceived: counter outside/, /BytesSent: counter not an integer/, /Radio.1.Enable: not a finite number/, /Device.Other: not a parameter of profile wan/]) {
      assert.ok(reasons.some((x) => re.test(x)), `${re} in ${reasons.join('; ')}`);
    }
    assert.deepEqual(pointsOf(await store.series({ device: d, from: T0, to: T0 + HOUR }), 'Device.WiFi.Radio.2.Enable'), [[T0, 1e300]], 'a huge gauge is kept exactly');
    const notArray = await store.ingest('x' as unknown as Frame[]);
    assert.equal(notArray.dropped[0].reason, 'frames not an array');
    await assert.rejects(store.series({ device: d, from: T0, to: T0 + HOUR, resolution: '2m' as unknown as '5m' }), /resolution 2m not one of/);
    await assert.rejects(store.series({ device: d, from: T0, to: T0 + HOUR, paths: 'x' as unknown as string[] }), /paths not an array of strings/);
    await assert.rejects(store.devicesWithFramesSince('wan', T0, Number.NaN), /finite since and limit/);
  });

  it('drops a duplicate or older frame of a stream, and follows layouts as instances come and go', async () => {
    const d = newDevice();
    const rx2 = 'Device.IP.Interface.2.Stats.BytesReceived';
    await store.ingest([frame(d, T0, { [RX]: 0 }), frame(d, T0 + 60_000, { [RX]: 600, [rx2]: 0 })]);
    const again = await store.ingest([frame(d, T0 + 60_000, { [RX]: 600 }), frame(d, T0 + 30_000, { [RX]: 300 })]);
    assert.deepEqual(again.dropped.map((x) => x.reason), ["older than the stream's last frame", "duplicate of the stream's last frame"]);
    await store.ingest([frame(d, T0 + 120_000, { [RX]: 1200, [rx2]: 6000 }), frame(d, T0 + 180_000, { [rx2]: 12000 })]);
    const s = await store.series({ device: d, paths: ['Device.IP.Interface.*.Stats.BytesReceived'], from: T0, to: T0 + HOUR });
    assert.deepEqual(s.map((x) => x.path), [RX, rx2]);
    assert.deepEqual(pointsOf(s, RX), [[T0 + 60_000, 10], [T0 + 120_000, 10]]);
    assert.deepEqual(pointsOf(s, rx2), [[T0 + 120_000, 100], [T0 + 180_000, 100]]);
    const byAlias = await store.series({ device: d, paths: ['WANRx'], from: T0, to: T0 + HOUR });
    assert.deepEqual(byAlias.map((x) => x.path), [RX, rx2]);
  });

  it('continues rates in a new store instance (a restart) from the stored previous values', async () => {
    const d = newDevice();
    await open().ingest([frame(d, T0, { [RX]: '100' }, 10)]);
    const restarted = open();
    const r = await restarted.ingest([frame(d, T0 + 10_000, { [RX]: '1100' }, 20)]);
    assert.equal(r.rates, 1);
    assert.deepEqual(pointsOf(await restarted.series({ device: d, from: T0, to: T0 + HOUR }), RX), [[T0 + 10_000, 100]]);
    assert.equal((await open().ingest([frame(d, T0 + 20_000, { [RX]: '1200' }, 5)])).reboots, 1, 'the stored uptime is compared too');
  });

  it('writes a batch of 300 frames of 100 devices in a few statements', async () => {
    const devices = Array.from({ length: 100 }, newDevice);
    const counted = counting(ctx.store.sql);
    const s = createSeriesStore(counted.sql, { profiles: lookup, now: () => clock });
    const frames = devices.flatMap((d) => [0, 1, 2].map((k) => frame(d, T0 + k * 60_000, { [RX]: k * 6000, [TX]: k * 600, [CPU]: k })));
    const r = await s.ingest(frames);
    assert.deepEqual([r.frames, r.rates], [300, 400]);
    assert.ok(counted.count() <= 12, `${counted.count()} statements`);
  });

  it('answers the devices with frames of a profile since a time, in key order, a page at a time', async () => {
    const prefix = `00D09E-Page-${Date.now()}`;
    const devices = ['a', 'b', 'c'].map((x) => `${prefix}${x}`);
    await store.ingest(devices.map((d, i) => frame(d, T0 + 12 * HOUR + i * 60_000, { [CPU]: 1 }, undefined, 'slow')));
    const since = T0 + 12 * HOUR + 30_000;
    assert.deepEqual(await store.devicesWithFramesSince('slow', since, 1), [devices[1]]);
    assert.deepEqual(await store.devicesWithFramesSince('slow', since, 5, devices[1]), [devices[2]]);
    assert.deepEqual(await store.devicesWithFramesSince('wan', since, 5), []);
  });

  it('rolls up raw to 5 min, 1 h and 1 day with exact min, max and average, and reads the finest resolution kept', async () => {
    const d = newDevice();
    const day = T0 + 2 * DAY;
    // Every minute for two hours: CPU = minute % 10, RX at 1,000/s, except one minute at 4,000/s; a reboot at 01:30.
    const frames: Frame[] = [];
    let rx = 0;
    for (let m = 0; m <= 120; m++) {
      rx += m === 17 ? 240_000 : 60_000;
      frames.push(frame(d, day + m * 60_000, { [CPU]: m % 10, [RX]: rx }, m === 90 ? 1 : 1000 + m * 60));
    }
    clock = day + 3 * HOUR;
    assert.equal((await store.ingest(frames)).frames, 121);
    clock = day + DAY + HOUR;
    const first = await store.rollup(clock);
    assert.ok(first.rows['5m'] >= 25 && first.rows['1h'] >= 3 && first.rows['1d'] >= 1, JSON.stringify(first.rows));
    const read = (resolution: '5m' | '1h' | '1d') => store.series({ device: d, from: day, to: day + DAY, resolution });
    const five = await read('5m');
    const cpu5 = five.find((x) => x.path === CPU)?.points ?? [];
    assert.deepEqual(cpu5[0], { time: day, value: 2, min: 0, max: 4 }, 'minutes 0-4');
    assert.deepEqual(cpu5[3], { time: day + 15 * 60_000, value: 7, min: 5, max: 9 }, 'minutes 15-19');
    const rx5 = five.find((x) => x.path === RX)?.points ?? [];
    assert.deepEqual(rx5[3], { time: day + 15 * 60_000, value: 1600, min: 1000, max: 4000 });
    const hour = await read('1h');
    assert.equal(hour[0].resolution, '1h');
    assert.deepEqual(hour.find((x) => x.path === CPU)?.points[0], { time: day, value: 4.5, min: 0, max: 9 });
    assert.deepEqual(hour.find((x) => x.path === RX)?.points[0], { time: day, value: Math.fround(62_000 / 59), min: 1000, max: 4000 }, 'minutes 1-59: 58 at 1,000 and one at 4,000 (averages are float32)');
    assert.deepEqual(hour.find((x) => x.path === REBOOTS_PATH)?.points, [{ time: day + HOUR, value: 1 }], 'the number of reboots in the bucket');
    const daily = await read('1d');
    const cpuDay = daily.find((x) => x.path === CPU)?.points[0];
    assert.deepEqual(cpuDay, { time: day, value: Math.fround(540 / 121), min: 0, max: 9 }, '121 minutes: 12 full tens (540) and minute 120 (0)');
    // Rolled up again: nothing new, the marks say so.
    assert.deepEqual((await store.rollup(clock)).rows, { '5m': 0, '1h': 0, '1d': 0 });
    // The resolution by the range when none is asked: raw within 2 days, 5 m within 7, 1 h within 30, 1 day beyond.
    const pick = async (from: number) => (await store.series({ device: d, paths: [CPU], from, to: clock }))[0]?.resolution;
    clock = day + DAY;
    assert.equal(await pick(day), 'raw');
    clock = day + 5 * DAY;
    assert.equal(await pick(day), '5m');
    clock = day + 20 * DAY;
    assert.equal(await pick(day), '1h');
    clock = day + 40 * DAY;
    assert.equal(await pick(day), '1d');
    clock = T0 + DAY;
  });

  it("makes the buckets of a day not rolled up yet from raw, counting each column's own values", async () => {
    const d = newDevice();
    const day = T0 + 4 * DAY;
    clock = day + 2 * HOUR;
    // Four frames in an hour: RX has no rate at the first (none before) nor at the third (a reset), so 2 values; CPU 4.
    await store.ingest([
      frame(d, day, { [RX]: 0, [CPU]: 10 }),
      frame(d, day + 15 * 60_000, { [RX]: 900_000, [CPU]: 20 }),
      frame(d, day + 30 * 60_000, { [RX]: 1000, [CPU]: 30 }),
      frame(d, day + 45 * 60_000, { [RX]: 1_801_000, [CPU]: 40 }),
    ]);
    await store.rollup(clock);
    const hour = await store.series({ device: d, from: day, to: day + 2 * HOUR, resolution: '1h' });
    assert.equal(hour[0].resolution, '1h');
    assert.deepEqual(hour.find((x) => x.path === CPU)?.points, [{ time: day, value: 25, min: 10, max: 40 }]);
    assert.deepEqual(hour.find((x) => x.path === RX)?.points, [{ time: day, value: 1500, min: 1000, max: 2000 }], 'two rates, not four');
    // The same once the day is rolled up: the stored row, its RX count kept apart from the row's.
    clock = day + DAY + HOUR;
    assert.ok((await store.rollup(clock)).rows['1h'] >= 1);
    const stored = await store.series({ device: d, from: day, to: day + 2 * HOUR, resolution: '1h' });
    assert.deepEqual(stored, hour);
    const daily = await store.series({ device: d, paths: [RX], from: day, to: day + DAY, resolution: '1d' });
    assert.deepEqual(daily[0].points, [{ time: day, value: 1500, min: 1000, max: 2000 }]);
    clock = T0 + DAY;
  });
});
