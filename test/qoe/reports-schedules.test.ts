/**
 * Report schedules: the REST routes (MariaDB and SQLite: bodies checked with
 * a 400 naming the field, 409 on a taken name, next due times from an
 * interval or a cron expression), and runs (MariaDB, real Redis with a
 * prefix of its own): one qoe.report per due time, whether two runs of it
 * race or two workers sweep; a failed emit retried; a big report cut with a
 * link; a schedule gone bad recording its error.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { openStore } from '../../src/db';
import type { DeviceStore } from '../../src/db/types';
import { createLogger } from '../../src/log';
import { qoeReportRoutes } from '../../src/qoe/reports/routes';
import { ReportService } from '../../src/qoe/reports/run';
import { latestDue, nextDue } from '../../src/qoe/reports/schedule-input';
import { eventReport, reportLink, runSchedule, type RunDeps } from '../../src/qoe/reports/schedule-run';
import { ScheduleStore, type ReportSchedule } from '../../src/qoe/reports/schedule-store';
import { startReportScheduler, type ReportScheduler } from '../../src/qoe/reports/scheduler';
import type { Report } from '../../src/qoe/reports/types';
import type { AcsEvent } from '../../src/webhooks/types';
import { TEST_REDIS_URL } from '../helpers/acs';
import { describeEachDriver, dropMysqlDatabase, mysqlUrl } from '../helpers/db';
import { serveRouters, type NbiServer } from '../helpers/nbi-server';
import { sleep, until } from '../helpers/wait';
import { A, B, D, DAY, HOUR, lookup, NOW, seedReports } from './reports-fixture';

describe('qoe report schedules: due times', () => {
  const at = (d: number, h: number, m = 0) => Date.UTC(2026, 0, d, h, m);

  it('the next due time is strictly after: at multiples of an interval, or as a cron expression says in UTC', () => {
    assert.equal(nextDue('1h', at(1, 10, 30)), at(1, 11));
    assert.equal(nextDue('1h', at(1, 11)), at(1, 12));
    assert.equal(nextDue('15m', at(1, 11, 1)), at(1, 11, 15));
    // 2026-01-01 is a Thursday: the next Monday 06:00 is the 5th.
    assert.equal(nextDue('0 6 * * 1', at(1, 10)), at(5, 6));
    assert.equal(nextDue('30 0 * * *', at(5, 0, 30)), at(6, 0, 30));
  });

  it('a sweep after missed due times runs the latest of them, never one before the stored one', () => {
    assert.equal(latestDue('1h', at(1, 8), at(1, 10, 30)), at(1, 10));
    assert.equal(latestDue('0 6 * * *', at(1, 6), at(3, 7)), at(3, 6));
    assert.equal(latestDue('0 6 * * *', at(1, 6), at(3, 6)), at(3, 6), 'exactly at a due time');
    assert.equal(latestDue('0 6 * * *', at(1, 6), at(1, 6, 0) + 500), at(1, 6));
    assert.equal(latestDue('1d', at(2, 0), at(1, 12)), at(2, 0), 'a sweep that reads a due time early keeps it');
  });
});

const BODY = { name: 'daily-top', kind: 'top-talkers', params: { profile: 'wan', limit: 2, range: '2d' }, every: '1h' };

describeEachDriver('qoe report schedules: REST routes', 'qoe_report_schedules_rest_test', (ctx) => {
  let api: NbiServer;
  before(async () => {
    api = await serveRouters(ctx.store, [qoeReportRoutes({ sql: ctx.store.sql, profiles: lookup })]);
  });
  after(async () => api?.close());

  it('creates a schedule with its defaults and the next due time of its interval', async () => {
    const res = await api.call<ReportSchedule>('POST', '/qoe/report-schedules', BODY);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const { id, nextDue, createdAt, updatedAt, ...rest } = res.body;
    assert.deepEqual(rest, { ...BODY, webhook: true, enabled: true, lastDue: null, lastRunAt: null, lastError: null });
    assert.ok(id > 0 && createdAt === updatedAt);
    assert.equal(nextDue % HOUR, 0);
    assert.ok(nextDue > Date.now() && nextDue <= Date.now() + HOUR, new Date(nextDue).toISOString());
    assert.deepEqual((await api.call('GET', `/qoe/report-schedules/${id}`)).body, res.body);
  });

  it('takes a cron expression in UTC', async () => {
    const res = await api.call<ReportSchedule>('POST', '/qoe/report-schedules', { ...BODY, name: 'monday', every: '0 6 * * 1', webhook: false });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const next = new Date(res.body.nextDue);
    assert.deepEqual([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes(), res.body.webhook], [1, 6, 0, false]);
  });

  it('refuses a bad body with a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ every: 'sometimes' }, 'body.every', /every must be an interval \("1h", "1d"\) or a 5-field cron expression/],
      [{ every: '30s' }, 'body.every', /at least 1 minute/],
      [{ kind: 'weather' }, 'body.kind', /kind must be one of bandwidth, top-talkers/],
      [{ name: 'a b' }, 'body.name', /name must be 1 to 64/],
      [{ params: { profile: 'wan', from: 1 } }, 'body.params.from', /params\.from is not set in a schedule/],
      [{ params: { profile: 'wan', colour: 'red' } }, 'body.params.colour', /params\.colour is not a parameter of top-talkers/],
      [{ params: { profile: 'wan', limit: 0 } }, 'body.params.limit', /params\.limit must be an integer from 1 to 10000/],
      [{ params: { profile: 'wan', range: '5m' } }, 'body.params.range', /params\.range must be a duration from 1h to 400d/],
      [{ kind: 'degrading', params: { range: '1d' } }, 'body.params.range', /params\.range is not set for degrading/],
      [{ params: { profile: 'nosuch' } }, 'body.params.profile', /no collection profile named nosuch/],
    ];
    for (const [change, field, message] of cases) {
      const res = await api.call<{ field: string; error: string }>('POST', '/qoe/report-schedules', { ...BODY, name: 'bad', ...change });
      assert.equal(res.status, 400, `${JSON.stringify(change)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.field, field, JSON.stringify(change));
      assert.match(res.body.error, message, JSON.stringify(change));
    }
  });

  it('refuses a taken name (409); replaces, lists and removes', async () => {
    assert.equal((await api.call('POST', '/qoe/report-schedules', BODY)).status, 409);
    const list = (await api.call<ReportSchedule[]>('GET', '/qoe/report-schedules')).body;
    assert.deepEqual(list.map((s) => s.name), ['daily-top', 'monday']);
    const put = await api.call<ReportSchedule>('PUT', `/qoe/report-schedules/${list[0].id}`, { ...BODY, every: '1d', params: { profile: 'wan', range: '7d' } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual([put.body.every, put.body.params, put.body.nextDue % DAY], ['1d', { profile: 'wan', range: '7d' }, 0]);
    assert.equal((await api.call('PUT', `/qoe/report-schedules/${list[0].id}`, { ...BODY, name: 'monday' })).status, 409);
    assert.equal((await api.call('DELETE', `/qoe/report-schedules/${list[1].id}`)).status, 204);
    assert.equal((await api.call('DELETE', `/qoe/report-schedules/${list[1].id}`)).status, 404);
    assert.equal((await api.call('GET', `/qoe/report-schedules/${list[1].id}`)).status, 404);
  });
});

describe('qoe report schedules: runs (MariaDB, Redis)', function () {
  this.timeout(60_000);
  const url = mysqlUrl('qoe_report_schedules_test');
  const redisPrefix = `qoe-reports-test:${randomBytes(4).toString('hex')}:`;
  const connections: IORedis[] = [];
  const connect = () => {
    const r = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    connections.push(r);
    return r;
  };
  const schedulers: ReportScheduler[] = [];
  let store: DeviceStore;
  let schedules: ScheduleStore;
  let events: AcsEvent[];
  let deps: RunDeps;

  before(async () => {
    await dropMysqlDatabase(url);
    store = await openStore(url);
    await store.migrate();
    await seedReports(store);
    schedules = new ScheduleStore(store.sql);
  });
  beforeEach(() => {
    events = [];
    deps = { store: schedules, reports: new ReportService({ sql: store.sql, profiles: lookup, now: () => NOW }), emit: async (e) => void events.push(...e) };
  });
  after(async () => {
    for (const s of schedulers) await s.close();
    const redis = connect();
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    for (const r of connections) r.disconnect();
    await store?.close();
  });

  // Not due for a year: runs here are called directly, or made due on purpose (the sweep test).
  const create = (name: string, params: Record<string, unknown>, every = '1d') =>
    schedules.create({ name, kind: 'top-talkers', params, every, webhook: true, enabled: true }, Date.now() + 365 * DAY, NOW);

  it('runs a due time once, even when two runs of it race: one qoe.report with the report of the range before it', async () => {
    const s = await create('race', { profile: 'wan', limit: 2, range: '2d' });
    const outcomes = await Promise.all([runSchedule(deps, s.id, D + 2 * DAY), runSchedule(deps, s.id, D + 2 * DAY)]);
    assert.deepEqual(outcomes.sort(), ['duplicate', 'emitted']);
    assert.equal(events.length, 1);
    const [e] = events;
    assert.deepEqual([e.event, e.device, e.time, e.data.schedule, e.data.due], ['qoe.report', null, D + 2 * DAY, { id: s.id, name: 'race' }, D + 2 * DAY]);
    const report = e.data.report as Report;
    assert.deepEqual([report.kind, report.from, report.to], ['top-talkers', D, D + 2 * DAY]);
    assert.deepEqual(report.rows.map((r) => r.device), [B.key, A.key]);
    assert.equal((e.data.report as { truncated?: unknown }).truncated, undefined);
    assert.equal(await runSchedule(deps, s.id, D + 2 * DAY), 'duplicate');
    assert.equal(await runSchedule(deps, s.id, D + DAY), 'duplicate', 'an older due time');
    assert.equal(await runSchedule(deps, s.id, D + 3 * DAY), 'emitted');
    assert.equal(events.length, 2);
    const after = (await schedules.get(s.id)) as ReportSchedule;
    assert.deepEqual([after.lastDue, after.lastError], [D + 3 * DAY, null]);
    assert.ok(after.lastRunAt !== null);
  });

  it('gives the claim back when the event cannot be emitted: the job\'s retry emits it', async () => {
    const s = await create('retry', { profile: 'wan', range: '1d' });
    let fail = true;
    deps.emit = async (e) => {
      if (fail) throw new Error('webhook outbox unavailable');
      events.push(...e);
    };
    await assert.rejects(runSchedule(deps, s.id, D + DAY), /webhook outbox unavailable/);
    assert.equal((await schedules.get(s.id))?.lastDue, null);
    fail = false;
    assert.equal(await runSchedule(deps, s.id, D + DAY), 'emitted');
    assert.equal(events.length, 1);
  });

  it('records why a schedule gone bad failed, and emits nothing', async () => {
    const s = await create('gone', { profile: 'removed-profile', range: '1d' });
    assert.equal(await runSchedule(deps, s.id, D + DAY), 'failed');
    assert.match((await schedules.get(s.id))?.lastError ?? '', /no collection profile named removed-profile/);
    assert.equal(events.length, 0);
  });

  it('cuts a report larger than the cap to its first rows, with a note and the GET route\'s link', async () => {
    const s = await create('big', { profile: 'wan', limit: 4, range: '2d' });
    assert.equal(await runSchedule(deps, s.id, D + 2 * DAY), 'emitted');
    const report = events[0].data.report as Report;
    const link = reportLink(s, report, 'https://acs.example.net/api/');
    assert.equal(link, `https://acs.example.net/api/qoe/reports/top-talkers?profile=wan&limit=4&from=${D}&to=${D + 2 * DAY}`);
    const size = Buffer.byteLength(JSON.stringify(report));
    const cut = eventReport(report, link, size - 10) as unknown as Report & { truncated: { rows: number; of: number; link: string; note: string } };
    assert.ok(Buffer.byteLength(JSON.stringify(cut)) <= size - 10);
    assert.ok(cut.rows.length >= 1 && cut.rows.length < 4, `${cut.rows.length} rows kept`);
    assert.deepEqual(cut.rows, report.rows.slice(0, cut.rows.length));
    assert.deepEqual([cut.truncated.rows, cut.truncated.of, cut.truncated.link], [cut.rows.length, 4, link]);
    assert.match(cut.truncated.note, new RegExp(`first ${cut.rows.length} of 4 rows .*GET https://acs\\.example\\.net/api/qoe/reports/top-talkers\\?`));
    assert.deepEqual(eventReport(report, link, size), report, 'within the cap: whole');
  });

  it('two workers sweeping: a schedule due runs once, emits exactly one qoe.report, and its next due time moves on', async () => {
    const live: AcsEvent[] = [];
    const start = async () => {
      const s = await startReportScheduler({ redisPrefix, connect, sql: store.sql, profiles: lookup, log: createLogger('silent'), emit: async (e) => void live.push(...e), sweepMs: 150 });
      schedulers.push(s);
      return s;
    };
    const s = await create('swept', { profile: 'wan', range: '1d' }, '1h');
    assert.equal(await (await start()).sweepNow(), 0, 'nothing due yet');
    await start();
    const due = Math.floor(Date.now() / HOUR) * HOUR;
    await store.sql.autocommit((db) => db.run('UPDATE qoe_report_schedules SET next_due = ? WHERE id = ?', [due, s.id]));
    await until('the report emitted', async () => live.length >= 1);
    // Several sweeps more (150 ms each), on both workers.
    await sleep(1500);
    assert.equal(live.length, 1, JSON.stringify(live.map((e) => e.data.due)));
    assert.deepEqual([live[0].event, live[0].time, (live[0].data.report as Report).to], ['qoe.report', due, due]);
    const after = (await schedules.get(s.id)) as ReportSchedule;
    assert.deepEqual([after.lastDue, after.nextDue], [due, due + HOUR]);
  });
});
