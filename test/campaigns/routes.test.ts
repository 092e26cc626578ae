/**
 * The campaign routes over HTTP (the northbound app with them mounted), on
 * MariaDB: 201 with the stored campaign, 400 naming the field, 404 for an
 * unknown id, the operator actions and the per-device listing.
 */
import assert from 'node:assert/strict';
import { campaignRoutes } from '../../src/campaigns/routes';
import { CampaignService } from '../../src/campaigns/service';
import type { CampaignDetail } from '../../src/campaigns/types';
import { openStore } from '../../src/db';
import type { DeviceStore } from '../../src/db/types';
import { freshMigratedMysqlDatabase, mysqlUrl } from '../helpers/db';
import { serveRouters, type NbiServer } from '../helpers/nbi-server';

describe('campaign routes', function () {
  this.timeout(60_000);
  let store: DeviceStore;
  let nbi: NbiServer;

  before(async () => {
    const url = mysqlUrl('acs_test_campaign_routes');
    await freshMigratedMysqlDatabase(url);
    store = await openStore(url);
    await store.migrate();
    nbi = await serveRouters(store, [campaignRoutes(new CampaignService({ sql: store.sql }))]);
  });
  after(async () => {
    await nbi?.close();
    await store?.close();
  });

  const call = (method: string, path: string, body?: unknown) => nbi.call<Record<string, unknown>>(method, path, body);
  const valid = { name: 'periodic 600', query: 'Tags.lab', action: { task: { name: 'reboot' } }, stages: [{ percent: 10, waitMinutes: 5 }, {}], draft: true };

  it('POST /campaigns stores a checked campaign (201); GET returns it with counters; GET /campaigns lists it', async () => {
    const created = await call('POST', '/campaigns', valid);
    assert.equal(created.status, 201);
    const c = created.body as unknown as CampaignDetail;
    assert.equal(c.status, 'draft');
    assert.equal(c.spec.ratePerMinute, 60);
    assert.deepEqual(c.counts, { pending: 0, started: 0, done: 0, failed: 0, cancelled: 0, skipped: 0 });
    const got = await call('GET', `/campaigns/${c.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.name, 'periodic 600');
    const list = await call('GET', '/campaigns?status=draft');
    assert.ok((list.body as unknown as CampaignDetail[]).some((x) => x.id === c.id));
    assert.deepEqual((await call('GET', `/campaigns/${c.id}/devices?status=pending`)).body, []);
  });

  it('refuses bad campaigns and queries with 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      ['{oops', /body is not JSON/],
      [{ ...valid, query: 'Device.X = ' }, /query\.filter: .*column/],
      [{ ...valid, action: { task: { name: 'setParameterValues' } } }, /action\.task: parameterValues/],
      [{ ...valid, stages: [{ percent: 10 }, { percent: 200 }] }, /stages\[1\]\.percent/],
      [{ ...valid, window: { start: '02:00' } }, /window\.end/],
    ];
    for (const [body, message] of cases) {
      const r = await call('POST', '/campaigns', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(String(r.body.error), message);
      assert.equal(r.body.code, 'ACS_ERR_BAD_REQUEST');
    }
    assert.equal((await call('GET', '/campaigns?status=sleeping')).status, 400);
    assert.equal((await call('GET', '/campaigns?limit=0')).status, 400);
  });

  it('pause, resume and cancel move the status; a wrong move is 409, an unknown id 404', async () => {
    const c = (await call('POST', '/campaigns', valid)).body as unknown as CampaignDetail;
    assert.equal((await call('POST', `/campaigns/${c.id}/pause`)).status, 409, 'a draft cannot be paused');
    assert.equal((await call('POST', `/campaigns/${c.id}/resume`)).body.status, 'running');
    assert.equal((await call('POST', `/campaigns/${c.id}/pause`)).body.status, 'paused');
    const cancelled = await call('POST', `/campaigns/${c.id}/cancel`);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal(typeof cancelled.body.finishedAt, 'number');
    const again = await call('POST', `/campaigns/${c.id}/resume`);
    assert.equal(again.status, 409);
    assert.match(String(again.body.error), /is cancelled: cannot resume/);
    for (const path of ['/campaigns/nope', '/campaigns/nope/devices']) assert.equal((await call('GET', path)).status, 404);
    assert.equal((await call('POST', '/campaigns/nope/cancel')).status, 404);
    assert.equal((await call('GET', `/campaigns/${c.id}/devices?status=lost`)).status, 400);
  });
});
