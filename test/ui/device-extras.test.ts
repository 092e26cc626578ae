/**
 * The web UI's device actions, overview and admin pages in Chromium against
 * the real server and simulated CPEs: reboot a device and see its task done,
 * switch its SOAP trace on and off, see the fleet counted on the overview,
 * create an API token (shown once), see it listed, revoke it, and find its
 * creation in the audit log, see a webhook's delivery log and replay a
 * delivery.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { until } from '../helpers/wait';
import { Receiver, SECRET } from '../webhooks/receiver';
import { screenshot } from './browser';
import { signIn, startUiRig, stopUiRig, storeConnectionRequestCredentials, type UiRig } from './helpers';

const DEVICES = 12;

describe('web UI: device actions, overview, admin pages', function () {
  this.timeout(120_000);
  let rig: UiRig;
  let page: Page;
  let target: string;

  before(async function () {
    rig = await startUiRig({ suite: 'ui_extras', devices: DEVICES, serialBase: 'UIX', user: { name: 'admin', role: 'admin', password: 'admin-password' } });
    page = rig.page;
    target = rig.key(2);
    await storeConnectionRequestCredentials(rig, 2);
    await signIn(page, rig.t.nbiUrl, 'admin', 'admin-password');
  });
  after(() => stopUiRig(rig));

  it('reboots a device and lists the reboot task as done', async () => {
    await page.goto(`${rig.t.nbiUrl}/ui/devices/${encodeURIComponent(target)}`);
    await page.getByRole('heading', { name: target }).waitFor();
    await page.getByRole('button', { name: 'Reboot' }).click();
    await page.locator('.actions').getByText(/Task \d+ done\./).waitFor({ timeout: 30_000 });
    const row = page.getByRole('table', { name: 'Tasks' }).locator('tbody tr').first();
    await row.getByRole('cell', { name: 'reboot', exact: true }).waitFor();
    await row.getByRole('cell', { name: 'done', exact: true }).waitFor();
  });

  it('asks before a factory reset, and does nothing when cancelled', async () => {
    await page.getByRole('button', { name: 'Factory reset…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Factory reset?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const tasks = (await (await rig.t.nbi(`/devices/${encodeURIComponent(target)}/tasks`)).json()) as { name: string }[];
    assert.deepEqual(tasks.map((x) => x.name), ['reboot']);
  });

  it('switches the SOAP trace on, then off', async () => {
    await page.getByLabel('Trace for').selectOption('3600');
    await page.getByRole('button', { name: 'Start tracing' }).click();
    await page.getByText(/^Tracing until /).waitFor();
    const on = (await (await rig.t.nbi(`/devices/${encodeURIComponent(target)}/trace`)).json()) as { until: string | null };
    assert.ok(on.until !== null && Date.parse(on.until) > Date.now() + 3000_000, 'on for about an hour');
    assert.match((await page.getByRole('link', { name: 'Download the trace' }).getAttribute('href')) ?? '', /\/trace$/);
    await screenshot(page, 'device-extras', true);
    await page.getByRole('button', { name: 'Stop tracing' }).click();
    await page.getByText(/^Tracing is off\./).waitFor();
    const off = (await (await rig.t.nbi(`/devices/${encodeURIComponent(target)}/trace`)).json()) as { until: string | null };
    assert.equal(off.until, null);
  });

  it('counts the devices known and online on the overview', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('group', { name: 'Devices known' }).locator('.big', { hasText: String(DEVICES) }).waitFor();
    await page.getByRole('group', { name: 'Online' }).locator('.big', { hasText: String(DEVICES) }).waitFor();
    // The fleet's first sessions, from the fleet statistics (test/ui/overview.test.ts takes the page's screenshot).
    await page.getByRole('region', { name: 'Sessions by outcome' }).locator('tbody tr').first().waitFor();
    await page.getByText('No campaign is running.').waitFor();
  });

  it('creates an API token, shows it once, lists it, and revokes it after asking', async () => {
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('ui-billing');
    await page.getByLabel('Scope').selectOption('write');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByLabel('New token').innerText();
    assert.match(secret, /^acs_/);
    const row = page.getByRole('table', { name: 'Tokens' }).locator('tr', { hasText: 'ui-billing' });
    await row.getByRole('cell', { name: 'live' }).waitFor();
    assert.equal((await fetch(`${rig.t.nbiUrl}/devices?limit=1`, { headers: { Authorization: `Bearer ${secret}` } })).status, 200);
    await row.getByRole('button', { name: 'Revoke ui-billing' }).click();
    await page.getByRole('dialog', { name: 'Revoke ui-billing?' }).getByRole('button', { name: 'Revoke', exact: true }).click();
    await row.getByRole('cell', { name: 'revoked' }).waitFor();
    assert.equal(await row.getByRole('button', { name: 'Revoke ui-billing' }).count(), 0);
    // Shown once: gone after a reload (and kept out of the committed screenshot, where a scanner would flag it).
    await page.reload();
    await row.getByRole('cell', { name: 'revoked' }).waitFor();
    assert.equal(await page.getByLabel('New token').count(), 0);
    await screenshot(page, 'tokens');
  });

  it('lists the token\'s creation in the audit log, filtered by who did it', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Token or user').fill('user:admin');
    await page.getByRole('button', { name: 'Filter' }).click();
    const created = page.getByRole('table', { name: 'Audit log' }).locator('tr', { hasText: 'POST' }).filter({ hasText: '/tokens' }).filter({ hasText: '201' });
    await created.first().waitFor();
    assert.equal(await created.count(), 1);
    await screenshot(page, 'audit');
  });

  it('shows a webhook\'s deliveries and replays one, with the same delivery id', async () => {
    const receiver = new Receiver();
    await receiver.open();
    try {
      const sub = await rig.t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['task.done'], secret: SECRET }) });
      assert.equal(sub.status, 201);
      const task = await rig.t.nbi(`/devices/${encodeURIComponent(target)}/tasks?connection_request&timeout=20000`, { method: 'POST', body: JSON.stringify({ name: 'getRPCMethods' }) });
      assert.equal(task.status, 200, 'the task ran');
      await until('the task.done delivery', async () => receiver.got.length === 1);
      // A delivered row joins the log with a second's others (README, Webhooks).
      const { id } = (await sub.json()) as { id: number };
      await until('the delivery in the log', async () => ((await (await rig.t.nbi(`/webhooks/${id}/deliveries`)).json()) as unknown[]).length === 1);
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('table', { name: 'Subscriptions' }).getByRole('cell', { name: receiver.url() }).waitFor();
      await page.getByRole('button', { name: 'Deliveries' }).click();
      const row = page.getByRole('table', { name: 'Deliveries' }).locator('tbody tr').first();
      await row.getByRole('cell', { name: 'delivered' }).waitFor();
      await screenshot(page, 'webhooks');
      await row.getByRole('button', { name: /^Replay delivery / }).click();
      await page.getByText(/^Delivery .+ queued again\.$/).waitFor();
      await until('the replay', async () => receiver.got.length === 2);
      assert.equal(receiver.got[1].id, receiver.got[0].id);
      assert.equal(receiver.bad, 0, 'signed');
    } finally {
      await receiver.shut();
    }
  });
});

