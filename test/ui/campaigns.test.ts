/**
 * The web UI's campaigns, workflows and files pages in Chromium against the
 * real server (its campaign and workflow engines), MariaDB, Redis and
 * simulated CPEs that answer connection requests: create a campaign from the
 * form (its 400 shown at the field first), watch it move, pause it (no more
 * devices start), resume, cancel after a confirmation; see why a campaign
 * stopped itself; follow an IPPing workflow run to its steps' outputs and
 * cancel a waiting run; upload a file, see it beside a file a device
 * uploaded, and delete it; a reader sees no write controls; the pages fit a
 * tablet.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { createFileService } from '../../src/files/service';
import { UserStore } from '../../src/nbi/auth/users';
import { until, sleep } from '../helpers/wait';
import { newPage, screenshot } from './browser';
import { signIn, startUiRig, stopUiRig, storeConnectionRequestCredentials, type UiRig } from './helpers';

const DEVICES = 12;
const NAME = 'ui rollout';

interface Counts {
  pending: number;
  started: number;
  done: number;
  failed: number;
  cancelled: number;
  skipped: number;
}

describe('web UI: campaigns, workflows and files', function () {
  this.timeout(180_000);
  let rig: UiRig;
  let page: Page;
  let campaignId = '';

  before(async function () {
    rig = await startUiRig({ suite: 'ui_campaigns', devices: DEVICES, serialBase: 'UIC', user: { name: 'operator', role: 'write', password: 'operator-password' } });
    page = rig.page;
    for (let i = 0; i < DEVICES; i++) await storeConnectionRequestCredentials(rig, i);
    await new UserStore(rig.t.acs.store.sql).create('viewer', 'read', 'viewer-password', 'test');
    await signIn(page, rig.t.nbiUrl, 'operator', 'operator-password');
  });
  after(() => stopUiRig(rig));

  const counts = async (): Promise<Counts> => ((await (await rig.t.nbi(`/campaigns/${campaignId}`)).json()) as { counts: Counts }).counts;
  /** A count of the page's legend ("done 3"). */
  const shown = async (outcome: keyof Counts): Promise<number> =>
    Number(await page.getByRole('list', { name: 'Devices by outcome' }).locator(`li[data-outcome="${outcome}"] strong`).innerText());
  const status = () => page.getByRole('status', { name: 'Campaign status' }).locator('.badge');
  /** A workflow run's step on its page, by its exact name. */
  const step = (name: string) => page.getByRole('list', { name: 'Steps' }).locator('li').filter({ has: page.locator('.step-name', { hasText: new RegExp(`^${name}$`) }) });

  it('shows the API\'s 400 at the field, then creates a campaign from the form', async () => {
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.getByRole('button', { name: 'New campaign…' }).click();
    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await page.getByLabel('Devices', { exact: true }).fill('Device.X = ');
    await page.getByLabel('Task (JSON)').fill('{ "name": "getParameterValues", "parameterNames": ["Device.DeviceInfo.UpTime"] }');
    await page.getByLabel('Stage 1 share').selectOption('count');
    await page.getByLabel('Stage 1 count').fill('3');
    await page.getByLabel('Devices started per minute').fill('20');
    await page.getByLabel('Stop when failures reach (%)').fill('50');
    await page.getByLabel('once this many finished').fill('3');
    await page.getByRole('button', { name: 'Create and start' }).click();
    await page.locator('#c-query-msg').filter({ hasText: /^query\.filter: / }).waitFor();
    assert.equal(await page.getByLabel('Devices', { exact: true }).getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Devices', { exact: true }).fill('DeviceID.SerialNumber LIKE "UIC%"');
    await page.getByRole('button', { name: 'Create and start' }).click();
    await page.getByRole('heading', { name: NAME }).waitFor();
    campaignId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    const created = (await (await rig.t.nbi(`/campaigns/${campaignId}`)).json()) as { spec: { stages: unknown[]; ratePerMinute: number; failureThreshold: number; connectionRequest: boolean } };
    assert.deepEqual(created.spec.stages, [{ count: 3, waitMinutes: 0 }, { waitMinutes: 0 }]);
    assert.equal(created.spec.ratePerMinute, 20);
    assert.equal(created.spec.failureThreshold, 0.5);
    assert.equal(created.spec.connectionRequest, true);
  });

  it('shows its progress moving, stage by stage with the failure ratio against the threshold', async () => {
    await until('a device done on the page', async () => (await shown('done')) >= 1, 30_000);
    await status().filter({ hasText: 'running' }).waitFor();
    const stages = page.getByRole('table', { name: 'Stages' });
    await stages.locator('tbody tr').first().getByRole('cell', { name: '3 devices' }).waitFor();
    await stages.locator('tbody tr').first().getByText(/^0 % of 50 %/).waitFor();
    assert.equal(await stages.locator('tbody tr').nth(1).getByRole('cell', { name: 'the rest' }).count(), 1);
  });

  it('pauses it: paused, and no more devices start', async () => {
    await page.getByRole('group', { name: `Actions on ${NAME}` }).getByRole('button', { name: 'Pause' }).click();
    await status().filter({ hasText: 'paused' }).waitFor();
    await sleep(1500); // a tick that read the campaign before the pause may still start its device
    const before = await counts();
    assert.ok(before.pending > 0, JSON.stringify(before));
    await screenshot(page, 'campaigns', true);
    await sleep(7000); // two starts' worth at 20 a minute
    const after = await counts();
    assert.equal(after.pending, before.pending, 'no device started while paused');
    assert.equal(await shown('pending'), after.pending);
    assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 0);
  });

  it('resumes it (devices start again), then cancels it after a confirmation: the rest skipped', async () => {
    const paused = await counts();
    await page.getByRole('button', { name: 'Resume' }).click();
    await status().filter({ hasText: 'running' }).waitFor();
    await until('a device started after the resume', async () => (await counts()).pending < paused.pending, 20_000);
    await page.getByRole('button', { name: 'Cancel campaign…' }).click();
    const dialog = page.getByRole('dialog', { name: `Cancel ${NAME}?` });
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await status().filter({ hasText: 'running' }).waitFor();
    await page.getByRole('button', { name: 'Cancel campaign…' }).click();
    await dialog.getByRole('button', { name: 'Cancel campaign', exact: true }).click();
    await status().filter({ hasText: 'cancelled' }).waitFor();
    await page.getByText('cancelled by an operator').waitFor();
    const end = await counts();
    assert.ok(end.skipped > 0 && end.pending === 0, JSON.stringify(end));
    await until('the skipped count on the page', async () => (await shown('skipped')) === end.skipped);
    assert.equal(await page.getByRole('group', { name: `Actions on ${NAME}` }).count(), 0, 'no action leaves cancelled');
    // The list shows it too, with its counts.
    await page.getByRole('link', { name: 'Campaigns', exact: true }).first().click();
    const row = page.getByRole('table', { name: 'Campaigns' }).locator('tr', { hasText: NAME });
    await row.getByRole('cell', { name: 'cancelled', exact: true }).waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('running');
    await page.getByText('No campaigns running.').waitFor();
  });

  it('lists the campaign\'s devices a page at a time, with a link to each run', async () => {
    await page.goto(`${rig.t.nbiUrl}/ui/campaigns/${campaignId}`);
    const devices = page.getByRole('table', { name: 'Campaign devices' });
    await devices.locator('tbody tr').nth(DEVICES - 1).waitFor();
    await page.getByLabel('Outcome', { exact: true }).selectOption('skipped');
    const skipped = (await counts()).skipped;
    await until('only skipped devices', async () => (await devices.locator('tbody tr').count()) === skipped);
  });

  it('shows why a campaign stopped itself, in the list and on its page, with the stage\'s ratio over the threshold', async () => {
    const body = {
      name: 'ui failing', query: 'DeviceID.SerialNumber LIKE "UIC00000%"', action: { task: { name: 'getParameterValues', parameterNames: ['Device.NoSuchObject.'] } },
      connectionRequest: true, stages: [{ count: 2 }, {}], failureThreshold: 0.5, minSample: 2, ratePerMinute: 600,
    };
    const res = await rig.t.nbi('/campaigns', { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 201);
    const id = ((await res.json()) as { id: string }).id;
    const statusOf = async () => ((await (await rig.t.nbi(`/campaigns/${id}`)).json()) as { status: string }).status;
    await until('the campaign stopped', async () => (await statusOf()) === 'stopped', 30_000);
    await page.goto(`${rig.t.nbiUrl}/ui/campaigns?status=stopped`);
    const row = page.getByRole('table', { name: 'Campaigns' }).locator('tr', { hasText: 'ui failing' });
    await row.getByText(/^stage 1 of 2: 2 of 2 finished devices failed \(100 % >= 50 %\)$/).waitFor();
    await row.getByRole('link', { name: 'ui failing' }).click();
    await page.getByText(/^Stopped itself: stage 1 of 2: 2 of 2 finished/).waitFor();
    const first = page.getByRole('table', { name: 'Stages' }).locator('tbody tr').first();
    assert.equal(await first.locator('.error').innerText(), '100 % of 50 %');
    assert.equal(await page.getByRole('button', { name: 'Resume' }).count(), 0, 'a stopped campaign can only be cancelled');
    await page.getByRole('button', { name: 'Cancel campaign…' }).waitFor();
    await page.getByLabel('Outcome', { exact: true }).selectOption('failed');
    const failed = page.getByRole('table', { name: 'Campaign devices' }).locator('tbody tr');
    await until('the two failed devices', async () => (await failed.count()) === 2);
    assert.match(await failed.first().locator('td.reason').innerText(), /9005/);
  });

  it('follows a workflow run started through the API: its steps and their outputs', async () => {
    const res = await rig.t.nbi('/workflows/runs', { method: 'POST', body: JSON.stringify({ device: rig.key(0), workflow: 'ipping', args: { host: '127.0.0.1', repetitions: 2 } }) });
    assert.equal(res.status, 201);
    const run = (await res.json()) as { id: string };
    await page.getByRole('link', { name: 'Workflows', exact: true }).click();
    await page.getByRole('table', { name: 'Workflow definitions' }).getByRole('link', { name: 'Runs of ipping' }).waitFor();
    await page.getByLabel('Device', { exact: true }).fill(rig.key(0));
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: `Run ${run.id}` }).click();
    // The simulated CPE refuses a connection request within 1 s of the last (503), so a step's request right
    // after the previous step's session can be lost: the device informs every second instead, as a periodic CPE would.
    const device = rig.fleet.devices[0];
    const periodic = setInterval(() => rig.fleet.connect(device, '2 PERIODIC'), 1000);
    try {
      await page.locator('.badge').filter({ hasText: 'done' }).waitFor({ timeout: 30_000 }).catch(async (err: unknown) => {
        throw new Error(`${String(err)}\n${await (await rig.t.nbi(`/workflows/runs/${run.id}`)).text()}`);
      });
    } finally {
      clearInterval(periodic);
    }
    for (const name of ['prepare', 'request', 'complete', 'read']) await step(name).locator('.step-state', { hasText: /^done$/ }).waitFor();
    await step('check').locator('.step-state', { hasText: /^passed$/ }).waitFor();
    await step('results').getByText('Output of results').click();
    await step('results').locator('pre').filter({ hasText: '"state": "Complete' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel run…' }).count(), 0, 'a finished run has no cancel');
    await screenshot(page, 'workflows', true);
  });

  it('cancels a waiting run after a confirmation', async () => {
    const definition = { description: 'waits for a reboot', steps: [{ name: 'boot', wait: { event: '1 BOOT', timeout: '1h' } }] };
    const res = await rig.t.nbi('/workflows/runs', { method: 'POST', body: JSON.stringify({ device: rig.key(1), workflow: { name: 'wait-boot', definition } }) });
    assert.equal(res.status, 201, await res.clone().text());
    const run = (await res.json()) as { id: string };
    await until('the run waiting', async () => ((await (await rig.t.nbi(`/workflows/runs/${run.id}`)).json()) as { status: string }).status === 'waiting');
    await page.goto(`${rig.t.nbiUrl}/ui/workflows?status=waiting`);
    await page.getByRole('link', { name: `Run ${run.id}` }).click();
    await step('boot').locator('.step-state', { hasText: /^current$/ }).waitFor();
    await page.getByRole('button', { name: 'Cancel run…' }).click();
    await page.getByRole('dialog', { name: 'Cancel this run?' }).getByRole('button', { name: 'Cancel run', exact: true }).click();
    await page.locator('.badge').filter({ hasText: 'cancelled' }).waitFor();
    const after = (await (await rig.t.nbi(`/workflows/runs/${run.id}`)).json()) as { status: string };
    assert.equal(after.status, 'cancelled');
  });

  it('uploads a file, lists it beside a device\'s upload, and deletes it after a confirmation', async () => {
    // A CPE's Upload: the single-use URL the ACS gives it, PUT to the ACS's file server.
    const files = createFileService(rig.t.acs.store.sql, { urlBase: `http://127.0.0.1:${rig.t.acs.fsPort}` });
    const target = await files.uploadTarget({ device: rig.key(2), fileType: '1 Vendor Configuration File', name: 'backup-uic2.cfg' });
    assert.equal((await fetch(target.url, { method: 'PUT', body: 'config of UIC000002' })).status, 200);
    const content = Buffer.from('firmware image v1.2.3\n'.repeat(100));
    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('heading', { name: 'Files' }).waitFor();
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'ui-fw.bin', mimeType: 'application/octet-stream', buffer: content });
    assert.equal(await page.getByLabel('Stored as').inputValue(), 'ui-fw.bin');
    await page.getByLabel('Version').fill('1.2.3');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByText(`Stored ui-fw.bin (2.1 KiB).`).waitFor();
    const table = page.getByRole('table', { name: 'Files' });
    const row = table.locator('tr', { hasText: 'ui-fw.bin' });
    await row.getByRole('cell', { name: /^1 Firmware Upgrade Image/ }).waitFor();
    const md5 = createHash('md5').update(content).digest('hex');
    assert.equal(await row.locator('code').first().getAttribute('title'), md5);
    await table.locator('tr', { hasText: 'backup-uic2.cfg' }).getByRole('link', { name: rig.key(2) }).waitFor();
    assert.equal(await row.getByRole('cell', { name: 'operator' }).count(), 1);
    await screenshot(page, 'files', true);
    await page.getByLabel('Uploaded by').selectOption('device');
    await until('only the device\'s file', async () => (await table.locator('tbody tr').count()) === 1);
    await page.getByLabel('Uploaded by').selectOption('');
    await row.getByRole('button', { name: 'Delete ui-fw.bin' }).click();
    await page.getByRole('dialog', { name: 'Delete ui-fw.bin?' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('Deleted ui-fw.bin.').waitFor();
    await row.waitFor({ state: 'detached' });
    assert.equal((await rig.t.nbi('/files/ui-fw.bin')).status, 404);
  });

  it('shows a reader no write controls', async () => {
    const viewer = await newPage(rig.browser);
    try {
      await signIn(viewer, rig.t.nbiUrl, 'viewer', 'viewer-password');
      await viewer.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await viewer.getByRole('table', { name: 'Campaigns' }).locator('tr', { hasText: 'ui failing' }).waitFor();
      assert.equal(await viewer.getByRole('button', { name: 'New campaign…' }).count(), 0);
      assert.equal(await viewer.getByRole('button', { name: /^Cancel campaign/ }).count(), 0, 'the stopped campaign could be cancelled by a writer');
      await viewer.getByRole('link', { name: 'Files', exact: true }).click();
      await viewer.getByRole('table', { name: 'Files' }).locator('tr', { hasText: 'backup-uic2.cfg' }).waitFor();
      assert.equal(await viewer.getByRole('heading', { name: 'Upload a file' }).count(), 0);
      assert.equal(await viewer.getByRole('button', { name: /^Delete / }).count(), 0);
    } finally {
      await viewer.context().close();
    }
  });

  it('fits a tablet (768×1024): the campaign form and the three pages are no wider than the window', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    const fits = async (what: string) => {
      const [scroll, client] = await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]') as [number, number];
      assert.ok(scroll <= client, `${what}: ${scroll} px wide in a ${client} px window`);
    };
    await page.goto(`${rig.t.nbiUrl}/ui/campaigns`);
    await page.getByRole('button', { name: 'New campaign…' }).click();
    await page.getByRole('radio', { name: 'Workflow', exact: true }).check();
    await page.getByRole('combobox', { name: 'Workflow', exact: true }).selectOption('ipping');
    await page.getByLabel('host (required)').waitFor();
    await page.getByLabel('Start devices only between').check();
    await fits('the campaign form');
    await page.goto(`${rig.t.nbiUrl}/ui/campaigns/${campaignId}`);
    await page.getByRole('table', { name: 'Stages' }).waitFor();
    await fits('a campaign');
    await page.goto(`${rig.t.nbiUrl}/ui/workflows`);
    await page.getByRole('table', { name: 'Workflow definitions' }).waitFor();
    await fits('workflows');
    await page.goto(`${rig.t.nbiUrl}/ui/files`);
    await page.getByRole('table', { name: 'Files' }).waitFor();
    await fits('files');
  });
});
