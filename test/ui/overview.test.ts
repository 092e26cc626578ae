/**
 * The overview in Chromium against the real server and simulated CPEs: a
 * fleet's sessions show as devices known and online, Informs per minute,
 * sessions by outcome, and charts with a point above zero, each with a
 * description and a table of its numbers. Saves docs/screenshots/overview.png
 * (ACS_SCREENSHOTS=1). Needs the built UI (`npm run build`).
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { UserStore } from '../../src/nbi/auth/users';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { hasChromium, launch, newPage, screenshot } from './browser';
import { signIn } from './helpers';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const DEVICES = 8;
/** Devices 0 and 4 refuse the preset's SetParameterValues (FaultInjection every 4): fault 9003. */
const FAULTY = 2;
const PROVISION = "declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: 3600 });\n";

describe('web UI: the overview of the fleet', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!hasChromium()) throw new Error('no Chromium at /usr/bin/chromium: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH');
    const presetsDir = dirWith({ 'interval.yaml': 'channel: interval\nprovisions:\n  - interval\n' });
    t = await startTestAcs('ui_overview', { statsFlushMs: 300, presetsDir, provisionsDir: dirWith({ 'interval.js': PROVISION }) });
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: DEVICES, serialBase: 'OVW', faults: { every: 4, spv: 9007 } });
    await fleet.connectAll();
    await fleet.connectAll('2 PERIODIC');
    await new UserStore(t.acs.store.sql).create('viewer', 'read', 'viewer-password', 'test');
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, t.nbiUrl, 'viewer', 'viewer-password');
  });
  after(async () => {
    await browser?.close();
    await fleet?.close();
    await t?.stop();
  });

  it('shows the devices known and online, Informs per minute and running campaigns', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    const tile = (name: string) => page.getByRole('group', { name }).locator('.big');
    await tile('Devices known').filter({ hasText: String(DEVICES) }).waitFor();
    await tile('Online').filter({ hasText: String(DEVICES) }).waitFor();
    // 16 Informs in the last 5 minutes: 3.2 a minute (the page asks again every 5 s until the counts are flushed).
    await tile('Informs per minute').filter({ hasText: String((2 * DEVICES) / 5) }).waitFor({ timeout: 25_000 });
    assert.equal(await tile('Running campaigns').innerText(), '0');
    await page.getByText('No campaign is running.').waitFor();
    assert.equal(await page.getByRole('link', { name: 'All campaigns' }).getAttribute('href'), '/ui/campaigns');
  });

  it('lists the sessions by outcome of the last 24 h', async () => {
    const table = page.getByRole('table', { name: 'Sessions by outcome, last 24 h' });
    await table.waitFor();
    const counts = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
    assert.equal(counts.reduce((a, n) => a + Number(n), 0), 2 * DEVICES);
  });

  it('lists the faults of the last 24 h by code, and the open ones by channel', async () => {
    const byCode = page.getByRole('table', { name: 'Faults by code, last 24 h' });
    await byCode.getByRole('row', { name: `CPE fault 9003 ${FAULTY}` }).waitFor();
    await byCode.getByRole('row', { name: `channel cwmp.9003 ${FAULTY}` }).waitFor();
    const open = page.getByRole('table', { name: 'Open faults by channel and code' });
    assert.deepEqual(await open.locator('tbody tr td').allInnerTexts(), ['interval', 'cwmp.9003', String(FAULTY)]);
  });

  it('draws the Informs and sessions charts with a point above zero, described in words', async () => {
    const informs = page.getByRole('figure', { name: /^Informs per minute, last 24 h/ });
    const svg = informs.locator('svg');
    assert.ok(Number(await svg.getAttribute('data-peak')) > 0, 'a point above zero');
    const label = await page.getByRole('img', { name: /^Informs per minute, last 24 h/ }).getAttribute('aria-labelledby');
    assert.ok(label);
    assert.match(await informs.locator('desc').textContent() ?? '', /peak \d/);
    const bars = page.getByRole('figure', { name: /^Sessions per hour by outcome/ }).locator('rect.bar');
    const values = (await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))))).filter((v) => v > 0);
    assert.equal(values.reduce((a, b) => a + b, 0), 2 * DEVICES);
    await screenshot(page, 'overview', true);
  });

  it('shows a chart as a table, from the keyboard', async () => {
    const informs = page.getByRole('figure', { name: /^Informs per minute, last 24 h/ });
    const toggle = informs.getByRole('button', { name: 'Show as a table' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await informs.getByRole('button', { name: 'Hide the table' }).waitFor();
    assert.equal(await informs.getByRole('button', { name: 'Hide the table' }).getAttribute('aria-expanded'), 'true');
    const cells = await informs.locator('table tbody tr td:nth-child(2)').allInnerTexts();
    assert.ok(cells.length >= 1 && cells.some((c) => Number(c) > 0), `rows: ${cells.join(', ')}`);
    await informs.getByRole('button', { name: 'Hide the table' }).click();
  });

  it('fits a tablet (768×1024) without scrolling sideways', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    assert.ok(overflow <= 0, `${overflow} px too wide`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
