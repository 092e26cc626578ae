/**
 * The device page's diagnostics, firmware upgrade, uploaded files and event
 * history in Chromium against the real server and simulated CPEs (whose
 * diagnostics follow src/sim/diagnostics/rules.ts, so the figures are known):
 * a ping with its figures and a failed one with its reason, a traceroute and
 * its hops, download and upload speed tests against a local HTTP server, a
 * firmware upgrade from the ACS's file store (the CPE downloads the image
 * from the ACS file server and boots with its version), a configuration
 * backup listed with a download link, the event history, the page at a
 * tablet's width, a reader who sees the results but no control that changes
 * anything, and a run stuck on a device the ACS could not reach, asked again
 * from the page.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { deviceKeyOf } from '../../src/model/device-key';
import { UserStore } from '../../src/nbi/auth/users';
import { hashOf, pingRttMs, resolveHost } from '../../src/sim/diagnostics/rules';
import { Fleet } from '../../src/sim/fleet';
import type { NodeRef } from '../../src/sim/model/device';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs } from '../helpers/acs';
import { fileServer, type FileServer } from '../helpers/file-server';
import { freePort } from '../helpers/private-services';
import { hasChromium, launch, newPage, screenshot } from './browser';
import { signIn, stopUiRig, storeConnectionRequestCredentials, type UiRig } from './helpers';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const SERIALS = 'UDG';
const FIRMWARE = Buffer.alloc(4096, 7);
const SPEED_BYTES = 8 * 1024 * 1024;
const UPLOAD_BYTES = 2 * 1024 * 1024;
const RUN_MS = 60_000;
const PERIODIC_S = 3;

/**
 * startUiRig's set-up, with the ACS's file server on a known port and FS_URL
 * pointing at it: the simulated CPE downloads firmware from it and uploads
 * its configuration to it.
 */
async function startRig(): Promise<UiRig> {
  if (!hasChromium()) throw new Error('no Chromium at /usr/bin/chromium: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH');
  const fsPort = await freePort();
  const t = await startTestAcs('ui_diagnostics', { connectionRequestIntervalMs: 0, fsPort, fsHost: '127.0.0.1', fsUrl: `http://127.0.0.1:${fsPort}` });
  const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 2, serialBase: SERIALS, connectionRequests: true });
  await fleet.connectAll();
  // The simulated CPEs refuse a connection request within 1 s of the last (503, Retry-After: TR-069 §3.2.2 lets a CPE limit the
  // rate), and the ACS does not ask again: a workflow step's task created just after the previous one waits for the next
  // session. Informing every PERIODIC_S, as CPEs do, brings that session.
  for (const d of fleet.devices) d.model.setValue(d.model.lookup(`${d.model.root}ManagementServer.PeriodicInformInterval`) as NodeRef, String(PERIODIC_S));
  fleet.startPeriodic(PERIODIC_S);
  const users = new UserStore(t.acs.store.sql);
  await users.create('operator', 'write', 'operator-password', 'test');
  await users.create('viewer', 'read', 'viewer-password', 'test');
  const browser = await launch();
  return {
    t, fleet, browser,
    page: await newPage(browser),
    serial: (i) => `${SERIALS}${String(i).padStart(6, '0')}`,
    key: (i) => deviceKeyOf(fleet.devices[i].deviceId()),
  };
}

/** A dl of figures as { term: value }. */
async function figures(dl: Locator): Promise<Record<string, string>> {
  const [terms, values] = await Promise.all([dl.locator('dt').allInnerTexts(), dl.locator('dd').allInnerTexts()]);
  return Object.fromEntries(terms.map((t, i) => [t.trim(), values[i].trim()]));
}

/** "2.35 Gbit/s" in bits per second. */
function bitsPerS(text: string): number {
  const [n, unit] = text.split(' ');
  return Number(n) * 1000 ** ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'].indexOf(unit);
}

/** The rows of a table's body, each as its cells' texts. */
async function cells(table: Locator): Promise<string[][]> {
  const rows = table.locator('tbody tr');
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).locator('td').allInnerTexts()).map((c) => c.trim()));
  return out;
}

describe('web UI: device diagnostics, firmware, uploaded files, event history', function () {
  this.timeout(300_000);
  let rig: UiRig;
  let page: Page;
  let target: string;
  let speed: FileServer;
  const diagnostics = () => page.getByRole('region', { name: 'Diagnostics' });

  before(async function () {
    rig = await startRig();
    page = rig.page;
    target = rig.key(1);
    await storeConnectionRequestCredentials(rig, 1);
    speed = await fileServer({ '/speed.bin': Buffer.alloc(SPEED_BYTES, 1) });
    const put = await rig.t.nbi('/files/fw-2.1.0.bin', { method: 'PUT', body: FIRMWARE, headers: { fileType: '1 Firmware Upgrade Image', version: '2.1.0' } });
    assert.equal(put.status, 201);
    await signIn(page, rig.t.nbiUrl, 'operator', 'operator-password');
    await page.goto(`${rig.t.nbiUrl}/ui/devices/${encodeURIComponent(target)}`);
    await page.getByRole('heading', { name: target }).waitFor();
  });
  after(async () => {
    await speed?.close();
    await stopUiRig(rig);
  });

  it('runs a ping and shows its counts and response times', async () => {
    const d = diagnostics();
    assert.equal(await d.getByRole('button', { name: 'Ping', exact: true }).getAttribute('aria-pressed'), 'true');
    await d.getByLabel('Host').fill('example.net');
    await d.getByLabel('Count').fill('4');
    await d.getByRole('button', { name: 'Run ping' }).click();
    await d.getByText('Ping done.').waitFor({ timeout: RUN_MS });
    const rtts = [0, 1, 2, 3].map((i) => pingRttMs('example.net', i));
    const mean = rtts.reduce((a, b) => a + b, 0) / rtts.length;
    // This model has no IPAddressUsed: no Address figure.
    assert.deepEqual(await figures(d.locator('dl[aria-label="Ping result"]')), {
      Sent: '4',
      Succeeded: '4',
      Failed: '0',
      // The TR-181 *Detailed figures (µs) are shown in ms.
      Average: `${Math.round(mean * 1000) / 1000} ms`,
      Minimum: `${Math.min(...rtts)} ms`,
      Maximum: `${Math.max(...rtts)} ms`,
    });
  });

  it('shows why a ping failed: the diagnostics state the device ended in', async () => {
    const d = diagnostics();
    await d.getByLabel('Host').fill('nowhere.invalid');
    await d.getByRole('button', { name: 'Run ping' }).click();
    await d.getByRole('alert').filter({ hasText: 'Ping failed: IPPing failed: Error_CannotResolveHostName' }).waitFor({ timeout: RUN_MS });
    assert.equal(await d.locator('dl[aria-label="Ping result"]').count(), 0, 'no figures of a failed run');
  });

  it('runs a traceroute and lists its hops', async () => {
    const d = diagnostics();
    await d.getByRole('button', { name: 'Traceroute', exact: true }).click();
    await d.getByLabel('Host').fill('hops-5.example.net');
    await d.getByRole('button', { name: 'Run traceroute' }).click();
    await d.getByText('Traceroute done.').waitFor({ timeout: RUN_MS });
    // rules.ts: hop k < N is 100.64.<hash mod 256>.<k>, the last the host; NumberOfTries (3) round trips of base + 2k + try ms.
    const h = hashOf('hops-5.example.net');
    const base = 1 + (h % 10);
    const address = (resolveHost('hops-5.example.net') as { address: string }).address;
    const expected = [1, 2, 3, 4, 5].map((k) => {
      const hop = k === 5 ? address : `100.64.${h % 256}.${k}`;
      return [String(k), k === 5 ? 'hops-5.example.net' : hop, hop, [0, 1, 2].map((t) => base + 2 * k + t).join(', '), '0'];
    });
    assert.deepEqual(await cells(d.getByRole('table', { name: 'Hops' })), expected);
    await d.getByText(`5 hops, response time ${base + 10} ms.`).waitFor();
  });

  it('runs download and upload speed tests and shows the throughput from their bytes and times', async () => {
    const d = diagnostics();
    await d.getByRole('button', { name: 'Download speed', exact: true }).click();
    await d.getByLabel('Download URL').fill(`${speed.url}/speed.bin`);
    await d.getByRole('button', { name: 'Run download speed' }).click();
    await d.getByText('Download speed test done.').waitFor({ timeout: RUN_MS });
    const down = await figures(d.locator('dl[aria-label="Download result"]'));
    assert.equal(down['Bytes received'], SPEED_BYTES.toLocaleString('en-GB'));
    assert.match(down.Throughput, /^\d+(\.\d+)? [kMG]?bit\/s$/);
    assert.match(down['Transfer time'], /^\d+(\.\d+)? s$/);
    // TR-143: TestBytesReceived over EOMTime - BOMTime, from the run's own values (times in µs).
    const runs = (await (await rig.t.nbi(`/workflows/runs?device=${encodeURIComponent(target)}&workflow=download-diagnostics`)).json()) as { output: { results: { results: Record<string, string> } } }[];
    const v = runs[0].output.results.results;
    const micros = (t: string) => Date.parse(t.replace(/\.\d+Z$/, 'Z')) * 1000 + Number(/\.(\d{6})Z$/.exec(t)?.[1] ?? 0);
    const seconds = (micros(v.EOMTime) - micros(v.BOMTime)) / 1e6;
    assert.equal(Number(v.TestBytesReceived), SPEED_BYTES);
    assert.equal(down['Transfer time'], `${Number(seconds.toFixed(3))} s`);
    assert.ok(Math.abs(bitsPerS(down.Throughput) / ((SPEED_BYTES * 8) / seconds) - 1) < 0.006, `${down.Throughput} for ${seconds} s`);

    await d.getByRole('button', { name: 'Upload speed', exact: true }).click();
    await d.getByLabel('Upload URL').fill(`${speed.url}/up`);
    await d.getByLabel('Bytes to send').fill(String(UPLOAD_BYTES));
    await d.getByRole('button', { name: 'Run upload speed' }).click();
    await d.getByText('Upload speed test done.').waitFor({ timeout: RUN_MS });
    const up = await figures(d.locator('dl[aria-label="Upload result"]'));
    assert.equal(up['Bytes sent'], UPLOAD_BYTES.toLocaleString('en-GB'));
    assert.match(up.Throughput, /^\d+(\.\d+)? [kMG]?bit\/s$/);
    assert.equal(speed.uploads.get('/up')?.length, UPLOAD_BYTES, 'the CPE really sent the bytes');
  });

  it('upgrades the firmware with an image of the file store, after asking, and the device comes back with its version', async () => {
    const fw = page.getByRole('region', { name: 'Firmware' });
    await fw.getByLabel('Firmware image').selectOption('fw-2.1.0.bin');
    assert.equal(await fw.getByLabel('Expected version').inputValue(), '2.1.0', 'the file\'s version by default');
    await fw.getByRole('button', { name: 'Upgrade firmware…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Upgrade firmware?' });
    await dialog.locator('strong', { hasText: 'fw-2.1.0.bin' }).waitFor();
    await dialog.getByRole('button', { name: 'Upgrade to 2.1.0' }).click();
    await fw.getByText('Firmware upgrade done.').waitFor({ timeout: 90_000 });
    await fw.getByText('The device runs 2.1.0.').waitFor();
    assert.equal(rig.fleet.devices[1].model.getValue('Device.DeviceInfo.SoftwareVersion'), '2.1.0');
    // The page read the device again when the run ended.
    await page.getByRole('region', { name: 'Identity' }).getByText('2.1.0', { exact: true }).waitFor();
    await diagnostics().getByRole('button', { name: 'Traceroute', exact: true }).click();
    await diagnostics().getByRole('table', { name: 'Hops' }).waitFor();
    await diagnostics().scrollIntoViewIfNeeded();
    await screenshot(page, 'device-diagnostics');
  });

  it('backs the configuration up and lists the uploaded file with a download link', async () => {
    const files = page.getByRole('region', { name: 'Uploaded files' });
    await files.getByText('This device has uploaded no files.').waitFor();
    await files.getByRole('button', { name: 'Back up configuration' }).click();
    await files.getByText('Configuration backup done.').waitFor({ timeout: RUN_MS });
    const link = files.getByRole('table', { name: 'Uploaded files' }).getByRole('link', { name: /^config-.+\.cfg$/ });
    await link.waitFor();
    const href = await link.getAttribute('href');
    assert.match(href ?? '', /^\/files\/config-.+\.cfg$/);
    const res = await page.request.get(`${rig.t.nbiUrl}${href}`);
    assert.equal(res.status(), 200, 'the session cookie downloads it');
    assert.ok((await res.body()).length > 0);
  });

  it('lists the device\'s events newest first: BOOTSTRAP and BOOT, diagnostics complete, the upgrade\'s transfer and boot', async () => {
    await page.reload();
    const events = page.getByRole('region', { name: 'Event history' });
    const table = events.getByRole('table', { name: 'Event history' });
    await table.locator('tbody tr').first().waitFor();
    const more = events.getByRole('button', { name: /^Show all \d+$/ });
    if ((await more.count()) > 0) await more.click();
    const rows = await cells(table);
    const codes = rows.map((r) => r[2]);
    const first = codes.findIndex((c) => c.includes('0 BOOTSTRAP'));
    assert.ok(first >= 0 && codes[first].includes('1 BOOT'), `the first contact: ${JSON.stringify(codes)}`);
    assert.equal(first, codes.length - 1, 'the oldest is last');
    assert.ok(codes.some((c) => c.includes('8 DIAGNOSTICS COMPLETE')));
    const upgrade = codes.findIndex((c) => c.includes('M Download') && c.includes('7 TRANSFER COMPLETE'));
    assert.ok(upgrade >= 0 && upgrade < first);
    const transfer = rows.find((r) => r[1] === 'TransferComplete' && /transfer succeeded/.test(r[3]));
    assert.ok(transfer, `a TransferComplete row: ${JSON.stringify(rows)}`);
  });

  it('fits a 768-pixel-wide tablet with its forms and results shown: nothing makes the page scroll sideways', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    try {
      for (const test of ['Ping', 'Traceroute', 'Download speed', 'Upload speed']) {
        await diagnostics().getByRole('button', { name: test, exact: true }).click();
        await diagnostics().locator('p.run-line').waitFor();
        // A string: the page runs it, and this file's types know no DOM.
        assert.equal(await page.evaluate('document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth'), 0, `${test}: no sideways scroll`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('shows a reader the results but no control that starts anything', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 768, height: 1024 }, locale: 'en-GB', timezoneId: 'UTC' });
    try {
      const reader = await context.newPage();
      await signIn(reader, rig.t.nbiUrl, 'viewer', 'viewer-password');
      await reader.goto(`${rig.t.nbiUrl}/ui/devices/${encodeURIComponent(target)}`);
      await reader.getByRole('heading', { name: target }).waitFor();
      const d = reader.getByRole('region', { name: 'Diagnostics' });
      await d.getByText('Ping failed: IPPing failed: Error_CannotResolveHostName').waitFor();
      await reader.getByRole('region', { name: 'Firmware' }).getByText('Firmware upgrade done.').waitFor();
      await reader.getByRole('region', { name: 'Uploaded files' }).getByRole('link', { name: /^config-.+\.cfg$/ }).waitFor();
      for (const name of ['Run ping', 'Upgrade firmware…', 'Back up configuration']) {
        assert.equal(await reader.getByRole('button', { name }).count(), 0, `no ${name} for a reader`);
      }
    } finally {
      await context.close();
    }
  });
  it('offers to ask the device to connect again when a step\'s task waits on a device the ACS did not reach', async () => {
    // Device 0: no connection-request credentials stored (the simulated CPE answers the ACS 401), no periodic Informs.
    const cpe = rig.fleet.devices[0];
    cpe.model.setValue(cpe.model.lookup(`${cpe.model.root}ManagementServer.PeriodicInformEnable`) as NodeRef, 'false');
    const other = rig.key(0);
    await page.goto(`${rig.t.nbiUrl}/ui/devices/${encodeURIComponent(other)}`);
    await page.getByRole('heading', { name: other }).waitFor();
    const d = diagnostics();
    await d.getByLabel('Host').fill('example.org');
    await d.getByRole('button', { name: 'Run ping' }).click();
    const ask = d.getByRole('button', { name: 'Ask the device to connect' });
    await ask.waitFor({ timeout: 20_000 });
    await d.getByText(/has not taken this step's task for \d+ s/).waitFor();
    await storeConnectionRequestCredentials(rig, 0);
    // Each later step's own request may come within the simulated CPE's 1 s limit (503): ask whenever the page offers it.
    const done = d.getByText('Ping done.');
    const deadline = Date.now() + 90_000;
    while (!(await done.isVisible()) && Date.now() < deadline) {
      if (await ask.isVisible()) {
        await ask.click();
        await d.getByText(/^Connection request: ok/).waitFor();
        await ask.waitFor({ state: 'hidden', timeout: 15_000 });
      }
      await page.waitForTimeout(500);
    }
    await done.waitFor({ timeout: 1_000 });
    assert.equal(await ask.count(), 0, 'no hint once the run is done');
  });
});
