/**
 * Chromium for the UI's tests: Debian's package (/usr/bin/chromium, installed
 * by .ci/run) driven by playwright-core, at the 1280×800 the UI is made for.
 * CHROMIUM_PATH points elsewhere. Screenshots go to docs/screenshots when
 * ACS_SCREENSHOTS=1 (`npm run screenshots`).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '../../docs/screenshots');

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export function launch(): Promise<Browser> {
  // No sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** Saves docs/screenshots/NAME.png when asked to (ACS_SCREENSHOTS=1); the tests take the same steps either way. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  if (process.env.ACS_SCREENSHOTS !== '1') return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}
