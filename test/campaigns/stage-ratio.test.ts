/**
 * GET /campaigns/:id over HTTP answers each stage's failure ratio (failed /
 * finished) and whether enough devices finished for it to stop the
 * campaign, as the tick's stop rule judges it: what the web UI shows next to
 * the failure threshold; GET /campaigns?counts answers each listed
 * campaign's devices by outcome (the UI's list). Runs are ended by writing their status, as the
 * workflow engine does (test/campaigns/tick.test.ts does the same).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { campaignRoutes } from '../../src/campaigns/routes';
import { CampaignService, type CampaignView } from '../../src/campaigns/service';
import { tickCampaign } from '../../src/campaigns/tick';
import { openStore } from '../../src/db';
import type { DeviceStore } from '../../src/db/types';
import { createLogger } from '../../src/log';
import { createWorkflowRunner, type RunningRunner } from '../../src/workflows';
import { TEST_REDIS_URL } from '../helpers/acs';
import { freshMigratedMysqlDatabase, mysqlUrl } from '../helpers/db';
import { serveRouters, type NbiServer } from '../helpers/nbi-server';

const T0 = Date.parse('2026-12-04T03:00:00Z');
const log = createLogger('silent');

describe('campaign stage failure ratio (GET /campaigns/:id) and counts in the list (GET /campaigns?counts)', function () {
  this.timeout(60_000);
  const prefix = `acs-test:campaign-ratio:${randomBytes(4).toString('hex')}:`;
  const connections: Redis[] = [];
  let store: DeviceStore;
  let runner: RunningRunner;
  let nbi: NbiServer;

  before(async () => {
    const url = mysqlUrl('acs_test_campaign_ratio');
    await freshMigratedMysqlDatabase(url);
    store = await openStore(url);
    await store.migrate();
    const connect = () => {
      const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
      connections.push(r);
      return r;
    };
    runner = createWorkflowRunner({ redisPrefix: prefix, connect, redis: connect(), store, log });
    const service = new CampaignService({ sql: store.sql, runner: runner.runner, now: () => T0 });
    nbi = await serveRouters(store, [campaignRoutes(service)]);
  });
  after(async () => {
    await nbi?.close();
    await runner?.close();
    const keys = await connections[0]?.keys(`${prefix}*`);
    if (keys && keys.length > 0) await connections[0].del(...keys);
    for (const c of connections) c.disconnect();
    await store?.close();
  });

  const call = <T>(method: string, path: string, body?: unknown) => nbi.call<T>(method, path, body);

  async function devices(tag: string, n: number): Promise<void> {
    await store.sql.transaction(async (db) => {
      for (let i = 0; i < n; i++) {
        const sn = `${tag.toUpperCase()}${i}`;
        const { insertId } = await db.run('INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number, last_inform) VALUES (?, ?, ?, ?, ?, ?)', [
          `00D09E-HG8245-${sn}`, 'Acme', '00D09E', 'HG8245', sn, T0,
        ]);
        await db.run('INSERT INTO device_tags (device_id, tag) VALUES (?, ?)', [insertId, tag]);
      }
    });
  }

  async function endRuns(id: string, status: 'done' | 'failed', n: number): Promise<void> {
    const rows = await store.sql.autocommit((db) => db.select(`SELECT id FROM workflow_runs WHERE campaign_id = ? AND status = 'running' ORDER BY id LIMIT ${n}`, [id]));
    assert.equal(rows.length, n);
    await store.sql.transaction(async (db) => {
      for (const r of rows) await db.run('UPDATE workflow_runs SET status = ?, version = version + 1 WHERE id = ?', [status, r.id]);
    });
  }

  const tick = (id: string, at: number) => tickCampaign({ sql: store.sql, runner: runner.runner, log }, id, at);
  const stages = async (id: string) => (await call<CampaignView>('GET', `/campaigns/${id}`)).body.progress.map((p) => [p.stage, p.failureRatio, p.sampled]);

  it('answers failureRatio (null before a device finished) and sampled per stage', async () => {
    await devices('ratio', 20);
    const created = await call<CampaignView>('POST', '/campaigns', {
      name: 'ratio', query: 'Tags.ratio', action: { task: { name: 'reboot' } }, stages: [{ count: 8 }, {}], ratePerMinute: 6000, failureThreshold: 0.5, minSample: 4,
    });
    assert.equal(created.status, 201);
    const id = created.body.id;
    assert.deepEqual(created.body.progress, [], 'no stage before the snapshot');
    assert.equal((await tick(id, T0)).started, 8);
    assert.deepEqual(await stages(id), [[0, null, false], [1, null, false]]);
    await endRuns(id, 'failed', 1);
    await endRuns(id, 'done', 2);
    await tick(id, T0 + 1000);
    assert.deepEqual(await stages(id), [[0, 1 / 3, false], [1, null, false]], '3 finished: below minSample 4');
    await endRuns(id, 'done', 1);
    await tick(id, T0 + 2000);
    const detail = (await call<CampaignView>('GET', `/campaigns/${id}`)).body;
    assert.deepEqual(detail.progress.map((p) => [p.failureRatio, p.sampled]), [[0.25, true], [null, false]]);
    assert.equal(detail.status, 'running', '25 % < 50 %');
    assert.equal(detail.spec.failureThreshold, 0.5);
  });

  it('GET /campaigns?counts answers each campaign\'s devices by outcome; without the flag, none', async () => {
    const draft = await call<CampaignView>('POST', '/campaigns', { name: 'idle', query: 'Tags.ratio', action: { task: { name: 'reboot' } }, draft: true });
    const listed = (await call<(CampaignView & { counts?: Record<string, number> })[]>('GET', '/campaigns?counts')).body;
    const ratio = listed.find((c) => c.name === 'ratio');
    assert.deepEqual(ratio?.counts, { pending: 12, started: 4, done: 3, failed: 1, cancelled: 0, skipped: 0 });
    assert.deepEqual(listed.find((c) => c.id === draft.body.id)?.counts, { pending: 0, started: 0, done: 0, failed: 0, cancelled: 0, skipped: 0 }, 'no snapshot yet');
    const plain = (await call<Record<string, unknown>[]>('GET', '/campaigns')).body;
    assert.ok(plain.length === 2 && plain.every((c) => !('counts' in c)));
    assert.equal((await call('GET', '/campaigns?counts=maybe')).status, 400);
  });
});
