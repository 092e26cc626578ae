/**
 * The device list's count, saved searches and bulk actions in Chromium
 * against the real server and simulated CPEs (issue 13): search and see how
 * many devices match, save the search (with its columns and sort) and pick it
 * again after a reload, tick two devices and tag them, select every device
 * the search matches and queue a refresh on each, start a campaign over the
 * search; each checked through the REST API. A task the server refuses is
 * counted as failed, with the device named; a read-only user sees the count
 * and the saved queries and nothing that changes devices.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { UserStore } from '../../src/nbi/auth/users';
import { screenshot } from './browser';
import { signIn, startUiRig, stopUiRig, type UiRig } from './helpers';

const DEVICES = 6;
/** Devices 0 to 3 carry it: the search matches four of six. */
const EAST = [0, 1, 2, 3];
const SEARCH = 'Tags.east IS NOT NULL';

interface Saved { name: string; shared: boolean; q: string; columns: string[]; sort: string; updatedBy: string }
interface Listed { deviceKey: string }
interface TaskView { device: string; name: string; objectName?: string }
interface CampaignView { name: string; spec: { query: { filter?: string }; action: { task?: { name: string } } } }

describe('web UI: device count, saved searches, bulk actions', function () {
  this.timeout(120_000);
  let rig: UiRig;
  let page: Page;

  before(async function () {
    rig = await startUiRig({ suite: 'ui_bulk', devices: DEVICES, serialBase: 'UIB', user: { name: 'operator', role: 'write', password: 'operator-password' } });
    page = rig.page;
    for (const i of EAST) assert.equal((await rig.t.nbi(`/devices/${encodeURIComponent(rig.key(i))}/tags/east`, { method: 'POST' })).status, 204);
    await signIn(page, rig.t.nbiUrl, 'operator', 'operator-password');
  });
  after(() => stopUiRig(rig));

  const json = async <T>(path: string): Promise<T> => (await (await rig.t.nbi(path)).json()) as T;
  const bulk = () => page.getByRole('region', { name: 'Act on the selection' });
  const confirm = async (button: string) => {
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  };

  it('counts the devices a search matches', async () => {
    await page.getByText(`${DEVICES} devices match`, { exact: true }).waitFor();
    await page.getByLabel('Search', { exact: true }).fill(SEARCH);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText(`${EAST.length} devices match`, { exact: true }).waitFor();
    await page.getByRole('link', { name: rig.key(3) }).waitFor();
    assert.equal(await page.getByRole('link', { name: rig.key(4) }).count(), 0);
    // What the other pages' tests lean on: one label containing "Search", and a first cell reading the device id alone (its checkbox has no text).
    assert.equal(await page.getByLabel('Search').count(), 1);
    const first = await page.locator('table.devices tbody tr:first-child td:first-child').innerText();
    assert.ok(EAST.map((i) => rig.key(i)).includes(first), first);
  });

  it('saves the search with its columns and sort, shared, and picks it again after a reload', async () => {
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('button', { name: 'Serial number', exact: true }).click();
    await page.getByRole('columnheader', { name: /Serial number/ }).getByRole('button').click();
    await page.waitForURL(/sort=DeviceID.SerialNumber/);
    await page.getByRole('button', { name: 'Save query…' }).click();
    await page.getByLabel('Name', { exact: true }).fill('east routers');
    await page.getByLabel('Shared with everyone').check();
    await page.getByRole('form', { name: 'Save the query' }).getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved “east routers”, shared.').waitFor();
    const saved = (await json<Saved[]>('/searches')).find((s) => s.name === 'east routers');
    assert.ok(saved, 'the API token sees the shared search');
    assert.deepEqual([saved.shared, saved.q, saved.sort, saved.updatedBy], [true, SEARCH, 'DeviceID.SerialNumber', 'user:operator']);
    assert.ok(saved.columns.includes('serialNumber'), saved.columns.join());

    // A fresh page without the browser's own column choice: the columns come back from the server.
    await page.evaluate("localStorage.removeItem('acs.devices.columns')");
    await page.goto(`${rig.t.nbiUrl}/ui/devices`);
    await page.getByText(`${DEVICES} devices match`, { exact: true }).waitFor();
    assert.equal(await page.getByRole('columnheader', { name: /Serial number/ }).count(), 0);
    await page.getByLabel('Saved queries').selectOption({ label: 'east routers' });
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    await page.getByText(`${EAST.length} devices match`, { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Search', { exact: true }).inputValue(), SEARCH);
    assert.equal(await page.getByRole('columnheader', { name: /Serial number/ }).getAttribute('aria-sort'), 'ascending');
  });

  it('tags two ticked devices after asking, and says how many succeeded', async () => {
    await page.getByLabel(`Select ${rig.key(0)}`, { exact: true }).check();
    await page.getByLabel(`Select ${rig.key(1)}`, { exact: true }).check();
    await page.getByText('2 devices selected.').waitFor();
    await bulk().getByLabel('Tag', { exact: true }).fill('vip');
    await bulk().getByRole('button', { name: 'Add tag' }).click();
    await confirm('Add tag');
    await bulk().getByText('Add tag “vip” on 2 selected devices: 2 succeeded, 0 failed.').waitFor();
    const vip = await json<Listed[]>(`/devices?q=${encodeURIComponent('Tags.vip IS NOT NULL')}`);
    assert.deepEqual(vip.map((d) => d.deviceKey).sort(), [rig.key(0), rig.key(1)].sort());
  });

  it('selects every device the search matches and queues a refresh on each', async () => {
    await page.getByRole('button', { name: `Select all ${EAST.length} matching the search` }).click();
    await page.getByText(`All ${EAST.length} devices matching the search selected.`).waitFor();
    assert.ok(await page.getByLabel(`Select ${rig.key(2)}`, { exact: true }).isChecked(), 'every row ticked');
    await bulk().getByLabel('Task', { exact: true }).selectOption('refreshObject');
    await bulk().getByLabel('Subtree', { exact: true }).fill('Device.DeviceInfo.');
    await bulk().getByLabel('Ask each device to connect now').uncheck();
    await bulk().getByRole('button', { name: 'Run task' }).click();
    await confirm('Run task');
    await bulk().getByText(`Refresh Device.DeviceInfo. on all ${EAST.length} devices matching the search: ${EAST.length} succeeded, 0 failed.`).waitFor();
    await screenshot(page, 'devices-bulk', true);
    await page.setViewportSize({ width: 768, height: 1024 });
    const wide = await page.evaluate('document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth');
    assert.ok(Number(wide) <= 0, `on a tablet the page does not scroll sideways (${String(wide)} px too wide)`);
    await page.setViewportSize({ width: 1280, height: 800 });
    const tasks = (await json<TaskView[]>('/tasks?limit=100')).filter((t) => t.name === 'refreshObject');
    assert.deepEqual(tasks.map((t) => t.device).sort(), EAST.map((i) => rig.key(i)).sort());
    assert.ok(tasks.every((t) => t.objectName === 'Device.DeviceInfo.'));
  });

  it('starts a campaign over the search after asking', async () => {
    const form = page.locator('details.search-campaign');
    await form.getByText('Start a campaign over this search').click();
    await form.getByLabel('Campaign name').fill('east reboot');
    await form.getByLabel('Task', { exact: true }).selectOption('reboot');
    await form.getByRole('button', { name: 'Start campaign' }).click();
    await confirm('Start campaign');
    await form.getByText(/^Campaign “east reboot” created \(id .+\): \w+\.$/).waitFor();
    const campaigns = await json<CampaignView[]>('/campaigns');
    const east = campaigns.find((c) => c.name === 'east reboot');
    assert.ok(east, 'listed');
    assert.equal(east.spec.query.filter, SEARCH);
    assert.equal(east.spec.action.task?.name, 'reboot');
  });

  it('counts what the server refuses as failed, naming each device', async () => {
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.getByText('No device selected.').waitFor();
    await page.getByLabel(`Select ${rig.key(0)}`, { exact: true }).check();
    await page.getByLabel(`Select ${rig.key(1)}`, { exact: true }).check();
    await bulk().getByLabel('Task', { exact: true }).selectOption('setParameterValues');
    await bulk().getByLabel('Parameter', { exact: true }).fill('Device.ManagementServer.PeriodicInformInterval');
    await bulk().getByLabel('Value', { exact: true }).fill('often');
    await bulk().getByLabel('Type', { exact: true }).selectOption('xsd:unsignedInt');
    await bulk().getByRole('button', { name: 'Run task' }).click();
    await confirm('Run task');
    await bulk().getByText(': 0 succeeded, 2 failed.').waitFor();
    const failures = bulk().getByRole('list', { name: 'First failures' }).getByRole('listitem');
    assert.deepEqual((await failures.allInnerTexts()).map((t) => t.split(':')[0]).sort(), [rig.key(0), rig.key(1)].sort());
    const tasks = await json<TaskView[]>('/tasks?limit=100');
    assert.equal(tasks.filter((t) => t.name === 'setParameterValues').length, 0, 'no task stored');
  });

  it('shows a read-only user the count and the saved queries, and nothing that changes devices', async () => {
    await new UserStore(rig.t.acs.store.sql).create('viewer', 'read', 'viewer-password', 'test');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn(page, rig.t.nbiUrl, 'viewer', 'viewer-password');
    await page.getByText(`${DEVICES} devices match`, { exact: true }).waitFor();
    await page.getByLabel('Saved queries').selectOption({ label: 'east routers' });
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    await page.getByText(`${EAST.length} devices match`, { exact: true }).waitFor();
    await page.getByRole('link', { name: rig.key(3) }).waitFor();
    assert.equal(await page.getByRole('checkbox').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Save query|Delete/ }).count(), 0);
    assert.equal(await page.locator('details.search-campaign').count(), 0);
  });
});
