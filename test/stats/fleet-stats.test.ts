/**
 * Fleet statistics over HTTP against the real server (MariaDB, Redis) and
 * simulated CPEs: their sessions, Informs and faults are counted per minute
 * (GET /stats/fleet), the summary answers devices, Informs per minute,
 * campaigns and open faults (GET /stats/fleet/summary), finished minutes
 * move to the database and are still answered once Redis lost them, and bad
 * queries get a 400 naming the field.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { moveFinished } from '../../src/stats/mover';
import type { FleetHistory, FleetSummary } from '../../src/stats/types';
import { createLogger } from '../../src/log';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { until } from '../helpers/wait';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const DEVICES = 6;
/** Devices 0 and 3 refuse SetParameterValues: fault 9003, the parameter's 9007 (FaultInjection every 3). */
const FAULTY = 2;
const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';

const sum = (values: number[] | undefined): number => (values ?? []).reduce((a, b) => a + b, 0);

describe('fleet statistics: GET /stats/fleet and /stats/fleet/summary', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let fleet: Fleet;
  let redis: Redis;

  const history = async (query = ''): Promise<FleetHistory> => {
    const res = await t.nbi(`/stats/fleet${query}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as FleetHistory;
  };
  const summary = async (): Promise<FleetSummary> => (await (await t.nbi('/stats/fleet/summary')).json()) as FleetSummary;

  before(async () => {
    const presetsDir = dirWith({ 'interval.yaml': 'channel: interval\nprovisions:\n  - interval\n' });
    const provisionsDir = dirWith({ 'interval.js': `declare('${INTERVAL}', { value: 1 }, { value: 3600 });\n` });
    t = await startTestAcs('stats_fleet', { statsFlushMs: 200, presetsDir, provisionsDir });
    redis = new Redis(TEST_REDIS_URL);
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: DEVICES, serialBase: 'STA', faults: { every: 3, spv: 9007 } });
    await fleet.connectAll();
    await fleet.connectAll('2 PERIODIC');
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
    redis?.disconnect();
  });

  it('counts every session, Inform and fault of the fleet, per minute', async () => {
    await until('the sessions counted', async () => sum((await history('?step=1m')).informs) === 2 * DEVICES);
    const h = await history('?step=1m');
    assert.equal(h.step, '1m');
    // The last 24 h: 1,440 minutes and the one now (1,440 only when now is on a minute's first millisecond).
    assert.ok([1440, 1441].includes(h.times.length), String(h.times.length));
    assert.equal(h.times[1] - h.times[0], 60_000);
    assert.equal(sum(h.events['0 BOOTSTRAP']), DEVICES);
    assert.equal(sum(h.events['2 PERIODIC']), DEVICES);
    const sessions = Object.values(h.sessions).reduce((a, v) => a + sum(v), 0);
    assert.equal(sessions, 2 * DEVICES, JSON.stringify(Object.keys(h.sessions)));
    assert.equal(sum(h.cpeFaults['9003']), FAULTY);
    assert.equal(sum(h.channelFaults['cwmp.9003']), FAULTY);
    // Every series is aligned with times; the counts are in the last minutes.
    for (const values of [h.informs, ...Object.values(h.sessions)]) assert.equal(values.length, h.times.length);
    assert.equal(sum(h.informs.slice(-3)), 2 * DEVICES);
  });

  it('answers buckets of 5 minutes and 1 hour over a chosen range', async () => {
    const to = Date.now();
    const hourly = await history(`?step=1h&from=${new Date(to - 6 * 3600_000).toISOString()}&to=${to}`);
    assert.ok([6, 7].includes(hourly.times.length), String(hourly.times.length));
    assert.equal(hourly.times[0] % 3600_000, 0, 'aligned on the hour');
    assert.equal(sum(hourly.informs), 2 * DEVICES);
    const five = await history('?step=5m');
    assert.ok([288, 289].includes(five.times.length), String(five.times.length));
    assert.equal(sum(five.informs), 2 * DEVICES);
  });

  it('sums up the fleet now: devices known and online, Informs per minute, 24 h totals, open faults', async () => {
    const s = await summary();
    assert.deepEqual(s.devices, { known: DEVICES, online: DEVICES, onlineMinutes: 5 });
    assert.equal(s.informsPerMinute, (2 * DEVICES) / 5);
    assert.equal(s.last24h.informs, 2 * DEVICES);
    assert.equal(s.last24h.cpeFaults['9003'], FAULTY);
    assert.equal(s.last24h.channelFaults['cwmp.9003'], FAULTY);
    assert.deepEqual(s.campaigns, { running: 0 });
    assert.deepEqual(s.faults, [{ channel: 'interval', code: 'cwmp.9003', devices: FAULTY }]);
  });

  it('moves finished minutes to the database, and answers them after Redis lost its data', async () => {
    const log = createLogger('silent');
    const options = { redis, redisPrefix: t.config.redisPrefix, sql: t.acs.store.sql, flushMs: 200, retentionMs: 8 * 24 * 3600_000, log };
    // As the worker's pass would a few minutes from now, once these minutes are finished.
    assert.ok((await moveFinished(options, Date.now() + 3 * 60_000)) >= 1);
    const rows = await t.acs.store.sql.autocommit((db) => db.select("SELECT SUM(n) AS n FROM fleet_stats WHERE series = 's:completed' OR series = 's:quiet'"));
    assert.equal(Number(rows[0].n), 2 * DEVICES);
    // Redis restarted empty: only the database has the counts.
    const keys = await redis.keys(`${t.config.redisPrefix}{stats}:*`);
    assert.deepEqual(keys, [], 'the moved minutes left Redis');
    const h = await history();
    assert.equal(sum(h.informs), 2 * DEVICES);
    assert.equal(sum(h.cpeFaults['9003']), FAULTY);
    // A second pass finds nothing more to move: each count is moved once.
    assert.equal(await moveFinished(options, Date.now() + 3 * 60_000), 0);
    assert.equal(sum((await history()).informs), 2 * DEVICES);
  });

  it('deletes rows past the retention', async () => {
    const log = createLogger('silent');
    await moveFinished({ redis, redisPrefix: t.config.redisPrefix, sql: t.acs.store.sql, flushMs: 200, retentionMs: 60_000, log }, Date.now() + 10 * 60_000);
    const rows = await t.acs.store.sql.autocommit((db) => db.select('SELECT COUNT(*) AS n FROM fleet_stats'));
    assert.equal(Number(rows[0].n), 0);
  });

  it('refuses bad ranges and steps with 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['/stats/fleet?step=2m', 'query.step'],
      ['/stats/fleet?from=yesterday', 'query.from'],
      ['/stats/fleet?to=2026-13-45', 'query.to'],
      [`/stats/fleet?from=${Date.now()}&to=${Date.now() - 60_000}`, 'query.from'],
      [`/stats/fleet?step=1m&from=${Date.now() - 3 * 24 * 3600_000}`, 'query.step'],
      ['/stats/fleet/summary?onlineMinutes=0', 'query.onlineMinutes'],
      ['/stats/fleet/summary?onlineMinutes=five', 'query.onlineMinutes'],
    ];
    for (const [url, field] of cases) {
      const res = await t.nbi(url);
      const body = (await res.json()) as { field?: string; error?: string; code?: string };
      assert.equal(res.status, 400, url);
      assert.equal(body.field, field, `${url}: ${body.error}`);
      assert.equal(body.code, 'ACS_ERR_BAD_REQUEST');
    }
  });

  it('describes both routes in /openapi.json, read scope', async () => {
    const doc = (await (await t.nbi('/openapi.json')).json()) as { paths: Record<string, Record<string, { 'x-acs-scope'?: string }>> };
    assert.equal(doc.paths['/stats/fleet']?.get?.['x-acs-scope'], 'read');
    assert.equal(doc.paths['/stats/fleet/summary']?.get?.['x-acs-scope'], 'read');
  });
});
