/**
 * The set-up the UI's browser tests share: the real server with MariaDB and
 * Redis, a fleet of simulated TR-181 CPEs that answer connection requests,
 * a user to sign in as, and Chromium at 1280×800.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { deviceKeyOf } from '../../src/model/device-key';
import type { Scope } from '../../src/nbi/auth/tokens';
import { UserStore } from '../../src/nbi/auth/users';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { hasChromium, launch, newPage } from './browser';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

export interface UiRig {
  t: TestAcs;
  fleet: Fleet;
  browser: Browser;
  page: Page;
  /** The serial number of the fleet's i-th device. */
  serial(i: number): string;
  /** The REST API's id of the fleet's i-th device. */
  key(i: number): string;
}

export interface UiRigOptions {
  /** Names the test database. */
  suite: string;
  devices: number;
  /** Three capital letters: serial numbers are these and six digits. */
  serialBase: string;
  user: { name: string; role: Scope; password: string };
}

export async function startUiRig(o: UiRigOptions): Promise<UiRig> {
  if (!hasChromium()) throw new Error('no Chromium at /usr/bin/chromium: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH');
  // Fleet statistics flushed every half second: the overview shows a session's counts without waiting 10 s.
  const t = await startTestAcs(o.suite, { connectionRequestIntervalMs: 0, statsFlushMs: 500 });
  const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: o.devices, serialBase: o.serialBase, connectionRequests: true });
  await fleet.connectAll();
  await new UserStore(t.acs.store.sql).create(o.user.name, o.user.role, o.user.password, 'test');
  const browser = await launch();
  return {
    t, fleet, browser,
    page: await newPage(browser),
    serial: (i) => `${o.serialBase}${String(i).padStart(6, '0')}`,
    key: (i) => deviceKeyOf(fleet.devices[i].deviceId()),
  };
}

export async function stopUiRig(rig: Partial<UiRig> | undefined): Promise<void> {
  await rig?.browser?.close();
  await rig?.fleet?.close();
  await rig?.t?.stop();
}

/** Stores the connection-request credentials the simulated CPE i was made with (a CPE never reads them back). */
export async function storeConnectionRequestCredentials(rig: UiRig, i: number): Promise<void> {
  const res = await rig.t.nbi(`/devices/${encodeURIComponent(rig.key(i))}/connection-request-credentials`, {
    method: 'PUT', body: JSON.stringify({ username: `cr-${rig.serial(i)}`, password: `crpw-${rig.serial(i)}` }),
  });
  assert.equal(res.status, 204);
}

export async function signIn(page: Page, nbiUrl: string, name: string, password: string): Promise<void> {
  await page.goto(`${nbiUrl}/`);
  await page.getByLabel('User name', { exact: true }).fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Devices' }).waitFor();
}
