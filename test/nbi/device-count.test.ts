/**
 * GET /devices?count (issue 13): how many devices a search matches. Exact
 * without a precondition; with one, the search's own matches counted up to
 * 10,000 ("more than 10,000" past it), or up to a bound of candidates read
 * (a sparse search: "at least"). Over HTTP against the real server and
 * MariaDB, with five devices of known data and 10,001 bare ones.
 */
import { strict as assert } from 'node:assert';
import { compileDeviceQuery, type CompiledDeviceQuery } from '../../src/db/device-query';
import { COUNT_CAP, countMatching } from '../../src/nbi/routes/device-count';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newDeviceId, pv, session } from '../helpers/db';

const DAY = 86_400_000;
const NOW = Date.now();
const BULK = COUNT_CAP + 1;

interface Count {
  count: number;
  exact: boolean;
}

describe('REST API: GET /devices?count', function () {
  this.timeout(120_000);
  let t: TestAcs;

  /** Five devices as in devices.test.ts (two product classes, tags, an interval of 300 + age), informed 0 to 4 days ago. */
  async function fiveDevices(): Promise<void> {
    const specs = [
      { name: 'a', pc: 'XX230v', tags: ['vip'], age: 0 },
      { name: 'b', pc: 'XX230v', tags: [], age: 1 },
      { name: 'c', pc: 'XX230v', tags: ['vip', 'lab'], age: 2 },
      { name: 'd', pc: 'F660', tags: [], age: 3 },
      { name: 'e', pc: 'F660', tags: ['lab'], age: 4 },
    ];
    for (const s of specs) {
      const r = session({
        deviceId: { ...newDeviceId(`C${s.name}`), ProductClass: s.pc },
        time: NOW - s.age * DAY,
        params: [pv('Device.ManagementServer.PeriodicInformInterval', String(300 + s.age), 'xsd:unsignedInt')],
      });
      await t.acs.store.commitSession(r);
      if (s.tags.length > 0) await t.acs.store.setTags(r.deviceKey, s.tags, []);
    }
  }

  /** Devices that never informed (bare rows, as a zero-touch tag makes them), product class "Bulk", a thousand rows a statement. */
  async function bareDevices(n: number): Promise<void> {
    for (let from = 0; from < n; from += 1000) {
      const rows = Array.from({ length: Math.min(1000, n - from) }, (_, i) => `BULK${String(from + i).padStart(6, '0')}`);
      await t.acs.store.sql.autocommit((db) =>
        db.run(
          `INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number) VALUES ${rows.map(() => "(?, '', '00BULK', 'Bulk', ?)").join(', ')}`,
          rows.flatMap((sn) => [`00BULK-Bulk-${sn}`, sn]),
        ),
      );
    }
  }

  before(async () => {
    t = await startTestAcs('nbi_device_count');
    await fiveDevices();
    await bareDevices(BULK);
  });
  after(async () => {
    await t?.stop();
  });

  async function count(query: string): Promise<Count> {
    const r = await t.nbi(`/devices?count=1&${query}`);
    assert.equal(r.status, 200, await r.clone().text());
    return (await r.json()) as Count;
  }
  const q = (text: string) => count(`q=${encodeURIComponent(text)}`);

  /** The devices the list pages through for the same search: what the count must agree with. */
  async function listed(query: string): Promise<number> {
    let n = 0;
    let cursor: string | null = null;
    do {
      const r = await t.nbi(`/devices?limit=1000&${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      n += ((await r.json()) as unknown[]).length;
      cursor = r.headers.get('x-next-cursor');
    } while (cursor !== null);
    return n;
  }

  it('counts every device exactly without a precondition, the never-informed ones included', async () => {
    assert.deepEqual(await count(''), { count: 5 + BULK, exact: true });
    assert.deepEqual(await q(''), { count: 5 + BULK, exact: true }, 'q= empty: every device');
  });

  it('counts a precondition exactly, as the list finds it', async () => {
    const searches = [
      'DeviceID.ProductClass = "XX230v"',
      'Tags.vip IS NOT NULL',
      'Tags.lab IS NOT NULL AND Tags.vip IS NULL',
      'Device.ManagementServer.PeriodicInformInterval >= 302',
      'Device.ManagementServer.PeriodicInformInterval = "0300"',
      'DeviceID.ProductClass = "nothing"',
    ];
    const expected = [3, 2, 1, 3, 1, 0];
    for (const [i, text] of searches.entries()) {
      const query = `q=${encodeURIComponent(text)}`;
      assert.deepEqual(await count(query), { count: expected[i], exact: true }, text);
      assert.equal(await listed(query), expected[i], `${text}: the list agrees`);
    }
  });

  it('counts last-Inform bounds exactly, with and without a precondition', async () => {
    assert.deepEqual(await count(`lastInformAfter=${NOW - 2 * DAY - 1000}`), { count: 3, exact: true });
    assert.deepEqual(await count(`lastInformAfter=${NOW - 2 * DAY - 1000}&q=${encodeURIComponent('Tags.vip IS NOT NULL')}`), { count: 2, exact: true });
    assert.deepEqual(await count(`query=${encodeURIComponent(JSON.stringify({ _tags: 'lab' }))}`), { count: 2, exact: true }, "GenieACS's query");
  });

  it(`stops at ${COUNT_CAP.toLocaleString('en')} matches of a precondition: "more than", not exact`, async () => {
    assert.deepEqual(await q('DeviceID.ProductClass = "Bulk"'), { count: COUNT_CAP, exact: false });
    assert.deepEqual(await q('DeviceID.ProductClass <> "Bulk"'), { count: 5, exact: true });
  });

  it('stops a sparse search after its bound of candidates read: "at least", not exact', async () => {
    const compiled = (filter: string): CompiledDeviceQuery => {
      const r = compileDeviceQuery({ filter });
      assert.ok(r.ok);
      return r.compiled;
    };
    // The pre-filter keeps the five devices with the parameter (a to e in row order); the evaluator keeps c, d and e (302 to 304).
    const sparse = compiled('Device.ManagementServer.PeriodicInformInterval > 301');
    assert.deepEqual(await countMatching(t.acs.store.sql, sparse, { cap: 100, pageSize: 2, maxPages: 1 }), { count: 0, exact: false });
    assert.deepEqual(await countMatching(t.acs.store.sql, sparse, { cap: 100, pageSize: 2, maxPages: 2 }), { count: 2, exact: false });
    assert.deepEqual(await countMatching(t.acs.store.sql, sparse, { cap: 100, pageSize: 2, maxPages: 3 }), { count: 3, exact: true });
    assert.deepEqual(await countMatching(t.acs.store.sql, sparse, { cap: 2, pageSize: 2, maxPages: 3 }), { count: 2, exact: false }, 'the cap');
  });

  it('is documented: the count flag and its cap in the OpenAPI description', async () => {
    interface Op { description: string; parameters: { name: string; description?: string }[] }
    const doc = (await (await t.nbi('/openapi.json')).json()) as { paths: Record<string, Record<string, Op>> };
    const list = doc.paths['/devices'].get;
    assert.match(list.description, /more than 10,000/);
    assert.match(list.parameters.find((p) => p.name === 'count')?.description ?? '', /exact is false past 10,000 matches/);
  });

  it('refuses a bad count flag or search: 400 naming it', async () => {
    const cases: [string, string | undefined, RegExp][] = [
      ['count=maybe', 'query.count', /^query parameter count must be empty, 1, true, 0 or false/],
      ['count=1&count=1', 'query.count', /^query parameter count /],
      [`count=1&q=${encodeURIComponent('DeviceID.ProductClass = ')}`, 'query.q', /^q: .*column/],
    ];
    for (const [query, field, message] of cases) {
      const r = await t.nbi(`/devices?${query}`);
      const body = (await r.json()) as { error: string; code: string; field?: string };
      assert.equal(r.status, 400, query);
      assert.equal(body.code, 'ACS_ERR_BAD_REQUEST');
      assert.equal(body.field, field, query);
      assert.match(body.error, message, query);
    }
  });
});
