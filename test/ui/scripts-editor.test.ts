/**
 * The web UI's presets and provisions editor in Chromium against the real
 * server and simulated CPEs (issue 13): open a provision, type an error key
 * by key and see lint's message at its line (in the list, underlined, and a
 * marker of real size in the gutter beside that line: CodeMirror's styles
 * pass the page's CSP with its nonce), fix it, dry-run the unsaved text
 * against a device and see the planned SetParameterValues, save and see the
 * new version in the history with its diff.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { screenshot } from './browser';
import { signIn, startUiRig, stopUiRig, type UiRig } from './helpers';

const V1 = "declare('Device.DeviceInfo.ProvisioningCode', null, { value: 'lab-1' });\n";
const V2 = "declare('Device.DeviceInfo.ProvisioningCode', null, { value: 'lab-2' });\n";
const BAD_LINE = "declare('Device.DeviceInfo.NoSuchThing', null, { value: 'x' });";

describe('web UI: presets and provisions editor', function () {
  this.timeout(120_000);
  let rig: UiRig;
  let page: Page;
  const errors: string[] = [];

  before(async function () {
    rig = await startUiRig({ suite: 'ui_scripts', devices: 2, serialBase: 'UIS', user: { name: 'editor', role: 'write', password: 'editor-password' } });
    page = rig.page;
    const put = await rig.t.nbi('/provisions/code', { method: 'PUT', body: V1, headers: { 'Content-Type': 'application/javascript' } });
    assert.equal(put.status, 201, await put.text());
    await signIn(page, rig.t.nbiUrl, 'editor', 'editor-password');
    // From here on (the sign-in page's GET /session is a 401 by design).
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
  });
  after(() => stopUiRig(rig));

  const editor = () => page.locator('.code-editor .cm-content');
  const lint = () => page.getByRole('status').filter({ hasText: /Lint|Line/ });

  it('lists the provision and opens it in the editor, lint finding nothing', async () => {
    await page.getByRole('link', { name: 'Presets and provisions' }).click();
    await page.getByRole('heading', { name: 'Provisions (1)' }).waitFor();
    await page.getByRole('link', { name: 'code', exact: true }).click();
    await editor().waitFor();
    assert.equal((await page.locator('.cm-line').allInnerTexts())[0], V1.trimEnd());
    await page.getByText('Lint: no problems.').waitFor();
    assert.equal(await page.evaluate("getComputedStyle(document.querySelector('.cm-editor')).display"), 'flex', "CodeMirror's own styles apply");
  });

  it('shows an error lint finds at its line as it is typed key by key, with its marker in the gutter, and no error once fixed', async () => {
    await editor().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(BAD_LINE);
    assert.equal((await page.locator('.cm-line').allInnerTexts())[1], BAD_LINE, 'every key arrived');
    const message = page.locator('ul.lint-messages li.error');
    await message.filter({ hasText: /^Line 2: error: .*NoSuchThing/ }).waitFor();
    await page.locator('.cm-line').nth(1).locator('.cm-lintRange-error').waitFor();
    const marker = page.locator('.cm-gutter-lint .cm-lint-marker-error');
    await marker.waitFor();
    assert.equal(await marker.count(), 1);
    const [box, line] = [await marker.boundingBox(), await page.locator('.cm-line').nth(1).boundingBox()];
    assert.ok(box && line && box.width >= 8 && box.height >= 8, `the marker has a size: ${JSON.stringify(box)}`);
    const middle = box.y + box.height / 2;
    assert.ok(middle > line.y && middle < line.y + line.height, `the marker is beside line 2: ${JSON.stringify({ box, line })}`);
    await marker.hover();
    await page.locator('.cm-tooltip-lint', { hasText: 'NoSuchThing' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true, 'no save with an error');
    await screenshot(page, 'scripts-editor', true);

    await editor().click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText(V2.trimEnd());
    await page.getByText('Lint: no problems.').waitFor();
    assert.equal(await lint().count(), 1);
    assert.equal(await page.locator('.cm-gutter-lint .cm-lint-marker').count(), 0, 'no marker left');
    assert.deepEqual(errors, [], 'no script error and no CSP refusal');
  });

  it('dry-runs the unsaved text against a device: the planned SetParameterValues, nothing sent', async () => {
    await page.getByLabel('Device', { exact: true }).fill(rig.key(0));
    await page.getByRole('button', { name: 'Dry run' }).click();
    const rpc = page.locator('ol.rounds li.rpc').filter({ hasText: 'SetParameterValues Device.DeviceInfo.ProvisioningCode = "lab-2"' });
    await rpc.waitFor({ timeout: 30_000 });
    assert.match(await rpc.innerText(), /SetParameterValuesResponse/);
    const stored = (await (await rig.t.nbi(`/devices/${encodeURIComponent(rig.key(0))}`)).json()) as { parameters: { path: string; value: string | null }[] };
    assert.notEqual(stored.parameters.find((p) => p.path === 'Device.DeviceInfo.ProvisioningCode')?.value, 'lab-2', 'nothing stored');
  });

  it('saves a new version and shows it in the history with its diff', async () => {
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 2.').waitFor();
    await page.getByRole('button', { name: 'Changes in v2' }).click();
    const diff = page.locator('pre.diff');
    await diff.locator('.del', { hasText: "value: 'lab-1'" }).waitFor();
    await diff.locator('.add', { hasText: "value: 'lab-2'" }).waitFor();
    assert.equal(await (await rig.t.nbi('/provisions/code')).text(), V2);
  });
});
