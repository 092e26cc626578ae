/**
 * The web UI's quality across its pages (issue 13), in Chromium against the
 * real server and a fleet of 1,000 simulated CPEs, at 1280×800, 1024×768 and
 * 768×1024: each page shows its content (the device list paged forward and
 * back, a device's parameter tree opened 14 levels deep, the overview
 * counting 1,000, presets and provisions with the editor, tokens, audit log,
 * webhooks, and whatever other page the header links to); no page is wider
 * than the window (a wide table scrolls in its own box); every control has an
 * accessible name; text meets WCAG AA contrast as rendered; no script error
 * or CSP refusal. And the keyboard: the first Tab reaches "Skip to content",
 * which moves on to the page, and the focus ring shows.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { screenshot } from './browser';
import { signIn, startUiRig, stopUiRig, storeConnectionRequestCredentials, type UiRig } from './helpers';

const DEVICES = 1000;
const PER_PAGE = 50;
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'tablet-landscape', width: 1024, height: 768 },
  { name: 'tablet', width: 768, height: 1024 },
] as const;
/** The device whose Device.WiFi. is read (2,348 parameters, 15 levels deep). */
const DEEP_DEVICE = 7;
const DEEP = ['Device', 'WiFi', 'DataElements', 'Network', 'Device', '1', 'Radio', '2', 'BSS', '2', 'STA', '1', 'X_TP_QoE', 'Factor'];
const DEEP_LEAF = 'AvailableWiFiServiceQualityScore';
const PROVISION = "declare('Device.DeviceInfo.ProvisioningCode', null, { value: 'quality' });\n";
/** The header's links this file visits with its own checks; any other is a page to open and check the same way. */
const KNOWN_LINKS = new Set(['ACS', 'Overview', 'Devices', 'Presets and provisions', 'Tokens', 'Audit log', 'Webhooks']);

/** Runs in the page: the focused element and its outline. */
const FOCUS_RING = `(() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return { what: el.tagName + ' ' + (el.textContent || '').trim().slice(0, 30), style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
})()`;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Report {
  problems: string[];
  controls: number;
  texts: number;
}

/**
 * Runs in the page (a string: the test runner's compiled functions carry
 * helpers the page lacks). Finds controls without an accessible name (the
 * names a screen reader would read: aria-labelledby, aria-label, a <label>,
 * a button's text, a title), text below WCAG AA contrast against what is
 * painted under it (4.5:1; 3:1 for large text), placeholders included, and
 * a page wider than the window, naming the elements that stick out.
 */
const INSPECT = String.raw`(() => {
  const problems = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';

  const text = (t) => (t || '').replace(/\s+/g, ' ').trim();
  const nameOf = (el) => {
    const by = el.getAttribute('aria-labelledby');
    if (by) {
      const t = text(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
      if (t) return t;
    }
    if (text(el.getAttribute('aria-label'))) return text(el.getAttribute('aria-label'));
    if (el.labels && el.labels.length > 0) {
      const t = text([...el.labels].map((l) => l.textContent).join(' '));
      if (t) return t;
    }
    if (el.tagName === 'BUTTON' && text(el.textContent)) return text(el.textContent);
    if (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type) && text(el.value)) return text(el.value);
    return text(el.getAttribute('title'));
  };
  const controls = [...document.querySelectorAll('input:not([type=hidden]), button, select, textarea, [contenteditable=true], [role=textbox], [role=button], [role=combobox], [role=checkbox]')];
  for (const el of controls) if (!nameOf(el)) problems.push('no accessible name: ' + describe(el));

  const rgba = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const backgroundOf = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) layers.push(c);
      if (c && c[3] >= 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const large = (style) => parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
  let texts = 0;
  const checkText = (el, style, color, what) => {
    const bg = backgroundOf(el);
    const fg = over(color, bg);
    const r = ratio(fg, bg);
    const need = large(style) ? 3 : 4.5;
    texts++;
    if (r < need) problems.push('contrast ' + r.toFixed(2) + ' < ' + need + ' (' + what + ' ' + style.color + ' on ' + bg.map(Math.round).slice(0, 3).join(',') + '): ' + describe(el));
  };
  for (const el of document.querySelectorAll('body *')) {
    if (!el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible') continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (own) checkText(el, style, rgba(style.color), 'text');
    if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.placeholder && el.value === '') {
      const ph = getComputedStyle(el, '::placeholder');
      checkText(el, ph, rgba(ph.color), 'placeholder');
    }
  }

  const root = document.scrollingElement;
  if (root.scrollWidth > root.clientWidth) {
    const out = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > root.clientWidth + 1));
    problems.push('page scrolls sideways: ' + root.scrollWidth + ' > ' + root.clientWidth + ' px, sticking out: ' + out.slice(0, 5).map(describe).join('; '));
  }
  return { problems, controls: controls.length, texts };
})()`;

describe('web UI quality: every page against 1,000 devices, on a desktop and a tablet', function () {
  this.timeout(600_000);
  let rig: UiRig;
  let page: Page;
  const errors: string[] = [];

  before(async function () {
    rig = await startUiRig({ suite: 'ui_quality', devices: DEVICES, serialBase: 'UIQ', user: { name: 'quality', role: 'admin', password: 'quality-password' } });
    page = rig.page;
    const put = await rig.t.nbi('/provisions/quality', { method: 'PUT', body: PROVISION, headers: { 'Content-Type': 'application/javascript' } });
    assert.equal(put.status, 201, await put.text());
    const hook = await rig.t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: 'http://127.0.0.1:9/quality', events: ['task.done'] }) });
    assert.equal(hook.status, 201, await hook.text());
    await storeConnectionRequestCredentials(rig, DEEP_DEVICE);
    const refresh = await rig.t.nbi(`/devices/${encodeURIComponent(rig.key(DEEP_DEVICE))}/tasks?connection_request=true&timeout=60000`, {
      method: 'POST', body: JSON.stringify({ name: 'refreshObject', objectName: 'Device.WiFi.' }),
    });
    const task = (await refresh.json()) as { status: string };
    assert.equal(task.status, 'done', JSON.stringify(task));
    await signIn(page, rig.t.nbiUrl, 'quality', 'quality-password');
    // From here on (the sign-in page's GET /session is a 401 by design).
    page.on('console', (m) => void (m.type() === 'error' && errors.push(`${page.url()}: ${m.text()}`)));
    page.on('pageerror', (e) => void errors.push(`${page.url()}: ${e.message}`));
  });
  after(() => stopUiRig(rig));

  const main = () => page.locator('main');
  const rows = () => page.locator('table.devices tbody tr');
  const firstCell = () => page.locator('table.devices tbody tr:first-child td:first-child');

  async function go(link: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  }

  /** Waits for the page to settle (nothing says "Loading…"), then applies INSPECT's rules. */
  async function check(where: string): Promise<void> {
    await page.locator('main .loading').first().waitFor({ state: 'detached' });
    const r = await page.evaluate<Report>(INSPECT);
    assert.deepEqual(r.problems, [], where);
    assert.ok(r.texts > 0, `${where}: no text`);
  }

  /** Waits for the first row's first cell to read (or no longer read) `text`. */
  async function firstRowIs(text: string, same: boolean): Promise<void> {
    const exactly = new RegExp(`^${escapeRegExp(text)}$`);
    await (same ? firstCell().filter({ hasText: exactly }) : firstCell().filter({ hasNotText: exactly })).waitFor();
  }

  async function devicesPagedForwardAndBack(where: string): Promise<void> {
    await go('Devices');
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    await page.getByText(`Page 1, ${PER_PAGE} devices`).waitFor();
    const seen = [await firstCell().innerText()];
    for (const n of [2, 3]) {
      await page.getByRole('button', { name: 'Next →' }).click();
      await firstRowIs(seen[seen.length - 1], false);
      await page.getByText(`Page ${n}, ${PER_PAGE} devices`).waitFor();
      seen.push(await firstCell().innerText());
      assert.equal(await rows().count(), PER_PAGE);
    }
    assert.equal(new Set(seen).size, 3, `three different pages: ${seen.join(', ')}`);
    await check(`${where} devices page 3`);
    for (const n of [2, 1]) {
      await page.getByRole('button', { name: '← Previous' }).click();
      await firstRowIs(seen[n - 1], true);
      await page.getByText(`Page ${n}, ${PER_PAGE} devices`).waitFor();
    }
    assert.equal(await page.getByRole('button', { name: '← Previous' }).isDisabled(), true);
    await check(`${where} devices page 1`);
  }

  /** Finds the device by serial number and opens its tree down to DEEP_LEAF, a level at a time. */
  async function deviceTreeOpened(where: string): Promise<void> {
    const key = rig.key(DEEP_DEVICE);
    await page.getByLabel('Search').fill(`DeviceID.SerialNumber = "${rig.serial(DEEP_DEVICE)}"`);
    await page.getByLabel('Search').press('Enter');
    await page.getByText('Page 1, 1 device', { exact: true }).waitFor();
    await page.getByRole('link', { name: key, exact: true }).click();
    await page.getByRole('heading', { name: key, level: 1 }).waitFor();
    let scope = page.locator('section[aria-labelledby="params-title"]');
    for (const name of DEEP) {
      const toggle = scope.getByRole('button', { name: new RegExp(`^${escapeRegExp(name)}, \\d+ items$`) }).first();
      await toggle.click();
      // The toggle's own item, whose list of children has just appeared.
      scope = toggle.locator('xpath=..');
      await scope.locator('xpath=./ul').waitFor();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    }
    const leaf = scope.locator('li.leaf', { hasText: DEEP_LEAF });
    await leaf.waitFor();
    const box = await leaf.boundingBox();
    assert.ok(box && box.width > 0 && box.x + box.width <= page.viewportSize()!.width, `${where}: the deepest row fits the window (${JSON.stringify(box)})`);
    await check(`${where} device ${key}, tree opened ${DEEP.length} levels`);
    await scope.scrollIntoViewIfNeeded();
  }

  async function overview(where: string): Promise<void> {
    await go('Overview');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await main().getByText('1,000', { exact: true }).first().waitFor();
    await check(`${where} overview`);
  }

  async function scripts(where: string): Promise<void> {
    await go('Presets and provisions');
    await page.getByRole('heading', { name: 'Provisions (1)' }).waitFor();
    await check(`${where} presets and provisions`);
    await page.getByRole('link', { name: 'quality', exact: true }).click();
    await page.locator('.code-editor .cm-content').waitFor();
    await page.getByText('Lint: no problems.').waitFor();
    await check(`${where} provision editor`);
  }

  async function admin(where: string): Promise<void> {
    await go('Tokens');
    await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Tokens' }).locator('tbody tr').first().waitFor();
    await check(`${where} tokens`);
    await go('Audit log');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Audit log' }).locator('tbody tr').first().waitFor();
    await check(`${where} audit log`);
    await go('Webhooks');
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Subscriptions' }).getByRole('cell', { name: 'http://127.0.0.1:9/quality' }).waitFor();
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { name: /^Deliveries to / }).waitFor();
    await check(`${where} webhooks`);
  }

  /** Pages the header links to that this file does not know (campaigns, workflows, files…): each shows its heading, no error. */
  async function otherPages(where: string): Promise<string[]> {
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
    const others = links.map((l) => l.trim()).filter((l) => !KNOWN_LINKS.has(l));
    for (const link of others) {
      await go(link);
      await main().locator('h1').first().waitFor();
      assert.equal(await main().getByText('No such page').count(), 0, `${where} ${link}`);
      await check(`${where} ${link}`);
    }
    return others;
  }

  it("gives each page load its own CSP nonce, in the header and the page's meta, and no 'unsafe-inline'", async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${rig.t.nbiUrl}/ui/scripts/provisions/quality`);
      const csp = res.headers.get('content-security-policy') ?? '';
      const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/]{22}==)'/.exec(csp)?.[1];
      assert.ok(nonce, csp);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.ok((await res.text()).includes(`<meta property="csp-nonce" nonce="${nonce}"`));
      assert.equal(res.headers.get('etag'), null, 'no ETag: a 304 would bring back an old nonce');
      nonces.push(nonce);
    }
    assert.notEqual(nonces[0], nonces[1]);
  });

  for (const v of VIEWPORTS) {
    it(`${v.name} (${v.width}×${v.height}): every page shows its content, fits the window, names its controls, meets AA contrast`, async () => {
      await page.setViewportSize({ width: v.width, height: v.height });
      const rights = await page.locator('header.top').locator('a, button').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
      assert.ok(Math.max(...rights) <= v.width, `the header's links and button are in the window (they wrap): ${rights.join(', ')}`);
      await devicesPagedForwardAndBack(v.name);
      if (v.name === 'tablet') {
        await page.evaluate('scrollTo(0, 0)');
        await screenshot(page, 'tablet-devices');
      }
      await deviceTreeOpened(v.name);
      if (v.name === 'tablet') await screenshot(page, 'tablet-device');
      await overview(v.name);
      await scripts(v.name);
      if (v.name === 'tablet') await screenshot(page, 'tablet-script-editor');
      await admin(v.name);
      const others = await otherPages(v.name);
      assert.deepEqual(errors, [], `no script error or CSP refusal (also visited: ${others.join(', ') || 'nothing else'})`);
    });
  }

  it('keyboard: the first Tab shows "Skip to content", which moves on to the page; the focus ring shows on every control', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await go('Devices');
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    assert.equal(await page.evaluate("document.activeElement.textContent"), 'Skip to content', 'the first Tab reaches the skip link');
    const box = await skip.boundingBox();
    assert.ok(box && box.x >= 0 && box.y >= 0 && box.width > 0, `the focused skip link is on screen: ${JSON.stringify(box)}`);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate("document.activeElement.closest('main') !== null"), true, 'the next Tab is in the page, past the header');
    // Tab through the page's first controls: each shows a ring of 2 px or more, 3:1 against the page around it.
    for (let i = 0; i < 8; i++) {
      const ring = await page.evaluate<{ what: string; style: string; width: number; color: string }>(FOCUS_RING);
      assert.equal(ring.style, 'solid', ring.what);
      assert.ok(ring.width >= 2, ring.what);
      assert.equal(ring.color, 'rgb(194, 106, 0)', `${ring.what}: --focus, 3.9:1 on white`);
      await page.keyboard.press('Tab');
    }
  });

  it("keyboard: the code editor shows the same ring, Tab indents in it, and Escape then Tab leaves it (no trap)", async () => {
    await go('Presets and provisions');
    await page.getByRole('link', { name: 'quality', exact: true }).click();
    await page.locator('.code-editor .cm-content').focus();
    await page.locator('.cm-editor.cm-focused').waitFor();
    assert.equal(await page.evaluate("getComputedStyle(document.querySelector('.cm-editor')).outlineColor"), 'rgb(194, 106, 0)');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate("document.activeElement.classList.contains('cm-content')"), true, 'Tab indents');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate("document.activeElement.closest('.cm-editor') === null"), true, 'Escape, Tab: out of the editor');
  });
});
