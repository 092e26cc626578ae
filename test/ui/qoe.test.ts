/**
 * The QoE web UI in Chromium against the real server (MariaDB, Redis, the
 * alert engine's BullMQ worker) and simulated TR-181 CPEs: a device's
 * charts from series stored through the real series store (a day of
 * 15-minute frames with a reboot), the range picker, the empty state; the
 * QoE page's alert rules (a bad expression's 400 at its field, create, edit,
 * delete), an open alert raised by the real engine with a link to its
 * device, the collection profiles (a bad parameter's 400 at its line,
 * create, edit, delete); names, contrast and the keyboard as
 * quality.test.ts checks them. Needs the built UI (`npm run build:ui`).
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { deviceKeyOf } from '../../src/model/device-key';
import { UserStore } from '../../src/nbi/auth/users';
import { BUILTIN_PROFILES } from '../../src/qoe/profiles/builtin';
import { createSeriesStore } from '../../src/qoe/series';
import type { Frame } from '../../src/qoe/types';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { hasChromium, launch, newPage, screenshot } from './browser';
import { signIn } from './helpers';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const STEP_MS = 900_000;
const FRAMES = 96;
/** The frame (of 96, 15 minutes apart, the last a minute ago) at which the device reboots: about 9 h ago. */
const REBOOT_AT = 60;
/** 10 Mbit/s down, 2 Mbit/s up, 30 errors a minute. */
const RX_BPS = 1_250_000;
const TX_BPS = 250_000;
const ERRORS_PER_S = 0.5;

/** A day of one device's frames for the interfaces, wifi and system profiles: steady rates, a reboot (uptime and counters back to near 0). */
function dayOf(device: string, now: number): Frame[] {
  const frames: Frame[] = [];
  let rx = 5e9;
  let tx = 1e9;
  let errors = 1000;
  for (let i = 0; i < FRAMES; i++) {
    const time = now - 60_000 - (FRAMES - 1 - i) * STEP_MS;
    const uptimeS = i < REBOOT_AT ? 200_000 + i * 900 : 300 + (i - REBOOT_AT) * 900;
    if (i === REBOOT_AT) [rx, tx, errors] = [RX_BPS * 300, TX_BPS * 300, 150];
    else if (i > 0) [rx, tx, errors] = [rx + RX_BPS * 900, tx + TX_BPS * 900, errors + ERRORS_PER_S * 900];
    const up = { 'Device.DeviceInfo.UpTime': uptimeS };
    frames.push(
      { device, profile: 'interfaces', time, uptimeS, values: { ...up, 'Device.IP.Interface.1.Stats.BytesReceived': rx, 'Device.IP.Interface.1.Stats.BytesSent': tx, 'Device.IP.Interface.1.Stats.ErrorsReceived': errors } },
      { device, profile: 'wifi', time, uptimeS, values: { ...up, 'Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries': 3 + (i % 3), 'Device.WiFi.AccessPoint.1.AssociatedDevice.1.SignalStrength': -60 + (i % 5), 'Device.WiFi.Radio.1.Channel': 6 } },
      { device, profile: 'system', time, uptimeS, values: { ...up, 'Device.DeviceInfo.ProcessStatus.CPUUsage': 20 + (i % 4) * 5, 'Device.DeviceInfo.MemoryStatus.Total': 524_288, 'Device.DeviceInfo.MemoryStatus.Free': 262_144 } },
    );
  }
  return frames;
}

/** Runs in the page: controls without a name, text below AA contrast (4.5:1, 3:1 large) on what is painted under it, a page wider than the window. */
const INSPECT = String.raw`(() => {
  const problems = [];
  const text = (t) => (t || '').replace(/\s+/g, ' ').trim();
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + text(el.textContent).slice(0, 40) + '"';
  const nameOf = (el) => {
    const by = el.getAttribute('aria-labelledby');
    if (by && text(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '))) return true;
    if (text(el.getAttribute('aria-label')) || text(el.getAttribute('title'))) return true;
    if (el.labels && text([...el.labels].map((l) => l.textContent).join(' '))) return true;
    return el.tagName === 'BUTTON' && text(el.textContent) !== '';
  };
  const controls = [...document.querySelectorAll('input:not([type=hidden]), button, select, textarea, [role=img]')];
  for (const el of controls) if (!nameOf(el)) problems.push('no accessible name: ' + describe(el));
  const rgba = (c) => { const m = /rgba?\(([^)]+)\)/.exec(c); if (!m) return null; const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const backgroundOf = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c && c[3] > 0) layers.push(c); if (c && c[3] >= 1) break; }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { const s = v / 255; return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  let texts = 0;
  for (const el of document.querySelectorAll('main *')) {
    if (!el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible') continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '')) continue;
    const svgText = el instanceof SVGElement;
    const color = rgba(svgText ? style.fill : style.color);
    if (!color) continue;
    const bg = backgroundOf(el);
    const r = ratio(over(color, bg), bg);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    texts++;
    if (r < (large ? 3 : 4.5)) problems.push('contrast ' + r.toFixed(2) + ': ' + describe(el));
  }
  const root = document.scrollingElement;
  if (root.scrollWidth > root.clientWidth) problems.push('page scrolls sideways: ' + root.scrollWidth + ' > ' + root.clientWidth);
  return { problems, texts };
})()`;

describe('web UI: quality of experience (device charts, alerts, rules, profiles)', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  let withData: string;
  let empty: string;
  const errors: string[] = [];

  before(async function () {
    if (!hasChromium()) throw new Error('no Chromium at /usr/bin/chromium: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH');
    // The alert rules evaluated every second: an alert is raised while the test waits.
    t = await startTestAcs('ui_qoe', { qoeAlertEveryMs: 1000 });
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 2, serialBase: 'UQE' });
    await fleet.connectAll();
    [withData, empty] = fleet.devices.map((d) => deviceKeyOf(d.deviceId()));
    const store = createSeriesStore(t.acs.store.sql, { profiles: (name) => BUILTIN_PROFILES.find((p) => p.name === name) });
    const r = await store.ingest(dayOf(withData, Date.now()));
    assert.equal(r.frames, 3 * FRAMES, JSON.stringify(r.dropped));
    assert.equal(r.reboots, 3, 'the reboot, seen by each profile');
    const users = new UserStore(t.acs.store.sql);
    await users.create('qoe', 'write', 'qoe-password', 'test');
    await users.create('qoe-viewer', 'read', 'viewer-password', 'test');
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, t.nbiUrl, 'qoe', 'qoe-password');
    page.on('console', (m) => void (m.type() === 'error' && !/status of 400/.test(m.text()) && errors.push(`${page.url()}: ${m.text()}`)));
    page.on('pageerror', (e) => void errors.push(`${page.url()}: ${e.message}`));
  });
  after(async () => {
    await browser?.close();
    await fleet?.close();
    await t?.stop();
  });

  const quality = () => page.locator('section[aria-labelledby="quality-title"]');
  const chart = (title: string | RegExp) => quality().getByRole('figure', { name: title });
  const descOf = async (title: string | RegExp) => (await chart(title).locator('desc').textContent()) ?? '';
  const pointsOf = async (title: string | RegExp) => Number(await chart(title).locator('svg[role="img"]').getAttribute('data-points'));

  async function inspect(where: string): Promise<void> {
    const r = await page.evaluate<{ problems: string[]; texts: number }>(INSPECT);
    assert.deepEqual(r.problems, [], where);
    assert.ok(r.texts > 0, `${where}: no text`);
  }

  async function openDevice(key: string): Promise<void> {
    await page.goto(`${t.nbiUrl}/ui/devices/${encodeURIComponent(key)}`);
    await page.getByRole('heading', { name: key, level: 1 }).waitFor();
  }

  describe('the device page', () => {
    it('charts throughput in bit/s, errors per minute, Wi-Fi, CPU and memory and the reboot, each with its numbers in words', async () => {
      await openDevice(withData);
      await chart('WAN and IP interfaces (bit/s)').waitFor();
      // 95 rates less the one lost at the reboot, each way.
      assert.equal(await pointsOf('WAN and IP interfaces (bit/s)'), 2 * (FRAMES - 2));
      const wan = await descOf('WAN and IP interfaces (bit/s)');
      assert.match(wan, /IP\.Interface\.1 received: latest 10 Mbit\/s .*peak 10 Mbit\/s/);
      assert.match(wan, /IP\.Interface\.1 sent: latest 2 Mbit\/s/);
      assert.match(await descOf('Errors and discards (per minute)'), /IP\.Interface\.1\.ErrorsReceived: latest 30 per min/);
      assert.match(await descOf('Wi-Fi clients'), /AccessPoint\.1: latest \d \([^)]*\), peak 5 /);
      assert.match(await descOf('Wi-Fi signal strength and noise (dBm)'), /SignalStrength: latest -\d+ dBm.*peak -56 dBm/);
      assert.match(await descOf('CPU use (%)'), /CPU: latest \d+ % \([^)]*\), peak 35 % /);
      assert.match(await descOf('Memory (MiB)'), /total memory: latest 512 MiB \(/);
      assert.equal(await pointsOf('Reboots'), 1);
      assert.match(await descOf('Reboots'), /^1 reboot from /);
      const img = chart('CPU use (%)').getByRole('img', { name: 'CPU use (%)' });
      assert.ok(await img.getAttribute('aria-describedby'), 'the description is the image\'s');
      assert.equal(await quality().getByRole('button', { name: 'Last 24 h' }).getAttribute('aria-pressed'), 'true');
      await quality().getByText('Every sample').waitFor();
      await screenshot(page, 'qoe-device', true);
    });

    it('shows a chart as a table, from the keyboard, values in the chart\'s unit', async () => {
      const wan = chart('WAN and IP interfaces (bit/s)');
      await wan.getByRole('button', { name: /^Show as a table/ }).focus();
      await page.keyboard.press('Enter');
      const hide = wan.getByRole('button', { name: /^Hide the table/ });
      await hide.waitFor();
      assert.equal(await hide.getAttribute('aria-expanded'), 'true');
      assert.deepEqual(await wan.locator('table thead th').allInnerTexts(), ['Time', 'IP.Interface.1 received', 'IP.Interface.1 sent']);
      assert.deepEqual(await wan.locator('table tbody tr:first-child td:not(.when)').allInnerTexts(), ['10 Mbit/s', '2 Mbit/s']);
      assert.equal(await wan.locator('table tbody tr').count(), FRAMES - 2);
      await hide.click();
    });

    it('reads 7 and 30 days as hourly buckets (the profiles\' 15-minute interval skips 5-minute ones)', async () => {
      for (const [range, key] of [['Last 7 days', '7d'], ['Last 30 days', '30d']]) {
        await quality().getByRole('button', { name: range }).click();
        await page.locator(`.qoe-device[data-range="${key}"]`).waitFor();
        await quality().getByText('1h buckets (mean)').waitFor();
        assert.equal(await quality().getByRole('button', { name: range }).getAttribute('aria-pressed'), 'true');
        const n = await pointsOf('WAN and IP interfaces (bit/s)');
        assert.ok(n >= 2 * 20 && n <= 2 * 26, `hourly means of a day, each way: ${n}`);
        assert.match(await descOf('WAN and IP interfaces (bit/s)'), /received: latest 10 Mbit\/s/);
      }
      await quality().getByRole('button', { name: 'Last 24 h' }).click();
      await page.locator('.qoe-device[data-range="24h"]').waitFor();
      await quality().getByText('Every sample').waitFor();
    });

    it('names its controls, meets AA contrast and fits a desktop and a tablet; the range picker takes the keyboard with the focus ring', async () => {
      for (const size of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }]) {
        await page.setViewportSize(size);
        await inspect(`device page at ${size.width} px`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      await quality().getByRole('button', { name: 'Last 24 h' }).focus();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.textContent'), 'Last 7 days');
      assert.equal(await page.evaluate('getComputedStyle(document.activeElement).outlineColor'), 'rgb(194, 106, 0)');
      await page.keyboard.press('Enter');
      await page.locator('.qoe-device[data-range="7d"]').waitFor();
      assert.equal(await quality().getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed'), 'true');
    });

    it('says how to collect when a device has no samples', async () => {
      await openDevice(empty);
      await quality().getByText(/^No samples yet: collect with the qoe-collect or qoe-bulkdata provision/).waitFor();
      assert.equal(await quality().getByRole('figure').count(), 0);
    });
  });

  describe('the QoE page', () => {
    const rules = () => page.getByRole('table', { name: 'Alert rules' });
    const form = () => page.locator('form.qoe-form');

    it('is in the header; a bad expression\'s 400 shows at the field; a good rule is listed and raises an alert on the device that rebooted, linked to it', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'QoE', exact: true }).click();
      await page.getByRole('heading', { name: 'Quality of experience', level: 1 }).waitFor();
      await page.getByText('No alert rules.').waitFor();
      await page.getByText('No alert is open.').waitFor();
      await page.getByRole('button', { name: 'New alert rule' }).click();
      await form().getByLabel('Name', { exact: true }).fill('ui-reboots');
      await form().getByLabel('Collection profile').selectOption('system');
      const expression = form().getByLabel('Expression');
      await expression.fill('reboots >> 0 in 1 day');
      await form().getByRole('button', { name: 'Create the rule' }).click();
      const msg = form().locator('#rule-expression-msg[role="alert"]');
      await msg.waitFor();
      assert.match(await msg.innerText(), /^expression: .*column \d+/);
      assert.equal(await expression.getAttribute('aria-invalid'), 'true');
      await inspect('the rule form with its error');
      await expression.fill('reboots > 0 in 1 day');
      await form().getByRole('button', { name: 'Create the rule' }).click();
      await rules().getByRole('row', { name: /ui-reboots system reboots > 0 in 1 day every device warning webhook yes/ }).waitFor();
      // The engine (every second) raises it; the list is asked again with its button.
      const link = page.getByRole('table', { name: 'Open alerts' }).getByRole('link', { name: withData, exact: true });
      for (let i = 0; i < 60 && (await link.count()) === 0; i++) {
        await page.getByRole('button', { name: 'Refresh the open alerts' }).click();
        await page.waitForTimeout(250);
      }
      const row = page.getByRole('table', { name: 'Open alerts' }).locator('tbody tr');
      assert.deepEqual((await row.locator('td').allInnerTexts()).slice(1, 5), ['ui-reboots', 'warning', withData, '1']);
      await inspect('the QoE page with an open alert');
      await page.setViewportSize({ width: 768, height: 1024 });
      await inspect('the QoE page on a tablet');
      await page.setViewportSize({ width: 1280, height: 800 });
      await screenshot(page, 'qoe-page', true);
      await link.click();
      await page.getByRole('heading', { name: withData, level: 1 }).waitFor();
      await page.goBack();
      await page.getByRole('heading', { name: 'Quality of experience', level: 1 }).waitFor();
    });

    it('edits a rule (its alert clears when the new condition does not hold), then deletes it after a question', async () => {
      await page.getByRole('button', { name: 'Edit the rule ui-reboots' }).click();
      assert.equal(await form().getByLabel('Expression').inputValue(), 'reboots > 0 in 1 day');
      await form().getByLabel('Expression').fill('reboots > 5 in 1 day');
      await form().getByLabel('Severity').selectOption('major');
      await form().getByLabel('Cool-down (s)').fill('600');
      await form().getByRole('button', { name: 'Save the rule' }).click();
      await rules().getByRole('row', { name: /ui-reboots system reboots > 5 in 1 day every device major webhook, cool-down 600 s yes/ }).waitFor();
      // The engine's next evaluation (one at a time per profile) judges the new condition: the alert clears.
      const none = page.getByText('No alert is open.');
      for (let i = 0; i < 60 && (await none.count()) === 0; i++) {
        await page.getByRole('button', { name: 'Refresh the open alerts' }).click();
        await page.waitForTimeout(250);
      }
      await none.waitFor({ timeout: 1000 });
      // Deleted only now: an evaluation under way while a rule is deleted can raise an alert for it after the delete (reported).
      await page.getByRole('button', { name: 'Delete the rule ui-reboots' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete the rule ui-reboots?' });
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await page.getByText('No alert rules.').waitFor();
      await page.getByText('No alert is open.').waitFor();
      const left = await t.nbi('/qoe/alerts');
      assert.deepEqual(await left.json(), []);
    });

    it('lists the shipped profiles; a bad parameter\'s 400 shows at its line; a new profile is stored, edited and deleted', async () => {
      const profiles = page.getByRole('table', { name: 'Collection profiles' });
      await profiles.getByRole('row', { name: /^interfaces shipped / }).waitFor();
      assert.equal(await profiles.getByRole('button', { name: 'Delete the profile interfaces' }).count(), 0, 'a shipped profile is replaced, not deleted');
      await page.getByRole('button', { name: 'New collection profile' }).click();
      await form().getByLabel('Name', { exact: true }).fill('ui-lab');
      const params = form().getByLabel('Parameters');
      await params.fill('Device.IP.Interface.*.Stats.BytesReceived counter WANBytesIn\nDevice..Nope gauge');
      await form().getByRole('button', { name: 'Save the profile' }).click();
      const msg = form().locator('#profile-parameters-msg[role="alert"]');
      await msg.waitFor();
      assert.match(await msg.innerText(), /^line 2: path "Device\.\.Nope" is not a parameter path/);
      assert.equal(await params.getAttribute('aria-invalid'), 'true');
      await params.fill('Device.IP.Interface.*.Stats.BytesReceived counter WANBytesIn\nDevice.DeviceInfo.UpTime gauge');
      await form().getByRole('button', { name: 'Save the profile' }).click();
      await profiles.getByRole('row', { name: /^ui-lab stored\s+2 15 min raw 2 d/ }).waitFor();
      await page.getByRole('button', { name: 'Edit the profile ui-lab' }).click();
      assert.equal(await form().getByLabel('Name', { exact: true }).getAttribute('readonly'), '');
      await form().getByLabel('Interval (s)').fill('600');
      await form().getByRole('button', { name: 'Save the profile' }).click();
      await profiles.getByRole('row', { name: /^ui-lab stored\s+2 10 min/ }).waitFor();
      const stored = (await (await t.nbi('/qoe/profiles/ui-lab')).json()) as { intervalS: number; parameters: { alias?: string; bits?: number }[] };
      assert.equal(stored.intervalS, 600);
      assert.deepEqual(stored.parameters.map((p) => p.alias), ['WANBytesIn', undefined]);
      await page.getByRole('button', { name: 'Delete the profile ui-lab' }).click();
      await page.getByRole('dialog', { name: 'Delete the profile ui-lab?' }).getByRole('button', { name: 'Delete' }).click();
      await page.getByText('Deleted the profile ui-lab.').waitFor();
      await profiles.getByRole('row', { name: /^ui-lab / }).waitFor({ state: 'detached' });
      assert.equal((await t.nbi('/qoe/profiles/ui-lab')).status, 404, 'gone from the API');
      assert.deepEqual(errors, [], 'no script error');
    });

    it('offers no writes to a read-only user', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('User name', { exact: true }).fill('qoe-viewer');
      await page.getByLabel('Password', { exact: true }).fill('viewer-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Devices' }).waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'QoE', exact: true }).click();
      await page.getByRole('table', { name: 'Collection profiles' }).waitFor();
      assert.equal(await page.getByRole('button', { name: /^New / }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^(Edit|Replace|Delete) / }).count(), 0);
    });
  });
});
