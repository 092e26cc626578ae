/**
 * The campaign tick on real MariaDB / SQLite and Redis, with the real
 * WorkflowRunner starting the runs. No workflow worker runs here, so runs
 * stay 'running' until a test ends them by writing their status, as the
 * workflow engine does when a run's task finishes (test/campaigns/e2e.test.ts
 * has the whole chain with simulated devices). Ticks get their time as an
 * argument, so rate, waits and windows are checked without sleeping.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { CampaignService } from '../../src/campaigns/service';
import { tickCampaign } from '../../src/campaigns/tick';
import type { CampaignDetail } from '../../src/campaigns/types';
import { createLogger } from '../../src/log';
import { createWorkflowRunner, type RunningRunner } from '../../src/workflows';
import { TEST_REDIS_URL } from '../helpers/acs';
import { describeEachDriver } from '../helpers/db';

const T0 = Date.parse('2026-12-04T03:00:00Z');
const SEC = 1000;
const MIN = 60 * SEC;
const TASK = { name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] };
const log = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");

describeEachDriver('campaign tick', 'acs_test_campaign_tick', (ctx) => {
  const prefix = `acs-test:campaign-tick:${randomBytes(4).toString('hex')}:`;
  const connections: Redis[] = [];
  const connect = () => {
    const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    connections.push(r);
    return r;
  };
  let runner: RunningRunner;
  let service: CampaignService;
  let serial = 0;

  before(() => {
    runner = createWorkflowRunner({ redisPrefix: prefix, connect, redis: connect(), store: ctx.store, log });
    service = new CampaignService({ sql: ctx.store.sql, runner: runner.runner, now: () => T0 });
  });
  after(async () => {
    await runner?.close();
    const keys = await connections[0].keys(`${prefix}*`);
    if (keys.length > 0) await connections[0].del(...keys);
    for (const c of connections) c.disconnect();
  });

  /** Devices tagged `tag`, with optional cached time zone parameter values. */
  async function devices(tag: string, n: number, zones: (string | null)[] = []): Promise<string[]> {
    const keys: string[] = [];
    await ctx.store.sql.transaction(async (db) => {
      for (let i = 0; i < n; i++) {
        const sn = `${tag.toUpperCase()}${++serial}`;
        const key = `00D09E-HG8245-${sn}`;
        const { insertId } = await db.run('INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number, last_inform) VALUES (?, ?, ?, ?, ?, ?)', [
          key, 'Acme', '00D09E', 'HG8245', sn, T0,
        ]);
        await db.run('INSERT INTO device_tags (device_id, tag) VALUES (?, ?)', [insertId, tag]);
        const zone = zones[i % Math.max(1, zones.length)];
        if (zone) await db.run("INSERT INTO device_parameters (device_id, path, kind, value, type) VALUES (?, 'Device.Time.LocalTimeZoneName', 'leaf', ?, 'xsd:string')", [insertId, zone]);
        keys.push(key);
      }
    });
    return keys;
  }

  const create = async (body: Record<string, unknown>) => service.create({ name: 't', action: { task: TASK }, ratePerMinute: 6000, ...body });
  const tick = (id: string, now: number) => tickCampaign({ sql: ctx.store.sql, runner: runner.runner, log }, id, now);
  const get = async (id: string) => (await service.get(id)) as CampaignDetail;
  const stageCounts = async (id: string, stage: number) => (await get(id)).progress.find((p) => p.stage === stage)?.counts;

  /** Ends `n` of the campaign's running runs (of `stage` if given) with `status`, as the workflow engine would. */
  async function endRuns(id: string, status: 'done' | 'failed', n: number, reason: string | null = null): Promise<void> {
    const rows = await ctx.store.sql.autocommit((db) => db.select(`SELECT id FROM workflow_runs WHERE campaign_id = ? AND status = 'running' ORDER BY id LIMIT ${n}`, [id]));
    assert.equal(rows.length, n, `${n} running runs to end`);
    await ctx.store.sql.transaction(async (db) => {
      for (const r of rows) await db.run('UPDATE workflow_runs SET status = ?, reason = ?, version = version + 1 WHERE id = ?', [status, reason, r.id]);
    });
  }

  it('takes a snapshot cut into stages, starts the first, waits after it, then starts the next with runs tagged by stage', async () => {
    await devices('stages', 40);
    const c = await create({ query: 'Tags.stages', stages: [{ count: 4, waitMinutes: 10 }, { percent: 25 }, {}] });
    assert.equal(c.status, 'running');
    assert.deepEqual(await tick(c.id, T0), { ran: true, started: 4, finished: 0 });
    const detail = await get(c.id);
    assert.equal(detail.total, 40);
    assert.deepEqual(detail.progress.map((p) => p.total), [4, 10, 26]);
    assert.equal(detail.progress[0].counts.started, 4);
    await devices('stages', 5); // matching later: not in the snapshot
    await endRuns(c.id, 'done', 4);
    assert.deepEqual(await tick(c.id, T0 + SEC), { ran: true, started: 0, finished: 4 });
    assert.equal((await tick(c.id, T0 + 5 * MIN)).started, 0, 'waiting 10 minutes after stage 1');
    assert.equal((await tick(c.id, T0 + 11 * MIN + SEC)).started, 10);
    assert.equal((await get(c.id)).stage, 1);
    const runs = await runner.runner.list({ campaign: c.id, limit: 100 });
    assert.deepEqual(runs.map((r) => r.campaignStage).sort(), [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal((await get(c.id)).total, 40);
  });

  it('limits the rate: a token bucket of ratePerMinute, at most 5 s of starts at once', async () => {
    await devices('rate', 30);
    const c = await create({ query: 'Tags.rate', ratePerMinute: 60 });
    assert.equal((await tick(c.id, T0)).started, 1);
    assert.equal((await tick(c.id, T0 + SEC)).started, 1);
    assert.equal((await tick(c.id, T0 + 1500)).started, 0);
    assert.equal((await tick(c.id, T0 + 30 * SEC)).started, 5, 'a late tick catches up by 5 s, no more');
    assert.equal((await get(c.id)).counts.started, 7);
  });

  it('keeps at most maxInFlight runs going', async () => {
    await devices('inflight', 20);
    const c = await create({ query: 'Tags.inflight', maxInFlight: 5 });
    assert.equal((await tick(c.id, T0)).started, 5);
    assert.equal((await tick(c.id, T0 + SEC)).started, 0);
    await endRuns(c.id, 'done', 2);
    assert.deepEqual(await tick(c.id, T0 + 2 * SEC), { ran: true, started: 2, finished: 2 });
    assert.equal((await get(c.id)).counts.started, 5);
  });

  it('stops itself when failed / finished of a stage reaches the threshold, once minSample finished, with the reason', async () => {
    await devices('fail', 30);
    const c = await create({ query: 'Tags.fail', stages: [{ count: 10 }, {}], failureThreshold: 0.2, minSample: 5 });
    assert.equal((await tick(c.id, T0)).started, 10);
    await endRuns(c.id, 'failed', 3, 'fault 9002');
    await endRuns(c.id, 'done', 1);
    await tick(c.id, T0 + SEC);
    assert.equal((await get(c.id)).status, 'running', '4 finished: below the sample');
    await endRuns(c.id, 'done', 1);
    await tick(c.id, T0 + 2 * SEC);
    const stopped = await get(c.id);
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.reason, 'stage 1 of 2: 3 of 5 finished devices failed (60 % >= 20 %)');
    assert.equal(stopped.progress[1].counts.pending, 20, 'the next stage never started');
    const failed = await service.devices(c.id, { status: 'failed' });
    assert.deepEqual(failed.map((d) => d.reason), ['fault 9002', 'fault 9002', 'fault 9002']);
    // Runs in flight still report their outcomes after the stop.
    await endRuns(c.id, 'done', 5);
    assert.deepEqual(await tick(c.id, T0 + 3 * SEC), { ran: true, started: 0, finished: 5 });
    assert.equal((await stageCounts(c.id, 0))?.done, 7);
    await assert.rejects(service.resume(c.id), /is stopped: cannot resume/);
  });

  it('completes: every stage finished makes the campaign done', async () => {
    await devices('complete', 6);
    const c = await create({ query: 'Tags.complete', stages: [{ count: 2 }, {}], failureThreshold: 0.6 });
    assert.equal((await tick(c.id, T0)).started, 2);
    await endRuns(c.id, 'done', 1);
    await endRuns(c.id, 'failed', 1);
    assert.equal((await tick(c.id, T0 + SEC)).started, 4, '1 of 2 failed (a small stage is judged whole): 50 % < 60 %, on to the next stage');
    await endRuns(c.id, 'done', 4);
    await tick(c.id, T0 + 2 * SEC);
    const done = await get(c.id);
    assert.equal(done.status, 'done');
    assert.deepEqual([done.counts.done, done.counts.failed], [5, 1]);
    assert.equal(done.finishedAt, T0 + 2 * SEC);
  });

  it('starts devices only inside the window, in their own zone when known', async () => {
    const keys = await devices('window', 6, ['Asia/Tokyo', 'CET-1CEST,M3.5.0,M10.5.0/3', null]);
    const window = { start: '02:00', end: '05:00' };
    const c = await create({ query: 'Tags.window', window });
    // 01:30 UTC: CET devices are at 02:30 (in), Tokyo at 10:30, zone-less (UTC) at 01:30.
    assert.equal((await tick(c.id, Date.parse('2026-12-04T01:30:00Z'))).started, 2);
    const started = (await service.devices(c.id, { status: 'started' })).map((d) => d.device).sort();
    assert.deepEqual(started, [keys[1], keys[4]].sort());
    // 17:30 UTC: Tokyo is at 02:30.
    assert.equal((await tick(c.id, Date.parse('2026-12-04T17:30:00Z'))).started, 2);
    const fixed = await create({ query: 'Tags.window', window: { ...window, deviceTimezone: false } });
    assert.equal((await tick(fixed.id, Date.parse('2026-12-04T01:30:00Z'))).started, 0, 'window in UTC for every device');
    assert.equal((await tick(fixed.id, Date.parse('2026-12-04T02:30:00Z'))).started, 6);
  });

  it('pause stops starts but not outcomes; resume goes on; cancel skips the rest and cancels runs in flight', async () => {
    await devices('pause', 10);
    const c = await create({ query: 'Tags.pause', maxInFlight: 3 });
    assert.equal((await tick(c.id, T0)).started, 3);
    assert.equal((await service.pause(c.id)).status, 'paused');
    assert.equal((await service.pause(c.id)).status, 'paused', 'pausing twice is harmless');
    await endRuns(c.id, 'done', 1);
    assert.deepEqual(await tick(c.id, T0 + SEC), { ran: true, started: 0, finished: 1 });
    assert.equal((await service.resume(c.id)).status, 'running');
    assert.equal((await tick(c.id, T0 + 2 * SEC)).started, 1);
    const cancelled = await service.cancel(c.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.reason, 'cancelled by an operator');
    assert.equal(cancelled.counts.skipped, 6);
    const runs = await runner.runner.list({ campaign: c.id, limit: 100 });
    assert.deepEqual(runs.map((r) => r.status).sort(), ['cancelled', 'cancelled', 'cancelled', 'done']);
    await tick(c.id, T0 + 3 * SEC);
    const after = await get(c.id);
    assert.deepEqual([after.counts.cancelled, after.counts.done, after.counts.started, after.counts.pending], [3, 1, 0, 0]);
    await assert.rejects(service.pause(c.id), (e: { code: string; message: string }) => e.code === 'ACS_ERR_CONFLICT' && /is cancelled: cannot pause/.test(e.message));
    await assert.rejects(service.pause('nope'), (e: { code: string }) => e.code === 'ACS_ERR_NOT_FOUND');
  });

  it('a draft starts nothing until resumed', async () => {
    await devices('draft', 2);
    const c = await create({ query: 'Tags.draft', draft: true });
    assert.equal(c.status, 'draft');
    assert.equal((await tick(c.id, T0)).started, 0);
    assert.equal((await get(c.id)).selected, false);
    await service.resume(c.id);
    assert.equal((await tick(c.id, T0 + SEC)).started, 2);
  });

  it('one tick at a time: a tick finding the lease held does nothing', async () => {
    await devices('lease', 2);
    const c = await create({ query: 'Tags.lease' });
    await ctx.store.sql.transaction((db) => db.run('UPDATE campaigns SET lease_until = ? WHERE id = ?', [T0 + MIN, c.id]));
    assert.deepEqual(await tick(c.id, T0), { ran: false, started: 0, finished: 0 });
    assert.equal((await tick(c.id, T0 + MIN + 1)).started, 2, 'an expired lease is taken over');
  });

  it('after a crash between claiming a device and linking its run, the run is found, or the device starts again', async () => {
    await devices('crash', 3);
    const c = await create({ query: 'Tags.crash' });
    assert.equal((await tick(c.id, T0)).started, 3);
    // Two devices as a crash leaves them: started, no run id; one of them had its run created.
    const [a, b] = await service.devices(c.id, { status: 'started' });
    await ctx.store.sql.transaction(async (db) => {
      await db.run('UPDATE campaign_devices SET run_id = NULL WHERE campaign_id = ? AND device_key IN (?, ?)', [c.id, a.device, b.device]);
      await db.run('DELETE FROM workflow_runs WHERE id = ?', [b.runId]);
    });
    assert.equal((await tick(c.id, T0 + SEC)).started, 1, 'b again');
    const now = await service.devices(c.id);
    assert.equal(now.find((d) => d.device === a.device)?.runId, a.runId);
    assert.notEqual(now.find((d) => d.device === b.device)?.runId, null);
    assert.equal((await runner.runner.list({ campaign: c.id, limit: 10 })).length, 3);
  });
});
