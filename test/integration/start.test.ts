import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { newToken, withToken } from '../helpers/api-token';
import { openStore } from '../../src/db';
import { deviceKeyOf } from '../../src/model/device-key';
import { spawnAcs, type AcsProcess } from '../../src/infra/acs-process';

/** Runs `acs start` as an operator would, with only the ports moved off the defaults (the tests may run beside a real ACS). */
function startProcess(cwd: string, env: Record<string, string>): Promise<AcsProcess> {
  const base = { PATH: process.env.PATH ?? '', CWMP_PORT: '0', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0', REDIS_PREFIX: `acs-start-test-${process.pid}:` };
  return spawnAcs(['start'], { ...base, ...env }, cwd);
}

/** An admin API token in the database at `url` (the REST API needs one). */
async function tokenIn(url: string): Promise<string> {
  const store = await openStore(url);
  try {
    await store.migrate();
    return await newToken(store);
  } finally {
    await store.close();
  }
}

async function informOnce(cwmpPort: number, serial: string): Promise<void> {
  const cpe = new ScriptedCpe(`http://127.0.0.1:${cwmpPort}/`);
  const ex = await cpe.post(inform(serial, ['0 BOOTSTRAP', '1 BOOT']));
  assert.equal(ex.envelope?.body.method, 'InformResponse');
  assert.equal((await cpe.post(null)).status, 204);
  cpe.close();
}

describe('acs start with zero configuration', function () {
  this.timeout(60_000);

  it('answers an Inform and shows the device on GET /devices/:id, storing it in ./data/acs.sqlite', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'acs-start-'));
    const acs = await startProcess(cwd, {});
    try {
      await informOnce(acs.cwmpPort as number, 'SN-ZEROCONF');
      const key = deviceKeyOf(inform('SN-ZEROCONF', []).DeviceId);
      const token = await tokenIn(`sqlite:${path.join(cwd, 'data', 'acs.sqlite')}`);
      const res = await fetch(`http://127.0.0.1:${acs.nbiPort}/devices/${encodeURIComponent(key)}`, withToken(token));
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { serialNumber: string }).serialNumber, 'SN-ZEROCONF');
      assert.ok(existsSync(path.join(cwd, 'data', 'acs.sqlite')));
    } finally {
      assert.equal(await acs.stop(), 0);
    }
  });

  // REDIS_URL unreachable, the private redis-server and its absence: test/integration/startup.test.ts and
  // test/regressions/issue-8-startup.test.ts (a set REDIS_URL no longer falls back to a private Redis).

  it('exits with one line naming a bad setting', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'acs-start-'));
    await assert.rejects(startProcess(cwd, { CWMP_AUTH: 'ntlm' }), /acs: CWMP_AUTH=ntlm: expected one of none, basic, digest/);
  });
});
