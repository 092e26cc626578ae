/**
 * The fleet reports page in Chromium against the real server (MariaDB,
 * Redis) and three simulated TR-181 CPEs whose day of 15-minute frames went
 * through the real series store: 1, 2 and 3 MB/s down; Wi-Fi radios on
 * channels 6, 6 and 11; the third device's errors up a hundredfold in the
 * last 6 hours. Bandwidth by product class, top talkers (device links),
 * degrading lines, Wi-Fi channels, the CSV download, a bad series' 400 at
 * its field, names and contrast. Needs the built UI (`npm run build:ui`).
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
const PRODUCT_CLASS = 'UQR-BOX';
const CHANNELS = [6, 6, 11];
/** The frames of the last 6 hours. */
const LAST_6H = 24;

/** A day of device i's interfaces and wifi frames: (i+1) MB/s down, a tenth of that up; errors 0.01/s, the last device's 1/s in the last 6 h. */
function dayOf(device: string, i: number, now: number): Frame[] {
  const frames: Frame[] = [];
  let [rx, tx, errors] = [1e9, 1e8, 0];
  for (let f = 0; f < FRAMES; f++) {
    const time = now - 60_000 - (FRAMES - 1 - f) * STEP_MS;
    const rising = i === 2 && f >= FRAMES - LAST_6H;
    if (f > 0) [rx, tx, errors] = [rx + (i + 1) * 1e6 * 900, tx + (i + 1) * 1e5 * 900, errors + (rising ? 1 : 0.01) * 900];
    const uptimeS = 10_000 + f * 900;
    frames.push(
      { device, profile: 'interfaces', time, uptimeS, values: { 'Device.DeviceInfo.UpTime': uptimeS, 'Device.IP.Interface.1.Stats.BytesReceived': rx, 'Device.IP.Interface.1.Stats.BytesSent': tx, 'Device.IP.Interface.1.Stats.ErrorsReceived': errors } },
      { device, profile: 'wifi', time, uptimeS, values: { 'Device.DeviceInfo.UpTime': uptimeS, 'Device.WiFi.Radio.1.Channel': CHANNELS[i], 'Device.WiFi.Radio.1.Stats.Noise': -90, 'Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries': 2 } },
    );
  }
  return frames;
}

/** Runs in the page: controls without a name, text below AA contrast, a page wider than the window (as in qoe.test.ts, shorter). */
const INSPECT = String.raw`(() => {
  const problems = [];
  const text = (t) => (t || '').replace(/\s+/g, ' ').trim();
  for (const el of document.querySelectorAll('main input, main button, main select, main textarea')) {
    const named = text(el.getAttribute('aria-label')) || (el.labels && text([...el.labels].map((l) => l.textContent).join(' '))) || (el.tagName === 'BUTTON' && text(el.textContent));
    if (!named) problems.push('no accessible name: ' + el.outerHTML.slice(0, 80));
  }
  const rgb = (c) => (/rgba?\(([^)]+)\)/.exec(c)?.[1] ?? '0,0,0,0').split(/[\s,\/]+/).filter(Boolean).map(Number);
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { const s = v / 255; return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if ((c[3] ?? 1) >= 1 && c.length >= 3 && !(c.length > 3 && c[3] === 0)) return c; } return [255, 255, 255]; };
  let texts = 0;
  for (const el of document.querySelectorAll('main *')) {
    if (!el.getClientRects().length || ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '')) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color)), lum(bgOf(el))].sort((p, q) => q - p);
    texts++;
    if ((a + 0.05) / (b + 0.05) < 4.5) problems.push('contrast ' + ((a + 0.05) / (b + 0.05)).toFixed(2) + ': ' + el.tagName + ' ' + text(el.textContent).slice(0, 40));
  }
  const root = document.scrollingElement;
  if (root.scrollWidth > root.clientWidth) problems.push('page scrolls sideways: ' + root.scrollWidth + ' > ' + root.clientWidth);
  return { problems, texts };
})()`;

describe('web UI: QoE fleet reports', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  let keys: string[];
  const errors: string[] = [];

  before(async function () {
    if (!hasChromium()) throw new Error('no Chromium at /usr/bin/chromium: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH');
    t = await startTestAcs('ui_qoe_reports');
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 3, serialBase: 'UQR', productClass: PRODUCT_CLASS });
    await fleet.connectAll();
    keys = fleet.devices.map((d) => deviceKeyOf(d.deviceId()));
    const store = createSeriesStore(t.acs.store.sql, { profiles: (name) => BUILTIN_PROFILES.find((p) => p.name === name) });
    const now = Date.now();
    const r = await store.ingest(keys.flatMap((k, i) => dayOf(k, i, now)));
    assert.equal(r.frames, 3 * 2 * FRAMES, JSON.stringify(r.dropped));
    await new UserStore(t.acs.store.sql).create('reports', 'read', 'reports-password', 'test');
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, t.nbiUrl, 'reports', 'reports-password');
    page.on('console', (m) => void (m.type() === 'error' && !/status of 400/.test(m.text()) && errors.push(`${page.url()}: ${m.text()}`)));
    page.on('pageerror', (e) => void errors.push(`${page.url()}: ${e.message}`));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'QoE', exact: true }).click();
    await page.getByRole('navigation', { name: 'Quality of experience' }).getByRole('link', { name: 'Fleet reports' }).click();
    await page.getByRole('heading', { name: 'Fleet reports', level: 1 }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await fleet?.close();
    await t?.stop();
  });

  const form = () => page.getByRole('form', { name: 'Report parameters' });
  const table = (name: string) => page.getByRole('table', { name });
  const column = async (name: string, header: string): Promise<string[]> => {
    const headers = await table(name).locator('thead th').allInnerTexts();
    const i = headers.indexOf(header);
    assert.ok(i >= 0, `${header} in ${headers.join(', ')}`);
    return table(name).locator(`tbody tr td:nth-child(${i + 1})`).allInnerTexts();
  };
  const kind = async (label: string) => {
    await page.getByRole('group', { name: 'Report' }).getByRole('button', { name: label }).click();
    assert.equal(await page.getByRole('group', { name: 'Report' }).getByRole('button', { name: label }).getAttribute('aria-pressed'), 'true');
  };
  const traffic = async () => {
    await form().getByLabel('Received (series)').fill('Device.IP.Interface.*.Stats.BytesReceived');
    await form().getByLabel('Sent (series)').fill('Device.IP.Interface.*.Stats.BytesSent');
  };
  const run = () => form().getByRole('button', { name: 'Run the report' }).click();

  it('bandwidth by product class: the devices\' mean and median throughput in bit/s; the same report as CSV', async () => {
    await kind('Bandwidth by group');
    await form().getByLabel('Group by').selectOption('productClass');
    await traffic();
    await run();
    await table('Bandwidth by group').waitFor();
    assert.deepEqual(await column('Bandwidth by group', 'Group'), [PRODUCT_CLASS]);
    assert.deepEqual(await column('Bandwidth by group', 'Devices'), ['3']);
    // 1, 2 and 3 MB/s: a mean and median of 2 MB/s, 16 Mbit/s.
    assert.deepEqual(await column('Bandwidth by group', 'Received, mean (bit/s)'), ['16 Mbit/s']);
    assert.deepEqual(await column('Bandwidth by group', 'Received, median (bit/s)'), ['16 Mbit/s']);
    await page.getByText(/^3 devices of the profile interfaces/).waitFor();
    const href = await page.getByRole('link', { name: 'Download as CSV' }).getAttribute('href');
    assert.match(href ?? '', /^\/qoe\/reports\/bandwidth\?.*groupBy=productClass.*&format=csv$/);
    const csv = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { type: res.headers.get('content-type'), text: await res.text() };
    }, href!);
    assert.match(csv.type ?? '', /^text\/csv/);
    const [head, row] = csv.text.trim().split(/\r?\n/);
    assert.match(head, /^"?group"?,"?devices"?,/);
    assert.match(row, new RegExp(`^"?${PRODUCT_CLASS}"?,3,`));
    await screenshot(page, 'qoe-reports', true);
  });

  it('top talkers: the busiest devices first, linked to their pages', async () => {
    await kind('Top talkers');
    await traffic();
    await form().getByLabel('Rows at most').fill('2');
    await run();
    await table('Top talkers').waitFor();
    assert.deepEqual(await column('Top talkers', 'Device'), [keys[2], keys[1]]);
    await page.getByText(/2 of 3 rows/).waitFor();
    assert.equal(await table('Top talkers').getByRole('link', { name: keys[2] }).getAttribute('href'), `/ui/devices/${encodeURIComponent(keys[2])}`);
  });

  it('degrading lines: the device whose errors rose in the last 6 h', async () => {
    await kind('Degrading lines');
    await form().getByLabel('Window').selectOption('6h');
    await run();
    await table('Degrading lines').waitFor();
    assert.deepEqual(await column('Degrading lines', 'Device'), [keys[2]]);
    const ratio = Number((await column('Degrading lines', 'Ratio'))[0].replace(/,/g, ''));
    assert.ok(ratio >= 2, `errors rose at least twofold (the default ratio): ${ratio}`);
  });

  it('Wi-Fi channels: radios and clients per channel', async () => {
    await kind('Wi-Fi channels');
    await run();
    await table('Wi-Fi channels').waitFor();
    const channels = await column('Wi-Fi channels', 'Channel');
    const radios = await column('Wi-Fi channels', 'Radios');
    assert.deepEqual(Object.fromEntries(channels.map((c, i) => [c, radios[i]])), { 6: '2', 11: '1' });
    assert.deepEqual(await column('Wi-Fi channels', 'Band'), ['2.4GHz', '2.4GHz']);
    assert.deepEqual(await column('Wi-Fi channels', 'Clients'), ['4', '2']);
  });

  it('shows a bad series\' 400 at its field; names its controls and meets AA contrast on a desktop and a tablet', async () => {
    await kind('Percentiles');
    const series = form().getByLabel('Series');
    await series.fill('not a path!');
    await run();
    const msg = form().locator('#report-series-msg[role="alert"]');
    await msg.waitFor();
    assert.match(await msg.innerText(), /^query parameter series/);
    assert.equal(await series.getAttribute('aria-invalid'), 'true');
    for (const size of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }]) {
      await page.setViewportSize(size);
      const r = await page.evaluate<{ problems: string[]; texts: number }>(INSPECT);
      assert.deepEqual(r.problems, [], `${size.width} px`);
      assert.ok(r.texts > 10);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(errors, [], 'no script error');
  });
});
