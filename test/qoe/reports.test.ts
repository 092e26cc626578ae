/**
 * Fleet reports on known rollup rows (reports-fixture.ts: frames ingested
 * and rolled up by the real series store) on MariaDB and SQLite: each kind's
 * figures, grouping, a precondition, the daily tier, raw completing a short
 * range and not a long one, slices of devices, and the REST routes (JSON,
 * CSV, a 400 naming the field).
 */
import { strict as assert } from 'node:assert';
import { qoeReportRoutes } from '../../src/qoe/reports/routes';
import { PARAM_SCHEMAS, type ParamsOf } from '../../src/qoe/reports/params';
import { ReportService } from '../../src/qoe/reports/run';
import type { Report, ReportKind, ReportRow } from '../../src/qoe/reports/types';
import { withToken } from '../helpers/api-token';
import { describeEachDriver } from '../helpers/db';
import { serveRouters, type NbiServer } from '../helpers/nbi-server';
import { A, B, C, D, DAY, HOUR, lookup, NOW, S, seedReports, X } from './reports-fixture';

const near = (actual: unknown, expected: number, what: string, tolerance = 1e-6): void => {
  assert.equal(typeof actual, 'number', `${what}: ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${String(actual)} != ${expected}`);
};

const pick = (rows: ReportRow[], columns: string[]): ReportRow[] => rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]])));

describeEachDriver('qoe reports', 'qoe_reports_test', (ctx) => {
  let reports: ReportService;
  const run = <K extends ReportKind>(kind: K, query: Record<string, unknown>, service = reports): Promise<Report> =>
    service.run(kind, PARAM_SCHEMAS[kind].parse(query) as ParamsOf<K>);

  before(async () => {
    await seedReports(ctx.store);
    reports = new ReportService({ sql: ctx.store.sql, profiles: lookup, now: () => NOW });
  });

  describe('bandwidth', () => {
    it('totals bytes and per-device throughput by product class, the device without a row last', async () => {
      const r = await run('bandwidth', { profile: 'wan', groupBy: 'productClass', from: D, to: D + 2 * DAY });
      assert.deepEqual([r.from, r.to, r.resolution, r.coveredUntil, r.devices], [D, D + 2 * DAY, '1h', D + 2 * DAY, 4]);
      assert.deepEqual(pick(r.rows, ['group', 'devices', 'bytesReceived', 'bytesSent']), [
        { group: 'F660', devices: 1, bytesReceived: C.rx * S, bytesSent: C.tx * S },
        { group: 'HG8245', devices: 2, bytesReceived: (A.rx + B.rx) * S, bytesSent: (A.tx + B.tx) * S },
        { group: null, devices: 1, bytesReceived: 0, bytesSent: 0 },
      ]);
      const hg = r.rows[1];
      assert.deepEqual([hg.receivedAvgBps, hg.receivedP50Bps, hg.receivedP95Bps, hg.sentAvgBps, hg.sentP95Bps], [2000, 2000, 2900, 200, 290]);
      assert.deepEqual(r.notes, []);
    });

    it('groups by tag (a device in each of its tags, untagged ones together) and by software version', async () => {
      const byTag = await run('bandwidth', { profile: 'wan', groupBy: 'tag', from: D, to: D + 2 * DAY });
      assert.deepEqual(pick(byTag.rows, ['group', 'devices', 'bytesReceived']), [
        { group: 'north', devices: 2, bytesReceived: (A.rx + B.rx) * S },
        { group: 'vip', devices: 1, bytesReceived: B.rx * S },
        { group: null, devices: 2, bytesReceived: (C.rx + X.rx) * S },
      ]);
      const bySoftware = await run('bandwidth', { profile: 'wan', groupBy: 'softwareVersion', from: D, to: D + 2 * DAY });
      assert.deepEqual(pick(bySoftware.rows, ['group', 'devices', 'bytesSent']), [
        { group: '1.0', devices: 2, bytesSent: (A.tx + C.tx) * S },
        { group: '2.0', devices: 1, bytesSent: B.tx * S },
        { group: null, devices: 1, bytesSent: 0 },
      ]);
    });

    it('covers only the devices a precondition matches', async () => {
      const r = await run('bandwidth', { profile: 'wan', filter: 'Tags.vip', from: D, to: D + 2 * DAY });
      assert.deepEqual(pick(r.rows, ['group', 'devices', 'bytesReceived']), [{ group: 'all', devices: 1, bytesReceived: B.rx * S }]);
      assert.equal(r.devices, 1);
    });

    it('reads the daily rows to the same totals', async () => {
      const r = await run('bandwidth', { profile: 'wan', from: D, to: D + 2 * DAY, resolution: '1d' });
      assert.equal(r.resolution, '1d');
      assert.equal(r.cost.rows, 8, 'two daily rows for each of four devices');
      assert.deepEqual(pick(r.rows, ['devices', 'bytesReceived', 'bytesSent']), [{ devices: 4, bytesReceived: (A.rx + B.rx + C.rx) * S, bytesSent: (A.tx + B.tx + C.tx) * S }]);
    });

    it('completes a range of at most a day from raw rows, up to now', async () => {
      const r = await run('bandwidth', { profile: 'wan', from: D + 2 * DAY, to: NOW });
      assert.deepEqual([r.coveredUntil, r.notes], [NOW, []]);
      assert.deepEqual(pick(r.rows, ['devices', 'bytesReceived']), [{ devices: 4, bytesReceived: (A.rx + B.rx + C.rx) * 2 * 3600 }]);
    });

    it('never reads raw rows for a longer range: its data stops at the rollups, and the report says so', async () => {
      const r = await run('bandwidth', { profile: 'wan', from: D, to: NOW });
      assert.equal(r.coveredUntil, D + 2 * DAY);
      assert.match(r.notes[0], /^1h rollups reach 2026-11-22T00:00:00.000Z: no data after it/);
      assert.equal(r.rows[0].bytesReceived, (A.rx + B.rx + C.rx) * S);
    });

    it('reads daily rows past 2 days when devices × hours would pass the hourly row budget, and says so', async () => {
      const small = new ReportService({ sql: ctx.store.sql, profiles: lookup, now: () => NOW, hourlyRowBudget: 4 * 50 });
      const within = await run('bandwidth', { profile: 'wan', from: D, to: NOW }, small);
      assert.equal(within.resolution, '1h');
      const tight = new ReportService({ sql: ctx.store.sql, profiles: lookup, now: () => NOW, hourlyRowBudget: 4 * 50 - 1 });
      const r = await run('bandwidth', { profile: 'wan', from: D, to: NOW }, tight);
      assert.deepEqual([r.resolution, r.from, r.to, r.coveredUntil], ['1d', D, D + 3 * DAY, D + 2 * DAY]);
      assert.match(r.notes[0], /^read at 1d: 4 devices × 50 hours is over the hourly budget of 199 rows/);
      assert.equal(r.rows[0].bytesReceived, (A.rx + B.rx + C.rx) * S);
      assert.equal((await run('bandwidth', { profile: 'wan', from: D, to: NOW, resolution: '1h' }, tight)).resolution, '1h', 'asked for');
    });

    it('gives the same figures a device at a time (one statement per slice)', async () => {
      const sliced = new ReportService({ sql: ctx.store.sql, profiles: lookup, now: () => NOW, rowsPerRead: 40 });
      const one = await run('bandwidth', { profile: 'wan', groupBy: 'productClass', from: D, to: D + 2 * DAY }, sliced);
      const all = await run('bandwidth', { profile: 'wan', groupBy: 'productClass', from: D, to: D + 2 * DAY });
      assert.deepEqual(one.rows, all.rows);
      assert.equal(one.cost.statements, 4 + 2, 'one read per device, the mark and the devices');
      assert.equal(all.cost.statements, 1 + 2);
    });
  });

  it('top talkers: the N devices that moved the most bytes, largest first', async () => {
    const r = await run('top-talkers', { profile: 'wan', limit: 2, from: D, to: D + 2 * DAY });
    assert.deepEqual(pick(r.rows, ['rank', 'device', 'productClass', 'softwareVersion', 'bytes', 'receivedAvgBps']), [
      { rank: 1, device: B.key, productClass: 'HG8245', softwareVersion: '2.0', bytes: (B.rx + B.tx) * S, receivedAvgBps: B.rx },
      { rank: 2, device: A.key, productClass: 'HG8245', softwareVersion: '1.0', bytes: (A.rx + A.tx) * S, receivedAvgBps: A.rx },
    ]);
    assert.equal(r.totalRows, 4);
  });

  describe('percentiles', () => {
    it('of a gauge by alias: each device\'s average, then the fleet\'s percentiles', async () => {
      const r = await run('percentiles', { profile: 'wan', series: 'CPU', percentiles: '50,95', from: D, to: D + 2 * DAY });
      assert.deepEqual(r.columns, ['group', 'devices', 'samples', 'unit', 'min', 'mean', 'p50', 'p95', 'max']);
      assert.deepEqual(r.rows, [{ group: 'all', devices: 3, samples: 3, unit: 'value', min: 20, mean: 40, p50: 40, p95: 58, max: 60 }]);
    });

    it('of each device\'s maximum, by product class', async () => {
      const r = await run('percentiles', { profile: 'wan', series: 'CPU', stat: 'max', percentiles: 50, groupBy: 'productClass', from: D, to: D + 2 * DAY });
      assert.deepEqual(pick(r.rows, ['group', 'samples', 'p50', 'max']), [
        { group: 'F660', samples: 1, p50: 60, max: 60 },
        { group: 'HG8245', samples: 2, p50: 35, max: 40 },
      ]);
    });

    it('of a counter by a path with "*": rates per second', async () => {
      const r = await run('percentiles', { profile: 'wan', series: 'Device.IP.Interface.*.Stats.BytesReceived', percentiles: '50', from: D, to: D + 2 * DAY });
      assert.deepEqual(pick(r.rows, ['samples', 'unit', 'min', 'p50', 'max']), [{ samples: 4, unit: 'per-second', min: 0, p50: 750, max: 3000 }]);
    });
  });

  describe('degrading lines', () => {
    it('lists the device whose error rate rose tenfold, not the steady ones', async () => {
      const r = await run('degrading', { profile: 'wan', to: D + 2 * DAY, window: '1d', ratio: 2, minIncrease: '1/min' });
      assert.deepEqual([r.from, r.to, r.totalRows], [D, D + 2 * DAY, 1]);
      assert.deepEqual(pick(r.rows, ['rank', 'device', 'unit']), [{ rank: 1, device: B.key, unit: 'per-second' }]);
      near(r.rows[0].previous, 0.01, 'previous');
      near(r.rows[0].last, 0.1, 'last');
      near(r.rows[0].increase, 0.09, 'increase');
      near(r.rows[0].ratio, 10, 'ratio', 1e-3);
      const byDefault = await run('degrading', { profile: 'wan', minIncrease: '1/min' });
      assert.deepEqual([byDefault.to, byDefault.rows.map((x) => x.device)], [D + 2 * DAY, [B.key]], 'the windows end where the rollups reach');
    });

    it('holds back a rise smaller than minIncrease, and reads a named series', async () => {
      const r = await run('degrading', { profile: 'wan', to: D + 2 * DAY, minIncrease: '10/min' });
      assert.deepEqual([r.rows, r.totalRows], [[], 0]);
      const cpu = await run('degrading', { profile: 'wan', to: D + 2 * DAY, series: 'CPU', ratio: 1 });
      assert.deepEqual(cpu.rows, [], 'a steady gauge');
    });
  });

  it('wifi channels: radios, clients and noise per channel and band, a radio on its last channel', async () => {
    const r = await run('wifi-channels', { from: D, to: D + 2 * DAY });
    assert.equal(r.profile, 'wifi');
    assert.deepEqual(r.rows, [
      { band: '2.4GHz', channel: 6, radios: 2, radioShare: 50, clients: 7, clientsPerRadio: 3.5, noiseAvg: -85, radiosWithNoise: 2 },
      { band: '2.4GHz', channel: 11, radios: 1, radioShare: 25, clients: 5, clientsPerRadio: 5, noiseAvg: null, radiosWithNoise: 0 },
      { band: '5GHz', channel: 36, radios: 1, radioShare: 25, clients: 2, clientsPerRadio: 2, noiseAvg: -95, radiosWithNoise: 1 },
    ]);
  });

  describe('REST routes', () => {
    let api: NbiServer;
    before(async () => {
      api = await serveRouters(ctx.store, [qoeReportRoutes({ sql: ctx.store.sql, profiles: lookup, now: () => NOW })]);
    });
    after(async () => api?.close());

    it('answers JSON', async () => {
      const res = await api.call<Report>('GET', `/qoe/reports/top-talkers?profile=wan&limit=1&from=${D}&to=${new Date(D + 2 * DAY).toISOString()}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.rows.map((r) => r.device), [B.key]);
    });

    it('answers CSV with ?format=csv: a header, a line per row, the null group empty', async () => {
      const res = await fetch(`${api.base}/qoe/reports/bandwidth?profile=wan&groupBy=productClass&from=${D}&to=${D + 2 * DAY}&format=csv`, withToken(api.token));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="bandwidth-2026-11-20.csv"/);
      const lines = (await res.text()).split('\r\n');
      assert.equal(lines[0], 'group,devices,bytesReceived,bytesSent,receivedAvgBps,receivedP50Bps,receivedP95Bps,sentAvgBps,sentP50Bps,sentP95Bps');
      assert.equal(lines[1], `F660,1,${C.rx * S},${C.tx * S},500,500,500,50,50,50`);
      assert.equal(lines[2], `HG8245,2,${(A.rx + B.rx) * S},${(A.tx + B.tx) * S},2000,2000,2900,200,200,290`);
      assert.equal(lines[3], ',1,0,0,0,0,0,0,0,0');
      assert.equal(lines[4], '');
      assert.equal(lines.length, 5);
    });

    it('refuses bad parameters with a 400 naming the field', async () => {
      const cases: [string, string, RegExp][] = [
        ['bandwidth?groupBy=region', 'query.groupBy', /must be one of none, productClass, softwareVersion, tag/],
        ['percentiles?profile=wan', 'query.series', /series is required/],
        ['top-talkers?limit=0', 'query.limit', /must be an integer from 1 to 10000/],
        ['bandwidth?profile=nosuch', 'query.profile', /no collection profile named nosuch/],
        [`bandwidth?profile=wan&from=${D + DAY}&to=${D}`, 'query.from', /from must be before to/],
        ['bandwidth?profile=wan&filter=DeviceID.ProductClass%20%3D', 'query.filter', /must be a precondition/],
        ['degrading?window=5m', 'query.window', /must be a duration from 1h/],
        ['degrading?minIncrease=fast', 'query.minIncrease', /must be a rate/],
        [`bandwidth?profile=wan&resolution=1h&from=${D - 60 * DAY}&to=${D}`, 'query.resolution', /1h reads at most 31 days/],
        ['bandwidth?received=a%20b', 'query.received', /is not a path or an alias/],
        ['bandwidth?format=xml', 'query.format', /must be one of json, csv/],
        ['percentiles?series=CPU&percentiles=50,101', 'query.percentiles', /0 to 100/],
      ];
      for (const [path, field, message] of cases) {
        const res = await api.call<{ field: string; error: string }>('GET', `/qoe/reports/${path}`);
        assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.field, field, path);
        assert.match(res.body.error, message, path);
      }
    });

    it('an hour range reads hourly rows from raw at the edge (the last hour up to now)', async () => {
      const res = await api.call<Report>('GET', `/qoe/reports/bandwidth?profile=wan&from=${NOW - HOUR}`);
      assert.equal(res.status, 200);
      assert.deepEqual([res.body.from, res.body.to, res.body.rows[0].bytesReceived], [NOW - HOUR, NOW, (A.rx + B.rx + C.rx) * 3600]);
    });
  });
});
