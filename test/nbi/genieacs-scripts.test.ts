/**
 * The GenieACS-compatible REST API's presets, provisions, virtual
 * parameters and files (issue 11 §2), against GenieACS's documented
 * examples: scripts as the body (as curl --data sends them), presets as
 * GenieACS JSON translated to our YAML or refused with a 400 naming what
 * does not map (nothing stored), files with GenieACS's metadata headers.
 */
import { strict as assert } from 'node:assert';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { freePort } from '../helpers/private-services';

type Doc = Record<string, unknown>;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('GenieACS-compatible API: presets, provisions, virtual parameters, files', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let base: string;

  const call = (p: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${base}${p}`, { ...init, headers: { Authorization: `Bearer ${t.token}`, ...(init.headers as Record<string, string>) } });
  const put = (p: string, body: string) => call(p, { method: 'PUT', body, headers: FORM });
  const errorOf = async (r: Response): Promise<string> => ((await r.json()) as { error: string }).error;

  before(async () => {
    const port = await freePort();
    const provisionsDir = dirWith({ 'from-file.js': "log('a file');\n" });
    t = await startTestAcs('genieacs_scripts', { genieacsNbiPort: port, provisionsDir });
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => t?.stop());

  describe('provisions and virtual parameters', () => {
    it('PUT /provisions/mynewprovision with the script as the body (the documented example), listed as {_id, script}', async () => {
      const script = 'log("Provision started at " + Date.now());';
      assert.equal((await put('/provisions/mynewprovision', script)).status, 200);
      const list = (await (await call('/provisions/')).json()) as Doc[];
      assert.deepEqual(list, [{ _id: 'from-file', script: "log('a file');\n" }, { _id: 'mynewprovision', script }]);
      assert.deepEqual(await (await call('/provisions/mynewprovision')).json(), { _id: 'mynewprovision', script });
      assert.deepEqual(await (await call(`/provisions/?query=${encodeURIComponent('{"_id":"mynewprovision"}')}`)).json(), [{ _id: 'mynewprovision', script }]);
      assert.equal((await t.acs.store.sql.autocommit((db) => db.select("SELECT version FROM scripts WHERE kind = 'provision' AND name = 'mynewprovision'"))).length, 1);
    });

    it('refuses a script that does not compile (400 naming the line, nothing stored) and a name a file holds (409)', async () => {
      const bad = await put('/provisions/broken', 'declare(\n  "Device.X", {value: 1};\n');
      assert.equal(bad.status, 400);
      assert.match(await errorOf(bad), /provision broken refused, nothing stored: line 2/);
      assert.equal((await call('/provisions/broken')).status, 404);
      const clash = await put('/provisions/from-file', 'log(1);');
      assert.equal(clash.status, 409);
      assert.match(await errorOf(clash), /files win/);
    });

    it('virtual parameters under /virtual_parameters/:name; DELETE (404 the second time)', async () => {
      const script = 'const m = declare("InternetGatewayDevice.DeviceInfo.UpTime", {value: Date.now()});\nreturn {writable: false, value: [m.value[0], "xsd:unsignedInt"]};';
      assert.equal((await put('/virtual_parameters/uptime', script)).status, 200);
      assert.deepEqual(await (await call('/virtual_parameters/')).json(), [{ _id: 'uptime', script }]);
      const badName = await put('/virtual_parameters/up.time', script);
      assert.equal(badName.status, 400);
      assert.match(await errorOf(badName), /one segment of VirtualParameters/);
      assert.equal((await call('/virtual_parameters/uptime', { method: 'DELETE' })).status, 200);
      assert.equal((await call('/virtual_parameters/uptime', { method: 'DELETE' })).status, 404);
      assert.deepEqual(await (await call('/virtual_parameters/')).json(), []);
    });
  });

  describe('presets', () => {
    it('stores a GenieACS preset calling a provision as our YAML: precondition query, events, schedule, weight, channel, args', async () => {
      const preset = {
        weight: 10,
        channel: 'inform',
        precondition: '{"_tags": "test", "InternetGatewayDevice.DeviceInfo.SoftwareVersion": {"$lt": "2.0"}}',
        events: { '1 BOOT': true, '2 PERIODIC': false },
        schedule: '3600 0 2 * * *',
        configurations: [{ type: 'provision', name: 'mynewprovision', args: ['HomeNet', 5, true] }],
      };
      const res = await put('/presets/inform', JSON.stringify(preset));
      assert.equal(res.status, 200, await res.clone().text());
      const doc = (await (await call('/presets/inform')).json()) as Doc;
      assert.deepEqual(doc, {
        _id: 'inform', channel: 'inform', weight: 10, events: { '1 BOOT': true, '2 PERIODIC': false },
        precondition: '(Tags.test IS NOT NULL AND InternetGatewayDevice.DeviceInfo.SoftwareVersion < "2.0")',
        schedule: '3600 0 2 * * *',
        configurations: [{ type: 'provision', name: 'mynewprovision', args: ['HomeNet', 5, true] }],
      });
      const yaml = await (await t.nbi('/presets/inform')).text();
      assert.match(yaml, /precondition: .*Tags\.test IS NOT NULL/, 'our own API shows the stored YAML');
      assert.deepEqual(((await (await call(`/presets/?query=${encodeURIComponent('{"weight":{"$gte":10}}')}`)).json()) as Doc[]).map((p) => p._id), ['inform']);
      assert.deepEqual(((await (await call(`/presets/?query=${encodeURIComponent('{"_id":{"$regex":"^INF","$options":"i"}}')}`)).json()) as Doc[]).map((p) => p._id), ['inform']);
    });

    it('maps a precondition on the device times and a regular expression with options', async () => {
      const preset = {
        precondition: '{"_registered": {"$gte": "2026-01-01T00:00:00Z"}, "$or": [{"_lastBoot": {"$exists": false}}, {"_id": {"$regex": "^00259e-", "$options": "i"}}]}',
        configurations: [{ type: 'provision', name: 'mynewprovision' }],
      };
      const res = await put('/presets/times', JSON.stringify(preset));
      assert.equal(res.status, 200, await res.clone().text());
      const doc = (await (await call('/presets/times')).json()) as Doc;
      assert.equal(doc.precondition, `(Registered >= ${Date.parse('2026-01-01T00:00:00Z')} AND (LastBoot IS NULL OR DeviceID.ID MATCHES "(?i)^00259e-"))`);
      assert.equal((await call('/presets/times', { method: 'DELETE' })).status, 200);
    });

    it('refuses the documented "value" configurations with a 400 naming each, and stores nothing', async () => {
      const documented = {
        weight: 0,
        precondition: '{"_tags": "test"}',
        configurations: [
          { type: 'value', name: 'InternetGatewayDevice.ManagementServer.PeriodicInformEnable', value: 'true' },
          { type: 'value', name: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval', value: '300' },
        ],
      };
      const res = await put('/presets/periodic', JSON.stringify(documented));
      assert.equal(res.status, 400);
      const error = await errorOf(res);
      assert.match(error, /preset periodic refused, nothing stored: configurations\[0\] \(type "value" on InternetGatewayDevice.ManagementServer.PeriodicInformEnable\) does not map/);
      assert.match(error, /configurations\[1\] \(type "value" on InternetGatewayDevice.ManagementServer.PeriodicInformInterval\)/);
      assert.equal((await call('/presets/periodic')).status, 404);
    });

    it('refuses what lint refuses or does not map: an unknown provision, a bad event, a bad _lastInform or $regex, a bad schedule, unknown fields (nothing stored)', async () => {
      const cases: [Doc, RegExp][] = [
        [{ configurations: [{ type: 'provision', name: 'nope' }] }, /nope/],
        [{ events: { '99 NONSENSE': true }, configurations: [] }, /99 NONSENSE/],
        [{ precondition: '{"_lastInform": {"$lt": "soon"}}' }, /precondition: query _lastInform: "soon" is not a date/],
        [{ precondition: '{"_id": {"$regex": "(?<=a)b"}}' }, /precondition: query _id: \$regex .*backreferences, lookaround and counted repetitions over 16/],
        [{ schedule: 'hourly' }, /schedule must be "<duration in seconds> <cron of 5 fields>"/],
        [{ weight: 'heavy', colour: 'red' }, /colour is not a preset field.*weight must be a number|weight must be a number.*colour/],
        [{ precondition: '{"x": 1}' }, /precondition: query x: is not a parameter path/],
      ];
      for (const [body, pattern] of cases) {
        const res = await put('/presets/bad', JSON.stringify(body));
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(await errorOf(res), pattern);
      }
      assert.equal((await call('/presets/bad')).status, 404);
      const notJson = await put('/presets/bad', '{weight: 0');
      assert.equal(notJson.status, 400);
      assert.match(await errorOf(notJson), /body is not JSON/);
    });

    it('DELETE /presets/inform (the documented example): 200, then gone (404)', async () => {
      assert.equal((await call('/presets/inform', { method: 'DELETE' })).status, 200);
      assert.equal((await call('/presets/inform')).status, 404);
      assert.equal((await call('/presets/inform', { method: 'DELETE' })).status, 404);
    });
  });

  describe('files', () => {
    const firmware = Buffer.from('firmware image v1.0');

    it('PUT /files/new_firmware_v1.0.bin with GenieACS\'s metadata headers; GET /files/?query= lists its document; GET downloads it', async () => {
      const res = await call('/files/new_firmware_v1.0.bin', {
        method: 'PUT', body: firmware,
        headers: { ...FORM, fileType: '1 Firmware Upgrade Image', oui: '123456', productClass: 'ABC', version: '1.0' },
      });
      assert.equal(res.status, 200);
      const list = (await (await call(`/files/?query=${encodeURIComponent('{"metadata.fileType":"1 Firmware Upgrade Image"}')}`)).json()) as Doc[];
      assert.equal(list.length, 1);
      const { uploadDate, md5, ...rest } = list[0];
      assert.deepEqual(rest, {
        _id: 'new_firmware_v1.0.bin', filename: 'new_firmware_v1.0.bin', length: firmware.length,
        metadata: { fileType: '1 Firmware Upgrade Image', oui: '123456', productClass: 'ABC', version: '1.0' },
      });
      assert.match(String(uploadDate), /Z$/);
      assert.match(String(md5), /^[0-9a-f]{32}$/);
      assert.deepEqual(await (await call(`/files/?query=${encodeURIComponent('{"filename":"other.bin"}')}`)).json(), []);
      const got = await call('/files/new_firmware_v1.0.bin');
      assert.equal(got.status, 200);
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), firmware);
    });

    it('DELETE /files/new_firmware_v1.0.bin: 200, then 404; a bad name or metadata is a 400 storing nothing', async () => {
      assert.equal((await call('/files/new_firmware_v1.0.bin', { method: 'DELETE' })).status, 200);
      assert.equal((await call('/files/new_firmware_v1.0.bin')).status, 404);
      assert.equal((await call('/files/new_firmware_v1.0.bin', { method: 'DELETE' })).status, 404);
      const badMeta = await call('/files/x.bin', { method: 'PUT', body: firmware, headers: { fileType: 'x'.repeat(100) } });
      assert.equal(badMeta.status, 400);
      assert.equal((await call('/files/x.bin')).status, 404);
      assert.equal((await call(`/files/${encodeURIComponent('a/b')}`, { method: 'PUT', body: firmware })).status, 400);
    });
  });
});
