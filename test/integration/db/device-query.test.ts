/**
 * Device search over the real schema (MariaDB and SQLite): every query's
 * answer is checked twice, against hand-picked expectations and against the
 * presets' evaluator run over every device's facts (the oracle), so the SQL
 * pre-filter can never drop a device the language says matches.
 */
import assert from 'node:assert/strict';
import { compileDeviceQuery, deviceMatches, devicesMatching, findDevices, queryDevicePage, streamDevices, type DeviceQuery } from '../../../src/db/device-query';
import { compile, evaluate } from '../../../src/presets/expression';
import { lookupFrom, type DeviceFacts } from '../../../src/presets/lookup';
import type { DeviceStore } from '../../../src/db/types';
import type { XsdType } from '../../../src/cwmp/soap/types';
import { describeEachDriver } from '../../helpers/db';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

interface Fixture {
  key: string;
  manufacturer: string;
  productClass: string;
  lastInform: number | null;
  registered: number | null;
  lastBoot: number | null;
  lastBootstrap: number | null;
  params: { path: string; value: string | null; type: string | null }[];
  tags: string[];
}

const VERSIONS = ['1.9', '1.10', '2.0.3', 'V1.2b', null];
const INTERVALS: [string, string][] = [['300', 'xsd:unsignedInt'], ['0600', 'xsd:unsignedInt'], ['3600', 'xsd:unsignedInt'], ['600', 'xsd:string']];

function fixture(i: number): Fixture {
  const params: Fixture['params'] = [];
  const add = (path: string, value: string | null, type: string | null = 'xsd:string') => params.push({ path, value, type });
  const version = VERSIONS[i % VERSIONS.length];
  if (version !== null) add('Device.DeviceInfo.SoftwareVersion', version);
  if (i % 6 !== 5) add('Device.ManagementServer.PeriodicInformInterval', ...INTERVALS[i % INTERVALS.length]);
  if (i % 3 !== 2) {
    add('Device.WiFi.SSID.1.SSID', i % 3 === 0 ? 'guest' : `home-${i}`);
    add('Device.WiFi.SSID.1.Enable', ['1', '0', 'true', 'false'][i % 4], 'xsd:boolean');
  }
  if (i % 4 === 1) add('Device.WiFi.SSID.2.SSID', `home-${i}-5g`);
  if (i % 7 === 0) add('Device.X.Y', null, null); // a leaf whose value was never read
  if (i % 7 === 1) add('Device.X.Y', 'set');
  if (i === 10) add('Device.WiFi.SSID.3.SSID', 'a_b');
  if (i === 11) add('Device.WiFi.SSID.3.SSID', 'axb');
  if (i === 12) add('Device.A.Z', 'z');
  if (i === 13) add('Device.A.B.Z', 'z');
  // A NUL a CPE sent (SQLite's LIKE stops at it), and a character of two UTF-16 units across the value index's 64 characters.
  if (i === 14) add('Device.X.N', 'x\u0000abc');
  if (i === 15) add('Device.X.E', `${'a'.repeat(63)}\u{1F600}zz`);
  const tags = [...(i % 4 === 0 ? ['lab'] : []), ...(i % 5 === 0 ? ['canary_1'] : [])];
  return {
    key: `00D09E-${i % 2 ? 'HG8245' : 'F660'}-SN${String(i).padStart(3, '0')}`,
    manufacturer: ['Acme', 'Zyx', 'acme'][i % 3],
    productClass: i % 2 ? 'HG8245' : 'F660',
    lastInform: i === 35 ? null : T0 + i * MIN,
    registered: i === 35 ? null : T0 - i * MIN,
    lastBoot: i % 3 === 0 ? T0 + i * MIN : null,
    lastBootstrap: i % 9 === 0 ? T0 : null,
    params,
    tags,
  };
}

const FIXTURES = Array.from({ length: 36 }, (_, i) => fixture(i));

async function insertFixtures(store: DeviceStore): Promise<void> {
  await store.sql.transaction(async (db) => {
    for (const f of FIXTURES) {
      const sn = f.key.split('-')[2];
      const { insertId } = await db.run(
        'INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number, last_inform, first_inform, last_boot, last_bootstrap) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [f.key, f.manufacturer, '00D09E', f.productClass, sn, f.lastInform, f.registered, f.lastBoot, f.lastBootstrap],
      );
      for (const p of f.params) {
        await db.run("INSERT INTO device_parameters (device_id, path, kind, value, type) VALUES (?, ?, 'leaf', ?, ?)", [insertId, p.path, p.value, p.type]);
      }
      for (const t of f.tags) await db.run('INSERT INTO device_tags (device_id, tag) VALUES (?, ?)', [insertId, t]);
    }
  });
}

function factsOf(f: Fixture): DeviceFacts {
  const [OUI, ProductClass, SerialNumber] = f.key.split('-');
  return {
    deviceId: { ID: f.key, Manufacturer: f.manufacturer, OUI, ProductClass, SerialNumber },
    parameters: f.params.map((p) => ({ ...p, kind: 'leaf' as const, type: p.type as XsdType | null })),
    tags: f.tags,
    lastInform: f.lastInform,
    registered: f.registered,
    lastBoot: f.lastBoot,
    lastBootstrap: f.lastBootstrap,
  };
}

/** What the presets' evaluator says, device by device. */
function oracle(filter: string): string[] {
  const r = compile(filter);
  if (!r.ok) throw new Error(r.message);
  return FIXTURES.filter((f) => evaluate(r.expr, lookupFrom(factsOf(f)))).map((f) => f.key);
}

const idx = (...ns: number[]) => ns.map((n) => FIXTURES[n].key).sort();
const range = (pred: (i: number) => boolean) => idx(...FIXTURES.map((_, i) => i).filter(pred));

/** filter → the indexes of the devices it must match (checked against the oracle too). */
const CASES: [string, string[]][] = [
  ['DeviceID.ProductClass = "HG8245"', range((i) => i % 2 === 1)],
  ['DeviceID.Manufacturer = "Acme"', range((i) => i % 3 === 0)], // case-sensitive: not "acme"
  ['DeviceID.SerialNumber LIKE "SN00_"', range((i) => i < 10)],
  ['Tags.lab', range((i) => i % 4 === 0)],
  ['NOT Tags.lab', range((i) => i % 4 !== 0)],
  ['Tags.lab AND NOT Tags.canary_1', range((i) => i % 4 === 0 && i % 5 !== 0)],
  ['Tags.canary_1 IS NULL', range((i) => i % 5 !== 0)],
  ['Tags.canary_1 OR DeviceID.ProductClass = "F660"', range((i) => i % 5 === 0 || i % 2 === 0)],
  ['(Tags.lab OR Tags.canary_1) AND NOT DeviceID.ProductClass = "F660"', range((i) => (i % 4 === 0 || i % 5 === 0) && i % 2 === 1)],
  // xsd:unsignedInt "0600" is the number 600; the untyped "600" spells 600 too
  ['Device.ManagementServer.PeriodicInformInterval = 600', range((i) => i % 6 !== 5 && (i % 4 === 1 || i % 4 === 3))],
  ['Device.ManagementServer.PeriodicInformInterval > 500', range((i) => i % 6 !== 5 && i % 4 !== 0)],
  ['Device.ManagementServer.PeriodicInformInterval = "600"', range((i) => i % 6 !== 5 && (i % 4 === 1 || i % 4 === 3))],
  // version-aware: "1.10" > "1.9", "V1.2b" < "1.9"
  ['Device.DeviceInfo.SoftwareVersion > "1.9"', range((i) => i % 5 === 1 || i % 5 === 2)],
  ['Device.DeviceInfo.SoftwareVersion <= "1.9"', range((i) => i % 5 === 0 || i % 5 === 3)],
  // missing parameter: NULL, so neither the comparison nor its negation holds
  ['NOT (Device.DeviceInfo.SoftwareVersion = "1.9")', range((i) => i % 5 !== 0 && i % 5 !== 4)],
  ['Device.WiFi.SSID.*.SSID = "guest"', range((i) => i % 3 === 0)],
  // some SSID and none of them "guest"; devices without any SSID: NULL
  ['NOT (Device.WiFi.SSID.*.SSID = "guest")', range((i) => i % 3 === 1 || (i % 3 === 2 && (i % 4 === 1 || i === 11)))],
  ['Device.WiFi.SSID.*.SSID LIKE "home-1%"', idx(1, 10, 13, 16, 17, 19)],
  ['Device.WiFi.SSID.*.SSID LIKE "a\\\\_b"', idx(10)],
  ['Device.WiFi.SSID.*.SSID LIKE "a_b"', idx(10, 11)],
  ['Device.WiFi.SSID.1.Enable', range((i) => i % 3 !== 2 && (i % 4 === 0 || i % 4 === 2))],
  ['Device.WiFi.SSID.1.Enable = TRUE', range((i) => i % 3 !== 2 && (i % 4 === 0 || i % 4 === 2))],
  ['Device.X.Y IS NULL', range((i) => i % 7 !== 1)],
  ['Device.X.Y IS NOT NULL', range((i) => i % 7 === 1)],
  ['NOT (Device.X.Y IS NULL)', range((i) => i % 7 === 1)],
  ['Device.*.Z = "z"', idx(12)],
  // the last Inform: a column, compared exactly in SQL (device 35 never informed: NULL)
  [`LastInform < "${new Date(T0 + 10 * MIN).toISOString()}"`, range((i) => i < 10)],
  [`NOT (LastInform < ${T0 + 10 * MIN})`, range((i) => i >= 10 && i !== 35)],
  ['LastInform IS NULL', idx(35)],
  ['LastInform IS NOT NULL AND LastInform > NOW()', []],
  ['LastInform < NOW() - 1d AND Tags.lab', range((i) => i % 4 === 0)],
  ['NOT (LastInform >= NOW() - 1d) OR LastInform IS NULL', range(() => true)],
  // the other times: columns too (Registered of device 35, LastBoot of i % 3 != 0, LastBootstrap of i % 9 != 0: NULL)
  [`Registered < ${T0 - 30 * MIN}`, range((i) => i > 30 && i !== 35)],
  [`NOT (Registered >= ${T0 - 30 * MIN})`, range((i) => i > 30 && i !== 35)],
  ['LastBoot IS NOT NULL AND LastBootstrap IS NULL', range((i) => i % 3 === 0 && i % 9 !== 0)],
  [`${T0 + 20 * MIN} < LastBoot`, range((i) => i % 3 === 0 && i > 20)],
  ['LastBoot > Registered', range((i) => i % 3 === 0 && i > 0)],
  ['NOT (LastBoot > Registered)', idx(0)],
  ['LastBootstrap = Registered OR Tags.canary_1', range((i) => i === 0 || i % 5 === 0)],
  // MATCHES: only a value is needed in SQL; the evaluator decides, NULL neither way
  ['Device.WiFi.SSID.*.SSID MATCHES "^home-1[0-3]"', idx(10, 13)],
  ['Device.WiFi.SSID.*.SSID MATCHES "(?i)^GUEST$"', range((i) => i % 3 === 0)],
  ['NOT (Device.WiFi.SSID.1.SSID MATCHES "^home")', range((i) => i % 3 === 0)],
  ['Device.WiFi.SSID.1.SSID NOT MATCHES "^g" AND DeviceID.ProductClass MATCHES "^HG"', range((i) => i % 3 === 1 && i % 2 === 1)],
  ['DeviceID.SerialNumber MATCHES "^SN0(0[0-9]|1[01])$"', range((i) => i < 12)],
  ['NOT (Device.X.Y MATCHES "")', []],
  // MATCHES and LIKE as the text their matches need: a prefix by the value index, texts by LIKE, widened for typed values
  ['Device.DeviceInfo.SoftwareVersion MATCHES "^V1[.]"', range((i) => i % 5 === 3)],
  ['Device.DeviceInfo.SoftwareVersion LIKE "V1%"', range((i) => i % 5 === 3)],
  ['Device.DeviceInfo.SoftwareVersion MATCHES "^1[.]1"', range((i) => i % 5 === 1)],
  ['Device.DeviceInfo.SoftwareVersion MATCHES "^1[.].*0$"', range((i) => i % 5 === 1)],
  ['Device.DeviceInfo.SoftwareVersion MATCHES "^9[.]"', []],
  ['Device.WiFi.SSID.1.Enable MATCHES "^tr"', range((i) => i % 3 !== 2 && i % 2 === 0)],
  ['Device.ManagementServer.PeriodicInformInterval MATCHES "^600$"', range((i) => i % 6 !== 5 && i % 2 === 1)],
  ['Device.ManagementServer.PeriodicInformInterval LIKE "6%"', range((i) => i % 6 !== 5 && i % 2 === 1)],
  ['DeviceID.Manufacturer MATCHES "(?i)^ACME$"', range((i) => i % 3 !== 1)],
  ['Device.WiFi.SSID.*.SSID MATCHES "(?i)^HOME-1[0-9]-5G$"', idx(13, 17)],
  ['Device.WiFi.SSID.*.SSID MATCHES "^(home)-[0-9]{2}$"', range((i) => i % 3 === 1 && i >= 10)],
  ['Device.WiFi.SSID.*.SSID MATCHES "a_b|axb"', idx(10, 11)],
  ['Device.WiFi.SSID.*.SSID MATCHES "a_b"', idx(10)],
  ['DeviceID.SerialNumber MATCHES "^SN0[0-9]*5$"', idx(5, 15, 25, 35)],
  ['DeviceID.ID MATCHES "(?i)^00d09e-hg"', range((i) => i % 2 === 1)],
  ['Device.X.N MATCHES "abc"', idx(14)],
  ['Device.X.N LIKE "%abc"', idx(14)],
  ['Device.X.N MATCHES "^x.abc"', idx(14)],
  [`Device.X.E LIKE "${'a'.repeat(63)}\u{1F600}%"`, idx(15)],
  [`Device.X.E MATCHES "^${'a'.repeat(63)}\u{1F600}z"`, idx(15)],
  ['TRUE', range(() => true)],
  ['FALSE OR NULL', []],
];

describeEachDriver('device query', 'acs_test_device_query', (ctx) => {
  before(() => insertFixtures(ctx.store));

  for (const [filter, expected] of CASES) {
    it(`${filter}`, async () => {
      const found = (await findDevices(ctx.store.sql, { filter })).sort();
      assert.deepEqual(found, oracle(filter).sort(), 'same as the presets evaluator');
      assert.deepEqual(found, expected);
    });
  }

  it('tells which of a list of devices match, in one call (a webhook filter over a read): every case, as the search does', async () => {
    // Every other device, one asked twice, and keys of no device.
    const asked = [...FIXTURES.filter((_, i) => i % 2 === 0).map((f) => f.key), FIXTURES[0].key, '00D09E-F660-NOPE', 'missing'];
    for (const [filter, expected] of CASES) {
      const q = compileDeviceQuery({ filter });
      assert.ok(q.ok);
      const found = await devicesMatching(ctx.store.sql, q.compiled, asked);
      assert.deepEqual([...found].sort(), expected.filter((k) => asked.includes(k)), filter);
      const one = FIXTURES[1].key;
      assert.equal(await deviceMatches(ctx.store.sql, q.compiled, one), expected.includes(one), `${filter}: one device`);
    }
    const all = compileDeviceQuery({ filter: 'Tags.lab' });
    assert.ok(all.ok);
    assert.equal((await devicesMatching(ctx.store.sql, all.compiled, [])).size, 0, 'no device asked');
  });

  it('bounds the last Inform; never-seen devices (NULL) match neither bound', async () => {
    const before = await findDevices(ctx.store.sql, { lastInformBefore: T0 + 10 * MIN });
    assert.deepEqual(before.sort(), range((i) => i < 10));
    const after = await findDevices(ctx.store.sql, { lastInformAfter: T0 + 30 * MIN, filter: 'Tags.lab' });
    assert.deepEqual(after.sort(), idx(32));
  });

  it('pages by device id without OFFSET: small pages together give every match once', async () => {
    const r = compileDeviceQuery({ filter: 'Tags.lab OR Device.WiFi.SSID.*.SSID = "guest"' });
    assert.ok(r.ok);
    const pages: string[][] = [];
    for await (const page of streamDevices(ctx.store.sql, r.compiled, 3)) {
      assert.ok(page.length <= 3);
      pages.push(page);
    }
    const all = pages.flat();
    assert.equal(new Set(all).size, all.length, 'no duplicates');
    assert.deepEqual([...all].sort(), oracle('Tags.lab OR Device.WiFi.SSID.*.SSID = "guest"').sort());
    assert.ok(pages.length >= 5);
    const first = await queryDevicePage(ctx.store.sql, r.compiled, { limit: 1000 });
    assert.equal(first.next, null, 'a short page is the last');
  });

  it('refuses a page whose evaluation takes longer than its budget (a costly MATCHES), as a bad request', async () => {
    const r = compileDeviceQuery({ filter: 'Device.WiFi.SSID.*.SSID MATCHES "home"' });
    assert.ok(r.ok);
    await assert.rejects(queryDevicePage(ctx.store.sql, r.compiled, { limit: 100, budgetMs: 0 }), (e: Error & { code?: string }) => e.code === 'ACS_ERR_BAD_REQUEST' && /the search took over 0 ms on a page of \d+ devices: simplify its regular expressions/.test(e.message));
    assert.deepEqual((await queryDevicePage(ctx.store.sql, r.compiled, { limit: 100 })).devices.sort(), oracle('Device.WiFi.SSID.*.SSID MATCHES "home"').sort(), 'within the default budget');
  });

  it('refuses bad queries, naming the field and the column', () => {
    const cases: [DeviceQuery, string, RegExp][] = [
      [{ filter: 'DeviceID.ProductClass == "x"' }, 'filter', /'==' is not an operator.*column 23/],
      [{ filter: 'Device.X = ' }, 'filter', /column 12/],
      [{ filter: 'VirtualParameters.foo = 1' }, 'filter', /virtual parameters .* cannot be searched/],
      [{ filter: 'Tags.a', lastInformBefore: -1 }, 'lastInformBefore', /epoch ms/],
      [{ lastInformAfter: 1.5 }, 'lastInformAfter', /epoch ms/],
    ];
    for (const [query, field, message] of cases) {
      const r = compileDeviceQuery(query);
      assert.equal(r.ok, false, JSON.stringify(query));
      if (!r.ok) {
        assert.equal(r.field, field);
        assert.match(r.message, message);
      }
    }
  });

  it('an empty filter matches every device', async () => {
    assert.equal((await findDevices(ctx.store.sql, { filter: '  ' })).length, FIXTURES.length);
  });
});
