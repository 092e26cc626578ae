/**
 * SEARCH_STATEMENT_MS: every SELECT of a REST API device search is stopped
 * by MariaDB past the bound, and the request answers 400 naming the setting,
 * changing nothing. A search is made slow for certain by another connection
 * holding the devices table locked: the search's SELECTs wait for the lock,
 * and only the bound can end them before the lock goes. Real MariaDB, over
 * HTTP to the real server (our REST API and the GenieACS-compatible one).
 */
import { strict as assert } from 'node:assert';
import mysql from 'mysql2/promise';
import { boundedSelects } from '../../src/db/sql';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newDeviceId, session } from '../helpers/db';
import { freePort } from '../helpers/private-services';

const BOUND_MS = 300;
/** How long the lock is held: a request answered before it goes was stopped by the bound. */
const LOCK_MS = 8000;

class Late extends Error {}

describe('REST API: device searches bounded by SEARCH_STATEMENT_MS', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let genieacs: string;
  let keys: string[];

  before(async function () {
    const port = await freePort();
    t = await startTestAcs('nbi_search_bound', { searchStatementMs: BOUND_MS, genieacsNbiPort: port });
    if (t.acs.store.sql.driver !== 'mysql') throw new Error('this suite needs MySQL/MariaDB (TEST_DATABASE_URL)');
    genieacs = `http://127.0.0.1:${port}`;
    keys = [];
    for (const name of ['a', 'b']) {
      const r = session({ deviceId: { ...newDeviceId(`B${name}`), ProductClass: 'XX230v' }, time: Date.now(), params: [] });
      await t.acs.store.commitSession(r);
      keys.push(r.deviceKey);
    }
  });
  after(async () => {
    await t?.stop();
  });

  /** Runs `fn` while another connection holds the devices table locked for writing (LOCK_MS at most). */
  async function whileLocked<T>(fn: () => Promise<T>): Promise<T> {
    const url = new URL(t.config.databaseUrl);
    const c = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: url.pathname.slice(1) });
    try {
      await c.query('LOCK TABLES devices WRITE');
      const unlock = setTimeout(() => void c.query('UNLOCK TABLES').catch(() => undefined), LOCK_MS);
      try {
        return await fn();
      } finally {
        clearTimeout(unlock);
        await c.query('UNLOCK TABLES');
      }
    } finally {
      await c.end();
    }
  }

  /** A request answered within the lock, with a 400 naming the setting. */
  async function refused(request: () => Promise<Response>): Promise<void> {
    const t0 = Date.now();
    const r = await request();
    const ms = Date.now() - t0;
    const body = (await r.json()) as { error: string; code: string };
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(body.code, 'ACS_ERR_BAD_REQUEST');
    assert.match(body.error, /ran over 300 ms \(SEARCH_STATEMENT_MS\)/);
    assert.ok(ms < LOCK_MS - 1000, `answered in ${ms} ms: it waited for the lock, not the bound`);
  }

  const genieacsGet = (path: string) => fetch(`${genieacs}${path}`, { headers: { Authorization: `Bearer ${t.token}` } });

  it('a SELECT past the bound is stopped by MariaDB and rejects with the caller\'s error; a quick one answers', async () => {
    await t.acs.store.sql.autocommit(async (db) => {
      const bounded = boundedSelects(db, 200, () => new Late('late'));
      const t0 = Date.now();
      await assert.rejects(bounded.select('SELECT SLEEP(3) AS s'), Late);
      assert.ok(Date.now() - t0 < 2000, `stopped after ${Date.now() - t0} ms`);
      assert.deepEqual(await bounded.select('  select 1 + 1 AS n'), [{ n: 2 }]);
      await assert.rejects(async () => bounded.select('UPDATE devices SET oui = oui'), /not a SELECT/);
      assert.equal(boundedSelects(db, 0, () => new Late('late')), db, 'a bound of 0 is no bound');
    });
  });

  it('the device list, its count, a bulk tag change and the GenieACS device query answer 400 naming the setting, and change nothing', async () => {
    await whileLocked(async () => {
      await refused(() => t.nbi(`/devices?q=${encodeURIComponent('DeviceID.ProductClass = "XX230v"')}`));
      await refused(() => t.nbi('/devices?count=1'));
      await refused(() => t.nbi(`/tags/bulk-bound?q=${encodeURIComponent('DeviceID.ProductClass = "XX230v"')}`, { method: 'POST' }));
      await refused(() => genieacsGet(`/devices/?query=${encodeURIComponent(JSON.stringify({ '_deviceId._ProductClass': 'XX230v' }))}`));
    });
    for (const key of keys) assert.deepEqual((await t.acs.store.getDevice(key))?.tags ?? [], [], `${key} was tagged`);
  });

  it('the same requests answer once the table is free', async () => {
    const list = await t.nbi(`/devices?q=${encodeURIComponent('DeviceID.ProductClass = "XX230v"')}`);
    assert.equal(list.status, 200);
    assert.deepEqual(((await list.json()) as { deviceKey: string }[]).map((d) => d.deviceKey).sort(), [...keys].sort());
    const count = await t.nbi('/devices?count=1');
    assert.deepEqual(await count.json(), { count: 2, exact: true });
    const tagged = await t.nbi(`/tags/bulk-bound?q=${encodeURIComponent('DeviceID.ProductClass = "XX230v"')}`, { method: 'POST' });
    assert.deepEqual(await tagged.json(), { matched: 2, changed: 2 });
    const documents = await genieacsGet(`/devices/?query=${encodeURIComponent(JSON.stringify({ '_deviceId._ProductClass': 'XX230v' }))}`);
    assert.equal(documents.status, 200);
    assert.deepEqual(((await documents.json()) as { _id: string }[]).map((d) => d._id).sort(), [...keys].sort());
  });
});
