/**
 * The series store's retention on both dialects: on MariaDB whole day
 * partitions of qoe_raw are dropped once every profile is done with them
 * (and days are split off ahead); a profile keeping less is deleted by
 * range, as rollups are, and on SQLite everything is.
 */
import { strict as assert } from 'node:assert';
import { listPartitions } from '../../src/qoe/series/partitions';
import { createSeriesStore, type SeriesStore } from '../../src/qoe/series';
import type { CollectionProfile, Frame } from '../../src/qoe/types';
import { describeEachDriver } from '../helpers/db';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const D0 = Date.UTC(2026, 11, 10);
const CPU = 'Device.DeviceInfo.ProcessStatus.CPUUsage';
const parameters: CollectionProfile['parameters'] = [{ path: CPU, kind: 'gauge' }];
const KEEP: CollectionProfile = { name: 'keep', intervalS: 60, retention: { raw: 2, '5m': 3, '1h': 30, '1d': 400 }, parameters };
const SHORT: CollectionProfile = { name: 'short', intervalS: 60, retention: { raw: 1, '5m': 1, '1h': 2, '1d': 3 }, parameters };
const PROFILES = new Map([KEEP, SHORT].map((p) => [p.name, p]));

/** A frame every 6 hours from 4 days before D0 to D0. */
function frames(device: string, profile: string): Frame[] {
  return Array.from({ length: 17 }, (_, i) => ({ device, profile, time: D0 - 4 * DAY + i * 6 * HOUR, values: { [CPU]: i } }));
}

describeEachDriver('qoe series retention', 'qoe_series_retention_test', (ctx) => {
  let clock = D0 + HOUR;
  let store: SeriesStore;
  const times = async (table: string, profile: string): Promise<number[]> => {
    const rows = await ctx.store.sql.autocommit((db) => db.select(`SELECT r.time FROM ${table} r JOIN qoe_streams s ON s.id = r.stream WHERE s.profile = ? ORDER BY r.time`, [profile]));
    return rows.map((r) => Number(r.time));
  };

  before(async () => {
    store = createSeriesStore(ctx.store.sql, { profiles: (name) => PROFILES.get(name), now: () => clock });
    // As they came: each frame while it is recent (a frame older than its profile's raw retention is refused).
    for (const [keep, short] of frames('dev-keep', 'keep').map((f, i) => [f, frames('dev-short', 'short')[i]])) {
      clock = keep.time + HOUR;
      assert.equal((await store.ingest([keep, short])).frames, 2);
    }
    clock = D0 + HOUR;
    const late = await store.ingest([{ device: 'dev-late', profile: 'short', time: D0 - 2 * DAY, values: { [CPU]: 1 } }]);
    assert.match(late.dropped[0].reason, /older than the profile's raw retention \(1 days\)/);
    await store.rollup(clock);
  });

  it('keeps each profile its own days of raw and rolled-up data', async () => {
    assert.equal((await times('qoe_raw', 'keep'))[0], D0 - 4 * DAY);
    assert.ok((await times('qoe_1h', 'short')).length > 0);
    const r = await store.expire(clock);
    const keepRaw = await times('qoe_raw', 'keep');
    assert.ok(keepRaw[0] >= D0 - 2 * DAY, `raw of "keep" from ${new Date(keepRaw[0]).toISOString()}`);
    assert.equal(keepRaw[keepRaw.length - 1], D0);
    const shortRaw = await times('qoe_raw', 'short');
    assert.deepEqual(shortRaw, [D0 - 18 * HOUR, D0 - 12 * HOUR, D0 - 6 * HOUR, D0], 'one day (less an hour) of raw');
    assert.ok(r.rowsDeleted > 0);
    if (ctx.driver === 'mysql') {
      assert.deepEqual(r.partitionsDropped, ['qoe_raw.p20261206', 'qoe_raw.p20261207'], 'the raw days that ended 2 days before now');
      assert.deepEqual(r.partitionsCompacted, ['qoe_raw.p20261208'], 'the raw days over for the rollup lag and an hour (not yesterday yet)');
      assert.deepEqual(keepRaw[0], D0 - 2 * DAY, 'a day is dropped whole: the day that ends within the retention stays');
    } else {
      assert.deepEqual([r.partitionsDropped, r.partitionsCompacted], [[], []]);
      assert.equal(keepRaw[0], D0 - 2 * DAY + 6 * HOUR);
    }
  });

  it('splits days off ahead of time on MariaDB (tomorrow, from an empty pmax)', async function () {
    if (ctx.driver !== 'mysql') {
      assert.equal((await store.expire(clock + DAY)).partitionsAdded.length, 0, 'SQLite has no partitions');
      return;
    }
    const before = await ctx.store.sql.autocommit((db) => listPartitions(db));
    assert.equal(before[before.length - 1].end, D0 + 2 * DAY, 'up to the end of tomorrow');
    clock = D0 + DAY + HOUR;
    const r = await store.expire(clock);
    assert.deepEqual(r.partitionsAdded, ['qoe_raw', 'qoe_5m', 'qoe_1h', 'qoe_1d'].map((t) => `${t}.p20261212`));
    assert.deepEqual(r.partitionsDropped, ['qoe_raw.p20261208']);
    assert.deepEqual(r.partitionsCompacted, ['qoe_raw.p20261209']);
    const after = await ctx.store.sql.autocommit((db) => listPartitions(db));
    assert.deepEqual(after.map((p) => p.name), ['p20261209', 'p20261210', 'p20261211', 'p20261212']);
    // A frame on a day that has its partition lands in it; the rows are all still readable.
    assert.equal((await store.ingest([{ device: 'dev-keep', profile: 'keep', time: clock, values: { [CPU]: 1 } }])).frames, 1);
    assert.equal((await store.series({ device: 'dev-keep', from: clock - HOUR, to: clock + HOUR, resolution: 'raw' }))[0].points.length, 1);
  });

  it("deletes rolled-up rows past each profile's retention of that resolution", async () => {
    const hourBefore = { keep: await times('qoe_1h', 'keep'), short: await times('qoe_1h', 'short') };
    const dayBefore = await times('qoe_1d', 'short');
    assert.ok(hourBefore.short.length > 0 && hourBefore.keep.length > 0);
    const at = D0 + 3 * DAY;
    const r = await store.expire(at);
    assert.deepEqual(await times('qoe_1h', 'short'), hourBefore.short.filter((t) => t >= at - 2 * DAY));
    assert.ok((await times('qoe_1h', 'short')).length < hourBefore.short.length, 'some 1 h rows of "short" went');
    assert.deepEqual(await times('qoe_1h', 'keep'), hourBefore.keep, 'the 1 h rows of "keep" stay 30 days');
    assert.deepEqual(await times('qoe_1d', 'short'), dayBefore.filter((t) => t >= at - 3 * DAY));
    assert.ok(r.rowsDeleted >= hourBefore.short.length - (await times('qoe_1h', 'short')).length);
  });
});
