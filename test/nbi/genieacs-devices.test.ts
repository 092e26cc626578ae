/**
 * The GenieACS-compatible REST API (issue 11 §2), route by route against
 * GenieACS's documented examples (docs/api-reference.rst): device documents,
 * queries, projections, sort/skip/limit, tags, faults, device deletion, and
 * who may call (Bearer, HTTP Basic). Over HTTP to the real server on its own
 * port (GENIEACS_NBI_PORT), MariaDB and Redis.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newToken } from '../helpers/api-token';
import { newDeviceId, pv, session } from '../helpers/db';
import { freePort } from '../helpers/private-services';

const NOKIA = path.resolve(__dirname, '../../../shared/samples/device-models/device-9075BC-G%2D1425G%2DA-ALCLFC265D6F-2023-03-28T160833431Z.csv');
const DAY = 86_400_000;
const NOW = Date.now();

type Doc = Record<string, unknown>;

describe('GenieACS-compatible API: devices, tags, faults, access', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let base: string;
  let fleet: Fleet;
  /** The simulated Nokia G-1425G-A: its id holds "%2D" (its product class's "-"). */
  let nokia: string;
  const keys: Record<string, string> = {};
  const ids: Record<string, ReturnType<typeof newDeviceId>> = {};

  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const call = (p: string, init: RequestInit = {}, auth = `Bearer ${t.token}`): Promise<Response> =>
    fetch(`${base}${p}`, { ...init, headers: { Authorization: auth, ...(init.headers as Record<string, string>) } });
  const json = async (p: string, init?: RequestInit): Promise<{ status: number; body: unknown }> => {
    const r = await call(p, init);
    return { status: r.status, body: await r.json() };
  };
  const devices = async (query: unknown, extra = ''): Promise<Doc[]> => {
    const r = await json(`/devices/?query=${encodeURIComponent(JSON.stringify(query))}${extra}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as Doc[];
  };
  const nameOf = (d: Doc) => Object.entries(keys).find(([, k]) => k === d._id)?.[0] ?? String(d._id);
  const names = async (query: unknown, extra = ''): Promise<string[]> => (await devices(query, extra)).map(nameOf);

  before(async () => {
    const port = await freePort();
    t = await startTestAcs('genieacs_devices', { genieacsNbiPort: port });
    base = `http://127.0.0.1:${port}`;
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(NOKIA), devices: 1, serialBase: 'GNBI' });
    await fleet.connectAll();
    nokia = deviceKeyOf(fleet.devices[0].deviceId());
    const specs = [
      { name: 'a', pc: 'BM632w', sw: '1.9', mac: '20:2B:C1:E0:06:65', tags: ['vip'], age: 0 },
      { name: 'b', pc: 'BM632w', sw: '1.10', mac: '20:2B:C1:E0:06:66', tags: [], age: 1 },
      { name: 'c', pc: 'HG8245', sw: '2.0', mac: '20:2B:C1:E0:06:67', tags: ['vip', 'lab'], age: 8 },
    ];
    for (const s of specs) {
      ids[s.name] = { ...newDeviceId(`G${s.name}`), OUI: '202BC1', ProductClass: s.pc };
      const r = session({
        deviceId: ids[s.name],
        time: NOW - s.age * DAY,
        events: ['1 BOOT'],
        params: [
          pv('InternetGatewayDevice.DeviceInfo.SoftwareVersion', s.sw),
          pv('InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.MACAddress', s.mac),
          pv('InternetGatewayDevice.ManagementServer.PeriodicInformInterval', String(300 + s.age), 'xsd:unsignedInt'),
          pv('InternetGatewayDevice.ManagementServer.PeriodicInformEnable', 'true', 'xsd:boolean'),
        ],
      });
      await t.acs.store.commitSession(r);
      if (s.tags.length > 0) await t.acs.store.setTags(r.deviceKey, s.tags, []);
      keys[s.name] = r.deviceKey;
    }
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  describe('who may call', () => {
    it('answers 401 without credentials, with a challenge naming Basic; the same tokens as Bearer or as the Basic password (any username)', async () => {
      const none = await fetch(`${base}/devices/?limit=1`);
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="acs"/);
      assert.equal((await call('/devices/?limit=1')).status, 200);
      assert.equal((await call('/devices/?limit=1', {}, basic('billing', t.token))).status, 200);
      assert.equal((await call('/devices/?limit=1', {}, basic('', t.token))).status, 200, 'an empty username is fine');
    });

    it('refuses a wrong Basic password (401), a Basic username without a password, and a read token writing (403)', async () => {
      const wrong = await call('/devices/?limit=1', {}, basic('admin', 'acs_not-a-token'));
      assert.equal(wrong.status, 401);
      assert.match(((await wrong.json()) as { error: string }).error, /unknown or revoked API token/);
      const userOnly = await call('/devices/?limit=1', {}, basic(t.token, ''));
      assert.equal(userOnly.status, 401);
      assert.match(((await userOnly.json()) as { error: string }).error, /password must be an API token/);
      const reader = await newToken(t.acs.store, 'read');
      assert.equal((await call('/devices/?limit=1', {}, basic('ro', reader))).status, 200);
      const write = await call(`/devices/${encodeURIComponent(keys.a)}/tags/nope`, { method: 'POST' }, basic('ro', reader));
      assert.equal(write.status, 403);
      assert.deepEqual(await t.acs.store.getTags(keys.a), ['vip'], 'nothing changed');
    });
  });

  describe('GET /devices/', () => {
    it('finds a device by its id (the documented example), percent-encoded id included, as a GenieACS document', async () => {
      const [doc] = await devices({ _id: nokia });
      assert.equal(doc._id, nokia);
      assert.match(nokia, /^9075BC-G%2D1425G%2DA-/);
      assert.deepEqual(doc._deviceId, { _Manufacturer: 'ALCL', _OUI: '9075BC', _ProductClass: 'G-1425G-A', _SerialNumber: fleet.devices[0].deviceId().SerialNumber });
      for (const field of ['_registered', '_lastInform', '_lastBootstrap']) assert.match(String(doc[field]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, field);
      const igd = doc.InternetGatewayDevice as Record<string, Record<string, Doc>>;
      const sw = igd.DeviceInfo.SoftwareVersion;
      assert.deepEqual({ ...sw, _timestamp: typeof sw._timestamp }, { _object: false, _value: '3FE49568IJIJ23', _type: 'xsd:string', _timestamp: 'string' });
      assert.equal(igd.DeviceInfo._object, true);
    });

    it('types _value by _type (numbers, booleans), finds by MAC address, and leaves _tags out of an untagged device', async () => {
      const [doc] = await devices({ 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.MACAddress': '20:2B:C1:E0:06:66' });
      assert.equal(nameOf(doc), 'b');
      const ms = (doc.InternetGatewayDevice as Record<string, Record<string, Doc>>).ManagementServer;
      assert.equal(ms.PeriodicInformInterval._value, 301);
      assert.equal(ms.PeriodicInformEnable._value, true);
      assert.equal(doc._tags, undefined);
      assert.deepEqual((await devices({ _id: keys.c }))[0]._tags, ['lab', 'vip']);
    });

    it('projects nested paths: a leaf, one attribute, a subtree, identity fields; _id always', async () => {
      const projection = 'InternetGatewayDevice.DeviceInfo.SoftwareVersion,InternetGatewayDevice.ManagementServer.PeriodicInformInterval._value,_deviceId._SerialNumber,_tags';
      const [doc] = await devices({ _id: keys.c }, `&projection=${projection}`);
      const sw = ((doc.InternetGatewayDevice as Record<string, Record<string, Doc>>).DeviceInfo.SoftwareVersion);
      assert.deepEqual(Object.keys(doc).sort(), ['InternetGatewayDevice', '_deviceId', '_id', '_tags']);
      assert.deepEqual(doc._deviceId, { _SerialNumber: (await t.acs.store.getDevice(keys.c))?.serialNumber });
      assert.equal(sw._value, '2.0');
      assert.deepEqual((doc.InternetGatewayDevice as Record<string, Doc>).ManagementServer, { PeriodicInformInterval: { _value: 308 } });
      const [tree] = await devices({ _id: keys.a }, '&projection=InternetGatewayDevice.ManagementServer');
      assert.deepEqual(Object.keys((tree.InternetGatewayDevice as Record<string, Doc>).ManagementServer).sort(), ['PeriodicInformEnable', 'PeriodicInformInterval', '_object']);
      const [bare] = await devices({ _id: keys.a }, '&projection=_lastInform');
      assert.deepEqual(Object.keys(bare).sort(), ['_id', '_lastInform']);
    });

    it('takes MongoDB operators: $in, $ne, $gt/$lt on parameters and _lastInform (the 7-day example), $regex prefixes, $or, _tags', async () => {
      assert.deepEqual(await names({ '_deviceId._ProductClass': { $in: ['BM632w'] } }), ['a', 'b']);
      assert.deepEqual(await names({ _tags: 'vip', '_deviceId._ProductClass': { $ne: 'BM632w' } }), ['c']);
      assert.deepEqual(await names({ 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval': { $gt: 300, $lt: 308 } }), ['b']);
      assert.deepEqual(await names({ _lastInform: { $lt: new Date(NOW - 7 * DAY).toISOString() } }), ['c']);
      assert.deepEqual(await names({ _id: { $regex: '^202BC1-HG8245-' } }), ['c']);
      assert.deepEqual(await names({ $or: [{ _tags: 'lab' }, { 'InternetGatewayDevice.DeviceInfo.SoftwareVersion._value': '1.10' }] }), ['b', 'c']);
    });

    it('sorts ({"_lastInform": -1}), skips and limits; HEAD counts in a total header', async () => {
      const ours = { '_deviceId._OUI': '202BC1' };
      assert.deepEqual(await names(ours, `&sort=${encodeURIComponent('{"_lastInform":-1}')}`), ['a', 'b', 'c']);
      assert.deepEqual(await names(ours, `&sort=${encodeURIComponent('{"_lastInform":1}')}&skip=1&limit=1`), ['b']);
      const head = await call(`/devices/?query=${encodeURIComponent(JSON.stringify(ours))}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('total'), '3');
      const sw = (dir: number) => `&sort=${encodeURIComponent(JSON.stringify({ 'InternetGatewayDevice.DeviceInfo.SoftwareVersion': dir }))}`;
      assert.deepEqual(await names(ours, sw(1)), ['b', 'a', 'c'], 'a parameter compares as text: "1.10" < "1.9"');
      assert.deepEqual(await names(ours, `${sw(-1)}&skip=1&limit=1`), ['a']);
      // Only the simulated device has it; unlike GenieACS (missing first ascending), devices without it come last either way.
      const hardware = (dir: number) => `&sort=${encodeURIComponent(JSON.stringify({ 'InternetGatewayDevice.DeviceInfo.HardwareVersion._value': dir }))}`;
      assert.deepEqual(await names({}, hardware(1)), [nokia, 'a', 'b', 'c']);
      assert.deepEqual(await names({}, hardware(-1)), [nokia, 'c', 'b', 'a']);
      assert.equal((await call('/devices?limit=2')).status, 200, '/devices without the slash too');
      assert.equal(((await (await call('/devices?limit=2')).json()) as Doc[]).length, 2);
    });

    it('refuses a bad query, operator, projection or sort with a 400 naming it', async () => {
      const bad = async (q: string, pattern: RegExp) => {
        const r = await json(`/devices/?${q}`);
        assert.equal(r.status, 400, q);
        assert.match((r.body as { error: string }).error, pattern);
      };
      await bad('query=%7Bnot json', /query is not JSON/);
      await bad(`query=${encodeURIComponent('{"_id":{"$where":"1"}}')}`, /query _id: unknown operator \$where/);
      await bad('projection=InternetGatewayDevice.Device Info', /projection: "InternetGatewayDevice.Device Info"/);
      await bad(`sort=${encodeURIComponent('{"_lastInform":2}')}`, /sort: _lastInform: the direction is 1 or -1/);
      await bad('limit=-1', /limit/);
    });
  });

  describe('tags', () => {
    it('POST and DELETE /devices/:id/tags/:tag (the "testing" example) on a percent-encoded id; 404 for an unknown device', async () => {
      const tagPath = `/devices/${encodeURIComponent(nokia)}/tags/testing`;
      assert.equal((await call(tagPath, { method: 'POST' })).status, 200);
      assert.equal((await call(tagPath, { method: 'POST' })).status, 200, 'no effect if the tag exists');
      assert.deepEqual((await devices({ _tags: 'testing' })).map((d) => d._id), [nokia]);
      assert.equal((await call(tagPath, { method: 'DELETE' })).status, 200);
      assert.deepEqual(await devices({ _tags: 'testing' }), []);
      const unknown = deviceKeyOf({ Manufacturer: 'x', OUI: '000000', ProductClass: 'None', SerialNumber: 'ghost' });
      assert.equal((await call(`/devices/${encodeURIComponent(unknown)}/tags/testing`, { method: 'POST' })).status, 404);
      assert.equal(await t.acs.store.getDevice(unknown), null, 'no bare device made for a typo');
    });
  });

  describe('faults', () => {
    it('GET /faults/?query= as GenieACS documents; DELETE /faults/<device>:<channel> clears one (404 after)', async () => {
      const time = NOW - 60_000;
      await t.acs.store.commitSession({
        ...session({ deviceId: ids.b, time: NOW - DAY }),
        channelFaults: { set: [{ channel: 'default', code: 'cwmp.9005', message: 'Invalid parameter name', script: 'wifi', retries: 2, firstTime: time, time, nextRetry: NOW + 600_000 }], cleared: [] },
      });
      const r = await json(`/faults/?query=${encodeURIComponent(JSON.stringify({ device: keys.b }))}`);
      assert.equal(r.status, 200);
      const [fault] = r.body as Doc[];
      assert.deepEqual(fault, {
        _id: `${keys.b}:default`, device: keys.b, channel: 'default', code: 'cwmp.9005', message: 'Invalid parameter name',
        detail: { script: 'wifi' }, timestamp: new Date(time).toISOString(), expiry: new Date(NOW + 600_000).toISOString(), retries: 1,
      });
      assert.deepEqual((await json(`/faults/?query=${encodeURIComponent('{"code":{"$ne":"cwmp.9005"}}')}`)).body, []);
      const byRegex = async (spec: unknown) => ((await json(`/faults/?query=${encodeURIComponent(JSON.stringify({ device: keys.b, message: spec }))}`)).body as Doc[]).length;
      assert.equal(await byRegex({ $regex: '^invalid PARAMETER', $options: 'i' }), 1, '$regex with $options on a collection');
      assert.equal(await byRegex({ $regex: '^invalid PARAMETER' }), 0);
      assert.equal(await byRegex({ $not: { $regex: 'name$' } }), 0);
      const refused = await json(`/faults/?query=${encodeURIComponent('{"message":{"$regex":"(?<=a)b"}}')}`);
      assert.equal(refused.status, 400);
      assert.match(JSON.stringify(refused.body), /query message: \$regex .*backreferences, lookaround and counted repetitions over 16/);
      for (const [query, message] of [
        ['{"nothing":{"$exists":true,"$regex":"(a)\\\\1"}}', /query nothing: \$regex .*backreferences/],
        ['{"message":{"$options":"i"}}', /query message: \$options needs \$regex/],
        ['{"message":{"$regex":"a","$options":"q"}}', /query message: \$options .*q.*: the options are i, m, s and x/],
      ] as const) {
        const bad = await json(`/faults/?query=${encodeURIComponent(query)}`);
        assert.equal(bad.status, 400, query);
        assert.match(JSON.stringify(bad.body), message, query);
      }
      const id = `/faults/${encodeURIComponent(`${keys.b}:default`)}`;
      assert.equal((await call(id, { method: 'DELETE' })).status, 200);
      assert.deepEqual(await t.acs.store.getChannelFaults(keys.b), []);
      assert.equal((await call(id, { method: 'DELETE' })).status, 404);
    });
  });

  describe('DELETE /devices/:id', () => {
    it('deletes the device (gone from queries), 404 the second time', async () => {
      const doomed = session({ deviceId: { ...newDeviceId('Gdel'), OUI: '202BC1', ProductClass: 'BM632w-0' }, time: NOW });
      await t.acs.store.commitSession(doomed);
      const p = `/devices/${encodeURIComponent(doomed.deviceKey)}`;
      assert.equal((await call(p, { method: 'DELETE' })).status, 200);
      assert.deepEqual(await devices({ _id: doomed.deviceKey }), []);
      assert.equal((await call(p, { method: 'DELETE' })).status, 404);
    });
  });
});
