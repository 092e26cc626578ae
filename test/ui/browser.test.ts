/**
 * The web UI in a real browser (Chromium through playwright-core) against the
 * real server, MariaDB, Redis and a fleet of simulated CPEs that answer
 * connection requests: sign in with a password and with an API token,
 * search, sort, page, choose columns, open a device, refresh a subtree, edit
 * a value (refused when it does not fit its type; else a setParameterValues
 * task that the device runs at once), tag it, sign out.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { newToken } from '../helpers/api-token';
import type { TestAcs } from '../helpers/acs';
import type { Fleet } from '../../src/sim/fleet';
import { screenshot } from './browser';
import { startUiRig, stopUiRig, storeConnectionRequestCredentials, type UiRig } from './helpers';

const DEVICES = 30;
const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';

describe('web UI in Chromium', function () {
  this.timeout(120_000);
  let rig: UiRig;
  let t: TestAcs;
  let fleet: Fleet;
  let page: Page;
  let target: string;
  let serial: (i: number) => string;

  before(async function () {
    rig = await startUiRig({ suite: 'ui_browser', devices: DEVICES, serialBase: 'UIB', user: { name: 'operator', role: 'write', password: 'operator-password' } });
    ({ t, fleet, page, serial } = rig);
    target = rig.key(3);
    await storeConnectionRequestCredentials(rig, 3);
  });
  after(() => stopUiRig(rig));

  const rows = () => page.locator('table.devices tbody tr');

  it('refuses a wrong password, then signs in with the right one and lists the devices a page at a time', async () => {
    await page.goto(`${t.nbiUrl}/`);
    await page.getByLabel('User name', { exact: true }).fill('operator');
    await page.getByLabel('Password', { exact: true }).fill('wrong-password');
    await screenshot(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong user name or password' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill('operator-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    assert.match(await page.locator('header .who').innerText(), /Signed in as user:operator \(write\)/);
    await page.getByLabel('Per page').selectOption('25');
    await page.getByText('Page 1, 25 devices').waitFor();
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText(`Page 2, ${DEVICES - 25} devices`).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Next →' }).isDisabled(), true);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByText('Page 1, 25 devices').waitFor();
  });

  it('sorts by a column, both ways, and adds a parameter column that is remembered', async () => {
    await page.getByRole('button', { name: /^Device/ }).click();
    await page.waitForURL(/sort=DeviceID\.ID/);
    await page.getByRole('columnheader', { name: /Device/ }).and(page.locator('[aria-sort="ascending"]')).waitFor();
    const first = await rows().first().locator('td').first().innerText();
    await page.getByRole('button', { name: /^Device/ }).click();
    await page.waitForURL(/sort=-DeviceID\.ID/);
    await page.locator('table.devices tbody tr:first-child td:first-child', { hasNotText: first }).waitFor();
    assert.ok((await rows().first().locator('td').first().innerText()) > first, 'descending starts at the other end');
    await page.getByText('Columns').click();
    await page.getByLabel('Parameter').fill('Device.ManagementServer.ConnectionRequestURL');
    await page.getByRole('button', { name: 'Add column' }).click();
    await page.getByRole('columnheader', { name: /ManagementServer\.ConnectionRequestURL/ }).waitFor();
    await page.getByRole('cell', { name: /^http:\/\/127\.0\.0\.1:\d+/ }).first().waitFor();
    await page.reload();
    await page.getByRole('columnheader', { name: /ManagementServer\.ConnectionRequestURL/ }).waitFor();
    await screenshot(page, 'devices');
  });

  it('searches with the query language, shows a bad query\'s error, and opens a device', async () => {
    await page.getByLabel('Search').fill('DeviceID.SerialNumber = ');
    await page.getByLabel('Search').press('Enter');
    await page.locator('#q-error').waitFor();
    await page.getByLabel('Search').fill(`DeviceID.SerialNumber = "${serial(3)}"`);
    await page.getByLabel('Search').press('Enter');
    await page.getByText('Page 1, 1 device', { exact: true }).waitFor();
    assert.equal(await rows().count(), 1);
    await page.getByRole('link', { name: target }).click();
    await page.getByRole('heading', { name: target }).waitFor();
    await page.getByText('Online', { exact: true }).waitFor();
  });

  it('refreshes a subtree, refuses a value of the wrong type, and sets a writable value through a task the device runs', async () => {
    await page.getByRole('button', { name: /^Device, \d+ items$/ }).click();
    await page.getByRole('button', { name: 'Refresh Device.ManagementServer. from the device' }).click();
    await page.getByText(/Task \d+ done\./).first().waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /^ManagementServer, \d+ items$/ }).click();
    await page.getByRole('button', { name: `Edit ${INTERVAL}` }).click();
    const input = page.getByLabel(`New value of ${INTERVAL}`);
    await input.fill('-5');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await page.getByText('Not a valid xsd:unsignedInt').waitFor();
    // The simulated CPE, as real ones do, answers 503 to a connection request within 1 s of the last one (the refresh's).
    await page.waitForTimeout(1100);
    await input.fill('1234');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await page.locator('form.edit').getByText(/Task \d+ done\./).waitFor({ timeout: 30_000 });
    const device = (await (await t.nbi(`/devices/${encodeURIComponent(target)}`)).json()) as { parameters: { path: string; value: string }[] };
    assert.equal(device.parameters.find((p) => p.path === INTERVAL)?.value, '1234');
    assert.equal(fleet.devices[3].model.getValue(INTERVAL), '1234', 'the simulated CPE holds it');
    await page.locator('li.leaf', { hasText: 'PeriodicInformInterval' }).locator('.value', { hasText: '1234' }).waitFor();
  });

  it('adds and removes a tag', async () => {
    await page.getByLabel('New tag').fill('ui-tag');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByRole('button', { name: 'Remove tag ui-tag' }).waitFor();
    assert.deepEqual((await t.acs.store.getDevice(target))?.tags, ['ui-tag']);
    await page.getByRole('heading', { name: target }).scrollIntoViewIfNeeded();
    await screenshot(page, 'device', true);
    await page.getByRole('button', { name: 'Remove tag ui-tag' }).click();
    await page.getByText('no tags').waitFor();
  });

  it('signs out (the cookie no longer works), then signs in with an API token', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(async () => (await fetch('/devices')).status), 401);
    const token = await newToken(t.acs.store, 'read');
    await page.getByLabel('API token', { exact: true }).check();
    await page.locator('#token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    assert.match(await page.locator('header .who').innerText(), /\(read\)/);
    // A read session sees no Edit or Add tag.
    await page.getByRole('link', { name: rig.key(0) }).click();
    await page.getByRole('heading', { name: 'Tags' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add tag' }).count(), 0);
  });
});
