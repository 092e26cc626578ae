/**
 * GET /devices as a search (issue 10 §1): a precondition (`q`), GenieACS's
 * JSON query (`query`), last-Inform bounds, a sort, a projection of
 * parameters, pages by cursor; DELETE /devices/:id. Over HTTP against the real server and MariaDB.
 */
import { strict as assert } from 'node:assert';
import { fromGenieacsQuery } from '../../src/nbi/genieacs-query';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newDeviceId, pv, session } from '../helpers/db';

interface Listed {
  deviceKey: string;
  productClass: string;
  softwareVersion: string | null;
  lastInform: number | null;
  parameters?: Record<string, { value: string | null; type: string | null }>;
}

const DAY = 86_400_000;
const NOW = Date.now();

describe('REST API: device search, projection, cursor, delete', function () {
  this.timeout(60_000);
  let t: TestAcs;
  const keys: Record<string, string> = {};

  /** Five devices: two product classes, software versions 1.9 / 1.10 / 2.0, tags, an SSID, last informs 0 to 4 days ago (a and b with 1 BOOT, e with 0 BOOTSTRAP too); two with X_Partial. */
  before(async () => {
    t = await startTestAcs('nbi_devices');
    const specs = [
      { name: 'a', pc: 'XX230v', sw: '1.9', ssid: 'home-1', tags: ['vip'], age: 0, events: ['1 BOOT'] },
      { name: 'b', pc: 'XX230v', sw: '1.10', ssid: 'guest', tags: [], age: 1, partial: 'y', events: ['1 BOOT'] },
      { name: 'c', pc: 'XX230v', sw: '2.0', ssid: 'home-2', tags: ['vip', 'lab'], age: 2 },
      { name: 'd', pc: 'F660', sw: '1.9', ssid: 'a_b', tags: [], age: 3, partial: 'x' },
      { name: 'e', pc: 'F660', sw: '3.1', ssid: 'home-3', tags: ['lab'], age: 4, events: ['0 BOOTSTRAP', '1 BOOT'] },
    ];
    for (const s of specs) {
      const deviceId = { ...newDeviceId(`S${s.name}`), ProductClass: s.pc };
      const r = session({
        deviceId,
        time: NOW - s.age * DAY,
        events: s.events,
        params: [
          pv('Device.DeviceInfo.SoftwareVersion', s.sw),
          pv('Device.WiFi.SSID.1.SSID', s.ssid),
          pv('Device.WiFi.SSID.1.Enable', 'true', 'xsd:boolean'),
          pv('Device.ManagementServer.PeriodicInformInterval', String(300 + s.age), 'xsd:unsignedInt'),
          ...(s.partial === undefined ? [] : [pv('Device.DeviceInfo.X_Partial', s.partial)]),
        ],
      });
      await t.acs.store.commitSession(r);
      if (s.tags.length > 0) await t.acs.store.setTags(r.deviceKey, s.tags, []);
      keys[s.name] = r.deviceKey;
    }
  });
  after(async () => {
    await t?.stop();
  });

  const nameOf = (key: string): string => Object.entries(keys).find(([, k]) => k === key)?.[0] ?? key;

  async function list(query: string): Promise<{ status: number; names: string[]; body: unknown; next: string | null }> {
    const r = await t.nbi(`/devices?${query}`);
    const body = (await r.json()) as unknown;
    return { status: r.status, names: Array.isArray(body) ? (body as Listed[]).map((d) => nameOf(d.deviceKey)).filter((n) => n.length === 1) : [], body, next: r.headers.get('x-next-cursor') };
  }
  const q = (text: string) => list(`q=${encodeURIComponent(text)}`);
  const g = (query: unknown) => list(`query=${encodeURIComponent(JSON.stringify(query))}`);

  it('filters with a precondition: identity, versions, tags, wildcards', async () => {
    assert.deepEqual((await q('DeviceID.ProductClass = "XX230v" AND Tags.vip IS NOT NULL')).names, ['a', 'c']);
    assert.deepEqual((await q('Device.DeviceInfo.SoftwareVersion > "1.9"')).names, ['b', 'c', 'e'], 'version-aware: 1.10 > 1.9');
    assert.deepEqual((await q('Device.WiFi.SSID.*.SSID LIKE "home-%"')).names, ['a', 'c', 'e']);
    assert.deepEqual((await q('Device.ManagementServer.PeriodicInformInterval >= 302')).names, ['c', 'd', 'e']);
  });

  it('finds typed values by a string that coerces to them (stored text differs), and only those', async () => {
    assert.deepEqual((await q('Device.ManagementServer.PeriodicInformInterval = "0300"')).names, ['a'], 'xsd:unsignedInt 300');
    assert.deepEqual((await q('Device.ManagementServer.PeriodicInformInterval = "3.01e2"')).names, ['b']);
    assert.deepEqual((await q('Device.WiFi.SSID.1.Enable = "1"')).names, ['a', 'b', 'c', 'd', 'e'], 'xsd:boolean "true"');
    assert.deepEqual((await q('Device.ManagementServer.PeriodicInformInterval = "x300"')).names, []);
    assert.deepEqual((await q('Device.DeviceInfo.SoftwareVersion = "1.9"')).names, ['a', 'd']);
  });

  it('filters on the last Inform with LastInform, NOW() and durations, or dates (the issue\'s example in full)', async () => {
    assert.deepEqual((await q('DeviceID.ProductClass = "XX230v" AND Tags.vip IS NOT NULL AND LastInform < NOW() - 1d')).names, ['c']);
    assert.deepEqual((await q('LastInform >= NOW()-36h')).names, ['a', 'b']);
    assert.deepEqual((await q('NOT (LastInform > NOW() - 60h)')).names, ['d', 'e']);
    assert.deepEqual((await q(`LastInform < "${new Date(NOW - 2.5 * DAY).toISOString()}" OR Tags.vip`)).names, ['a', 'c', 'd', 'e']);
    assert.deepEqual((await q('LastInform IS NULL')).names, []);
    const refused = await q('LastInform < "last week"');
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /LastInform is a time/);
  });

  it('takes last-Inform bounds', async () => {
    const r = await list(`lastInformBefore=${NOW - 2 * DAY + 1}&lastInformAfter=${NOW - 3 * DAY}`);
    assert.deepEqual(r.names, ['c', 'd']);
  });

  it("answers GenieACS's JSON queries the way GenieACS would", async () => {
    assert.deepEqual((await g({ '_deviceId._ProductClass': 'XX230v', _tags: 'vip' })).names, ['a', 'c']);
    assert.deepEqual((await g({ 'Device.DeviceInfo.SoftwareVersion': { $lt: '2.0' } })).names, ['a', 'b', 'd']);
    assert.deepEqual((await g({ 'Device.DeviceInfo.SoftwareVersion._value': { $in: ['1.9', '3.1'] } })).names, ['a', 'd', 'e']);
    assert.deepEqual((await g({ 'Device.DeviceInfo.SoftwareVersion': { $nin: ['1.9', '3.1'] } })).names, ['b', 'c']);
    assert.deepEqual((await g({ $or: [{ _tags: 'lab' }, { 'Device.WiFi.SSID.1.SSID': 'guest' }] })).names, ['b', 'c', 'e']);
    assert.deepEqual((await g({ _tags: { $ne: 'vip' }, '_deviceId._ProductClass': { $ne: 'F660' } })).names, ['b']);
    assert.deepEqual((await g({ 'Device.WiFi.SSID.1.SSID': { $regex: '^home-' } })).names, ['a', 'c', 'e']);
    assert.deepEqual((await g({ 'Device.WiFi.SSID.1.SSID': { $regex: 'a_b' } })).names, ['d'], '_ is literal in a regex');
    assert.deepEqual((await g({ 'Device.X_Missing': { $exists: false }, 'Device.WiFi.SSID.1.Enable': true })).names, ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual((await g({ 'Device.ManagementServer.PeriodicInformInterval': { $not: { $gte: 302 } } })).names, ['a', 'b']);
    assert.deepEqual((await g({ _id: keys.b })).names, ['b']);
    assert.deepEqual((await g({ 'Device.DeviceInfo.SoftwareVersion': { $eq: '1.9' } })).names, ['a', 'd'], '$eq as a bare value');
    assert.deepEqual((await g({ $and: [{ _tags: 'lab' }, { 'Device.WiFi.SSID.1.SSID': { $regex: '^home-' } }] })).names, ['c', 'e']);
    assert.deepEqual((await g({ $and: [{ _tags: 'lab' }, { _tags: { $ne: 'lab' } }] })).names, [], '$and of exclusive parts');
    assert.deepEqual((await g({ _lastInform: { $gte: new Date(NOW - DAY - 1000).toISOString() } })).names, ['a', 'b']);
    assert.deepEqual((await g({})).names, ['a', 'b', 'c', 'd', 'e']);
  });

  it("answers GenieACS's regular expressions, with options, in linear time", async () => {
    assert.deepEqual((await g({ 'Device.WiFi.SSID.1.SSID': { $regex: '^home-[13]$' } })).names, ['a', 'e']);
    assert.deepEqual((await g({ 'Device.WiFi.SSID.1.SSID': { $regex: 'HOME', $options: 'i' } })).names, ['a', 'c', 'e']);
    assert.deepEqual((await g({ 'Device.WiFi.SSID.1.SSID': { $regex: '^(g|a)' } })).names, ['b', 'd']);
    assert.deepEqual((await g({ 'Device.WiFi.SSID.1.SSID': { $not: { $regex: '^home' } } })).names, ['b', 'd']);
    assert.deepEqual((await g({ _id: { $regex: `^${keys.c.slice(0, -1)}.$` } })).names, ['c'], 'GenieACS LIKE as a regex: . for _');
    assert.deepEqual((await g({ 'Device.WiFi.SSID.1.SSID': { $regex: '^(h|ho|hom)*$' } })).names, [], 'a pattern that backtracks runs in linear time');
    assert.deepEqual((await q('Device.WiFi.SSID.*.SSID MATCHES "(?i)^HOME-[12]$"')).names, ['a', 'c'], 'the same in our language');
  });

  it("answers _lastInform, _registered, _lastBoot and _lastBootstrap anywhere in a query", async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    assert.deepEqual((await g({ $or: [{ _lastInform: { $lt: NOW - 3.5 * DAY } }, { _tags: 'vip' }] })).names, ['a', 'c', 'e']);
    assert.deepEqual((await g({ _registered: { $lte: iso(NOW - 2 * DAY) } })).names, ['c', 'd', 'e']);
    assert.deepEqual((await g({ _registered: NOW - 3 * DAY })).names, ['d'], 'epoch ms, equal');
    assert.deepEqual((await g({ _lastBoot: { $gt: iso(NOW - 1.5 * DAY) } })).names, ['a', 'b'], 'the 1 BOOT Informs of a and b');
    assert.deepEqual((await g({ _lastBootstrap: { $exists: true } })).names, ['e']);
    assert.deepEqual((await g({ _lastBootstrap: { $ne: NOW - 4 * DAY } })).names, ['a', 'b', 'c', 'd'], '$ne matches the devices without one');
    assert.deepEqual((await q('Registered < NOW() - 36h AND LastBoot IS NULL')).names, ['c', 'd'], 'the same in our language');
  });

  it('refuses bad searches with 400 naming the part at fault', async () => {
    const cases: [string, RegExp][] = [
      [`q=${encodeURIComponent('DeviceID.ProductClass = ')}`, /^q: .*column/],
      [`query=${encodeURIComponent('{"a":')}`, /query is not JSON/],
      [`query=${encodeURIComponent('{"Device.X": {"$where": "1"}}')}`, /query Device.X: unknown operator \$where/],
      [`query=${encodeURIComponent('{"Device.X": {"$regex": "(a)\\\\1"}}')}`, /query Device.X: \$regex "\(a\)\\\\1": backreferences, lookaround and counted repetitions over 16/],
      [`query=${encodeURIComponent('{"Device.X": {"$regex": "abc", "$options": "g"}}')}`, /query Device.X: \$options "g": the options are i, m, s and x/],
      [`query=${encodeURIComponent('{"Device.X": {"$regex": "a("}}')}`, /query Device.X: \$regex "a\(": .*Unterminated group/],
      [`query=${encodeURIComponent('{"$or": [{"_lastBoot": {"$regex": "x"}}]}')}`, /query _lastBoot: \$regex does not apply to a time/],
      [`query=${encodeURIComponent('{"_registered": "last week"}')}`, /query _registered: "last week" is not a date/],
      [`query=${encodeURIComponent('{"foo": 1}')}`, /query foo: is not a parameter path/],
      [`query=${encodeURIComponent('{}')}&q=TRUE`, /not both/],
      ['offset=2', /offset is not supported: page with \?cursor=/],
      ['cursor=-1', /cursor: "-1" is not a cursor of the unsorted list/],
      ['lastInformBefore=yesterday', /lastInformBefore must be milliseconds since the epoch or an ISO 8601 date/],
      ['projection=Device.WiFi..SSID', /projection: "Device.WiFi..SSID" is not a parameter or object path/],
    ];
    for (const [query, message] of cases) {
      const r = await list(query);
      assert.equal(r.status, 400, query);
      assert.match(String((r.body as { error: string }).error), message, query);
    }
  });

  it('pages with a cursor: every device once, in order, then no cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = '0';
    let pages = 0;
    while (cursor !== null) {
      const r = await list(`limit=2&cursor=${cursor}`);
      assert.ok(r.names.length <= 2);
      seen.push(...r.names);
      cursor = r.next;
      pages++;
    }
    assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(pages, 3);
    const filtered = await list(`limit=1&q=${encodeURIComponent('Tags.lab')}`);
    assert.deepEqual(filtered.names, ['c']);
    assert.deepEqual((await list(`limit=1&q=${encodeURIComponent('Tags.lab')}&cursor=${filtered.next}`)).names, ['e']);
  });

  /** Every page of a list, following X-Next-Cursor: the names in order, and how many pages. */
  async function allPages(query: string, limit: number): Promise<{ names: string[]; pages: number }> {
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await list(`${query}&limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.names.length <= limit);
      names.push(...r.names);
      cursor = r.next;
      pages++;
    } while (cursor !== null && pages < 20);
    return { names, pages };
  }
  const sorted = (sort: string, limit = 100) => allPages(`sort=${encodeURIComponent(sort)}`, limit).then((r) => r.names);

  it('sorts by last Inform, registration, identity, either way, in our spelling and GenieACS\'s', async () => {
    assert.deepEqual(await sorted('-LastInform'), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(await sorted('LastInform'), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(await sorted('{"_lastInform":-1}'), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(await sorted('Registered'), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(await sorted('{"_registered":1}'), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(await sorted('-DeviceID.SerialNumber'), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(await sorted('{"_deviceId._SerialNumber":1}'), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(await sorted('{"_id":-1}'), ['c', 'b', 'a', 'e', 'd'], 'the device key starts OUI-ProductClass-');
    assert.deepEqual(await sorted('DeviceID.ProductClass,-LastInform'), ['d', 'e', 'a', 'b', 'c']);
    assert.deepEqual(await sorted('{"_deviceId._ProductClass":-1,"_lastInform":1}'), ['c', 'b', 'a', 'e', 'd']);
  });

  it('pages a sorted list with its cursor: every device once, ties broken by id, NULL keys included', async () => {
    assert.deepEqual(await allPages(`sort=${encodeURIComponent('DeviceID.ProductClass,-LastInform')}`, 2), { names: ['d', 'e', 'a', 'b', 'c'], pages: 3 });
    assert.deepEqual(await allPages('sort=DeviceID.ProductClass', 1), { names: ['d', 'e', 'a', 'b', 'c'], pages: 6 }, 'ties in id order (a full last page has a cursor: one empty page follows)');
    assert.deepEqual(await allPages('sort=-DeviceID.ProductClass', 1), { names: ['c', 'b', 'a', 'e', 'd'], pages: 6 }, 'ties in id order, reversed');
    // Parameter values compare as text: "1.10" < "1.9".
    assert.deepEqual(await allPages('sort=Device.DeviceInfo.SoftwareVersion', 2), { names: ['b', 'a', 'd', 'c', 'e'], pages: 3 });
    assert.deepEqual(await allPages(`sort=${encodeURIComponent('{"Device.DeviceInfo.SoftwareVersion._value":-1}')}`, 2), { names: ['e', 'c', 'd', 'a', 'b'], pages: 3 });
    // No device has it: every key is NULL, the id alone orders (and continues) the list.
    assert.deepEqual(await allPages('sort=Device.X_Missing', 2), { names: ['a', 'b', 'c', 'd', 'e'], pages: 3 });
    assert.deepEqual(await allPages('sort=-Device.X_Missing', 2), { names: ['e', 'd', 'c', 'b', 'a'], pages: 3 });
    // Devices without the parameter come last, either way (GenieACS puts them first ascending); pages cross over.
    assert.deepEqual(await allPages('sort=Device.DeviceInfo.X_Partial', 2), { names: ['d', 'b', 'a', 'c', 'e'], pages: 3 });
    assert.deepEqual(await allPages('sort=-Device.DeviceInfo.X_Partial', 3), { names: ['b', 'd', 'e', 'c', 'a'], pages: 2 });
    assert.deepEqual(await allPages(`sort=${encodeURIComponent('Device.DeviceInfo.X_Partial,-LastInform')}&q=${encodeURIComponent('NOT Tags.vip')}`, 1), { names: ['d', 'b', 'e'], pages: 4 });
    assert.deepEqual(await allPages(`sort=-LastInform&q=${encodeURIComponent('Tags.lab')}`, 1), { names: ['c', 'e'], pages: 3 }, 'with a search');
    const first = await list('sort=-LastInform&limit=2');
    assert.match(String(first.next), /^[A-Za-z0-9_-]+$/, 'an opaque base64url cursor');
    assert.deepEqual((await list(`limit=2&cursor=2`)).names.length, 2, 'numeric cursors still page the unsorted list');
  });

  it('refuses a bad sort or a cursor of another sort with 400 naming it', async () => {
    const cursor = (await list('sort=-LastInform&limit=1')).next as string;
    const cases: [string, RegExp][] = [
      ['sort=Foo', /sort: unknown field "Foo"/],
      [`sort=${encodeURIComponent('{"_lastInform":2}')}`, /sort: _lastInform: the direction is 1 or -1, not 2/],
      [`sort=${encodeURIComponent('{"_tags":1}')}`, /sort: _tags: a device has a set of tags/],
      [`sort=${encodeURIComponent('{"LastInform":1}')}`, /sort: unknown field "LastInform"/],
      [`sort=${encodeURIComponent('{"_lastInform":')}`, /sort: not JSON/],
      [`sort=${encodeURIComponent('[1]')}`, /sort: unknown field "\[1\]"/],
      ['sort=Device.WiFi.SSID.*.SSID', /sort: unknown field "Device.WiFi.SSID.\*.SSID"/],
      ['sort=LastInform,-LastInform', /sort: LastInform is given twice/],
      ['sort=LastInform&sort=Registered', /query parameter sort must be given once/],
      [`sort=LastInform&cursor=${cursor}`, /cursor: it belongs to sort=-LastInform, not sort=LastInform/],
      [`cursor=${cursor}`, /cursor: .* is not a cursor of the unsorted list/],
      ['sort=-LastInform&cursor=42', /cursor: it belongs to the unsorted list, not sort=-LastInform/],
      ['sort=-LastInform&cursor=%25%25', /cursor: not a cursor of a sorted list/],
      [`sort=-LastInform&cursor=${Buffer.from(JSON.stringify({ v: 2, s: '-LastInform', k: [{}], id: 1 })).toString('base64url')}`, /cursor: damaged/],
      [`sort=-LastInform&cursor=${Buffer.from(JSON.stringify({ s: '-LastInform', k: [1], id: 1 })).toString('base64url')}`, /cursor: made by an older version of the ACS; start again from the first page/],
    ];
    for (const [query, message] of cases) {
      const r = await list(query);
      assert.equal(r.status, 400, query);
      assert.match(String((r.body as { error: string }).error), message, query);
    }
  });

  it('projects the parameters asked for, objects by prefix and instances by *', async () => {
    const r = await list(`q=${encodeURIComponent('DeviceID.ProductClass = "F660"')}&projection=Device.DeviceInfo.SoftwareVersion,Device.WiFi.SSID.*.SSID,Device.ManagementServer.`);
    const [d] = r.body as Listed[];
    assert.equal(nameOf(d.deviceKey), 'd');
    assert.deepEqual(d.parameters, {
      'Device.DeviceInfo.SoftwareVersion': { value: '1.9', type: 'xsd:string' },
      'Device.ManagementServer.PeriodicInformInterval': { value: '303', type: 'xsd:unsignedInt' },
      'Device.WiFi.SSID.1.SSID': { value: 'a_b', type: 'xsd:string' },
    });
    const plain = (await list('limit=1')).body as Listed[];
    assert.equal(plain[0].parameters, undefined, 'no projection, no parameters');
  });

  it('tags one device, and every device a search matches (how many matched and changed)', async () => {
    const dev = encodeURIComponent(keys.b);
    assert.equal((await t.nbi(`/devices/${dev}/tags/promo`, { method: 'POST' })).status, 204);
    assert.deepEqual(await t.acs.store.getTags(keys.b), ['promo']);
    const bulk = await t.nbi(`/tags/promo?q=${encodeURIComponent('DeviceID.ProductClass = "XX230v"')}`, { method: 'POST' });
    assert.deepEqual(await bulk.json(), { matched: 3, changed: 2 }, 'b had it already');
    assert.deepEqual((await q('Tags.promo')).names, ['a', 'b', 'c']);
    const gone = await t.nbi(`/tags/promo?query=${encodeURIComponent(JSON.stringify({ _tags: 'vip' }))}`, { method: 'DELETE' });
    assert.deepEqual(await gone.json(), { matched: 2, changed: 2 });
    assert.deepEqual((await q('Tags.promo')).names, ['b']);
    assert.equal((await t.nbi(`/devices/${dev}/tags/promo`, { method: 'DELETE' })).status, 204);
    assert.deepEqual((await q('Tags.promo')).names, []);
    const unfiltered = await t.nbi('/tags/promo', { method: 'POST' });
    assert.equal(unfiltered.status, 400);
    assert.match(((await unfiltered.json()) as { error: string }).error, /needs q= or query=/);
    const long = await t.nbi(`/devices/${dev}/tags/${'x'.repeat(256)}`, { method: 'POST' });
    assert.equal(long.status, 400);
    assert.deepEqual((await q('Tags.promo')).names, [], 'nothing tagged by the refused requests');
  });

  it('sets and clears the CPE credentials a device must present; bad ones are refused', async () => {
    const dev = encodeURIComponent(keys.c);
    const put = (body: unknown) => t.nbi(`/devices/${dev}/cpe-credentials`, { method: 'PUT', body: JSON.stringify(body) });
    assert.equal((await put({ username: 'cpe-c', password: 's3cret' })).status, 204);
    assert.deepEqual(await t.acs.store.getCpeCredentials(keys.c), { username: 'cpe-c', password: 's3cret' });
    for (const bad of [{ username: '', password: 'x' }, { username: 'u' }, { username: 'u', password: 'p'.repeat(256) }]) {
      const r = await put(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
    }
    assert.deepEqual(await t.acs.store.getCpeCredentials(keys.c), { username: 'cpe-c', password: 's3cret' }, 'kept after the refusals');
    assert.equal((await t.nbi(`/devices/${dev}/cpe-credentials`, { method: 'DELETE' })).status, 204);
    assert.equal(await t.acs.store.getCpeCredentials(keys.c), null);
  });

  it('deletes a device and what is kept about it; 404 for one that is not there', async () => {
    const key = keys.e;
    assert.equal((await t.nbi(`/devices/${encodeURIComponent(key)}`, { method: 'DELETE' })).status, 204);
    assert.equal((await t.nbi(`/devices/${encodeURIComponent(key)}`)).status, 404);
    assert.deepEqual(await t.acs.store.getParameters(key, 'Device.DeviceInfo.SoftwareVersion'), []);
    assert.deepEqual(await t.acs.store.getTags(key), []);
    assert.deepEqual((await q('Tags.lab')).names, ['c']);
    const again = await t.nbi(`/devices/${encodeURIComponent(key)}`, { method: 'DELETE' });
    assert.equal(again.status, 404);
  });
});

describe('GenieACS query translation', () => {
  it('escapes what the precondition language would read otherwise', () => {
    assert.equal(fromGenieacsQuery('{"Device.X": "a\\"b\\\\c"}').filter, 'Device.X = "a\\"b\\\\c"');
    assert.equal(fromGenieacsQuery('{"Device.X": {"$regex": "^50%_off\\\\.$"}}').filter, 'Device.X LIKE "50\\\\%\\\\_off."');
    assert.deepEqual(fromGenieacsQuery('{"_lastInform": {"$lt": 1000, "$gte": "1970-01-01T00:00:00.010Z"}}'), { filter: '(LastInform < 1000 AND LastInform >= 10)' });
    assert.equal(fromGenieacsQuery('{"Device.X": {"$regex": "^a\\"b", "$options": "i"}}').filter, 'Device.X MATCHES "(?i)^a\\"b"');
  });
});
