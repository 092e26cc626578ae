/**
 * PUT / DELETE of presets, provisions and virtual parameters over HTTP (issue
 * 10 §1): checked as `acs lint` would before they are stored, every version
 * kept with its writer, files winning on a name clash, scopes enforced, and a
 * stored preset running its stored provision in a device's next session.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { TokenStore } from '../../src/nbi/auth/tokens';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { tokenFetch } from '../helpers/api-token';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { dirWith } from '../helpers/files';

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

const SET_INTERVAL = "declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: args[0] ?? 600 });\n";

describe('REST API: writing presets, provisions and virtual parameters', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let presetsDir: string;
  let writer: Fetch;
  let reader: Fetch;
  before(async () => {
    presetsDir = dirWith({ 'filed.yaml': 'weight: 1\n' });
    t = await startTestAcs('nbi_scripts_write', {
      presetsDir,
      provisionsDir: dirWith({ 'filed-provision.js': 'log("from the folder");\n' }),
      virtualParametersDir: dirWith({}),
    });
    const tokens = new TokenStore(t.acs.store.sql);
    writer = tokenFetch(t.nbiUrl, (await tokens.create('ops-writer', 'write', 'test')).token);
    reader = tokenFetch(t.nbiUrl, (await tokens.create('ops-reader', 'read', 'test')).token);
  });
  after(async () => t?.stop());

  const put = (f: Fetch, route: string, body: string, type: string): Promise<Response> => f(route, { method: 'PUT', body, headers: { 'Content-Type': type } });
  const json = async (res: Response): Promise<Record<string, any>> => (await res.json()) as Record<string, any>;
  const listed = async (route: string): Promise<Record<string, any>[]> => (await (await reader(route)).json()) as Record<string, any>[];

  it('creates, replaces and deletes a provision; every version listed with the token that wrote it, old versions readable', async () => {
    const created = await put(writer, '/provisions/interval', SET_INTERVAL, 'application/javascript');
    assert.equal(created.status, 201, await created.clone().text());
    assert.deepEqual((({ version, updatedBy }) => ({ version, updatedBy }))(await json(created)), { version: 1, updatedBy: 'ops-writer' });
    const replaced = await writer('/provisions/interval', { method: 'PUT', body: JSON.stringify({ source: `// v2\n${SET_INTERVAL}` }), headers: { 'Content-Type': 'application/json' } });
    assert.equal(replaced.status, 200);
    assert.equal((await json(replaced)).version, 2);
    const current = await reader('/provisions/interval');
    assert.equal(current.headers.get('acs-script-origin'), 'database');
    assert.equal(current.headers.get('acs-script-version'), '2');
    assert.match(await current.text(), /^\/\/ v2/);
    assert.equal(await (await reader('/provisions/interval?version=1')).text(), SET_INTERVAL);
    const entry = (await listed('/provisions')).find((p) => p.name === 'interval');
    assert.equal(entry?.origin, 'database');
    assert.equal(entry?.version, 2);

    const deleted = await writer('/provisions/interval', { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    assert.deepEqual(await json(deleted), { kind: 'provision', name: 'interval', version: 3, deleted: true });
    assert.equal((await reader('/provisions/interval')).status, 404);
    assert.equal((await writer('/provisions/interval', { method: 'DELETE' })).status, 404);
    assert.equal(await (await reader('/provisions/interval?version=2')).text(), `// v2\n${SET_INTERVAL}`, 'history outlives the deletion');
    const versions = (await json(await reader('/provisions/interval/versions'))) as unknown as Record<string, unknown>[];
    assert.deepEqual(versions.map(({ version, by, deleted }) => ({ version, by, deleted })), [
      { version: 1, by: 'ops-writer', deleted: false },
      { version: 2, by: 'ops-writer', deleted: false },
      { version: 3, by: 'ops-writer', deleted: true },
    ]);
    assert.ok(versions.every((v) => typeof v.time === 'number'));
  });

  it('creates, replaces and deletes a preset (YAML body) and a virtual parameter', async () => {
    assert.equal((await put(writer, '/provisions/tick', 'log("tick");\n', 'text/plain')).status, 201);
    assert.equal((await put(writer, '/presets/nightly', 'weight: 5\nprovisions:\n  - tick\n', 'text/yaml')).status, 201);
    assert.equal((await put(writer, '/presets/nightly', 'weight: 7\nchannel: night\nprovisions:\n  - tick\n', 'application/yaml')).status, 200);
    const preset = (await listed('/presets')).find((p) => p.name === 'nightly');
    assert.deepEqual((({ origin, version, ok, weight, channel, provisions }) => ({ origin, version, ok, weight, channel, provisions }))(preset ?? {}), {
      origin: 'database', version: 2, ok: true, weight: 7, channel: 'night', provisions: [{ name: 'tick', args: [] }],
    });
    assert.match(await (await reader('/presets/nightly')).text(), /weight: 7/);
    assert.equal((await put(writer, '/virtual-parameters/uptime', 'return { value: [1, "xsd:int"] };\n', 'text/javascript')).status, 201);
    assert.deepEqual((await listed('/virtual-parameters')).map((v) => [v.name, v.origin, v.version]), [['uptime', 'database', 1]]);
    assert.equal((await writer('/presets/nightly', { method: 'DELETE' })).status, 200);
    assert.equal((await writer('/virtual-parameters/uptime', { method: 'DELETE' })).status, 200);
    assert.equal((await listed('/presets')).some((p) => p.name === 'nightly'), false);
    assert.deepEqual(await listed('/virtual-parameters'), []);
  });

  /** A refused body: 400 naming the line, and nothing stored (no version, not listed). */
  async function refused(route: string, body: string, type: string, expected: RegExp): Promise<void> {
    const res = await put(writer, route, body, type);
    const answer = await json(res);
    assert.equal(res.status, 400, JSON.stringify(answer));
    assert.equal(answer.code, 'ACS_ERR_BAD_REQUEST');
    assert.match(String(answer.error), expected);
    assert.equal((await reader(`${route}/versions`)).status, 404, `${route}: nothing stored`);
    assert.equal((await reader(route)).status, 404);
  }

  it('refuses bad YAML, a bad precondition, an unknown provision, a preset field error: 400 naming the line, nothing stored', async () => {
    await refused('/presets/bad-yaml', 'weight: 1\nprovisions: [tick\n', 'text/yaml', /line \d+, column \d+: YAML/);
    await refused('/presets/bad-precondition', 'weight: 1\nprecondition: \'DeviceID.ProductClass = = "x"\'\n', 'text/yaml', /line 2, column \d+: precondition:/);
    await refused('/presets/unknown-provision', 'provisions:\n  - nowhere\n', 'text/yaml', /line 2, column \d+: unknown provision 'nowhere'/);
    await refused('/presets/bad-events', 'events: ["9 NOPE"]\n', 'text/yaml', /line 1, column \d+: .*9 NOPE/);
  });

  it('refuses a script that does not compile and a provision lint finds wrong: 400 naming the line, nothing stored', async () => {
    await refused('/provisions/broken', 'const a = 1;\nconst b = ;\n', 'application/javascript', /line 2, column \d+/);
    await refused('/virtual-parameters/broken', 'return {\n', 'application/javascript', /line 1/);
    await refused('/provisions/bad-path', "log('ok');\ndeclare('Device.NoSuchObject.Thing', { value: 1 }, { value: 'x' });\n", 'application/javascript', /line 2, column \d+: .*NoSuchObject/);
  });

  it('refuses bad names and bodies: 400 naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['/provisions/bad%20name', /provision's name/],
      ['/presets/.hidden', /must not start with '.'/],
      ['/presets/a%2Fb', /must not contain '\/'/],
      ['/presets/a%01b', /control characters/],
      [`/presets/${'x'.repeat(129)}`, /1 to 128 characters/],
      ['/virtual-parameters/a.b', /one segment/],
    ];
    for (const [route, expected] of cases) {
      const res = await put(writer, route, 'weight: 1\n', 'text/yaml');
      assert.equal(res.status, 400, route);
      assert.match(String((await json(res)).error), expected, route);
    }
    const wrongType = await put(writer, '/presets/typed', 'weight: 1\n', 'application/xml');
    assert.equal(wrongType.status, 400);
    assert.match(String((await json(wrongType)).error), /Content-Type must be text\/yaml/);
    const noSource = await writer('/presets/typed', { method: 'PUT', body: '{"text": "weight: 1"}', headers: { 'Content-Type': 'application/json' } });
    assert.match(String((await json(noSource)).error), /\{"source": "<the text>"\}/);
    assert.equal((await reader('/presets/typed/versions')).status, 404);
  });

  it('files win: 409 naming the file for a name the folder holds; a file appearing later shadows the stored version', async () => {
    for (const [route, body, type] of [['/presets/filed', 'weight: 2\n', 'text/yaml'], ['/provisions/filed-provision', 'log(1);\n', 'text/plain']]) {
      const res = await put(writer, route, body, type);
      assert.equal(res.status, 409, route);
      assert.match(String((await json(res)).error), /filed(-provision)?\.(yaml|js) holds the .* files win/);
      assert.equal((await writer(route, { method: 'DELETE' })).status, 409);
    }
    assert.equal((await put(writer, '/presets/later', 'weight: 3\n', 'text/yaml')).status, 201);
    writeFileSync(path.join(presetsDir, 'later.yaml'), 'weight: 4\n');
    const later = (await listed('/presets')).find((p) => p.name === 'later');
    assert.deepEqual((({ origin, weight, shadowed }) => ({ origin, weight, shadowed }))(later ?? {}), { origin: 'file', weight: 4, shadowed: { origin: 'database', version: 1 } });
    assert.equal((await reader('/presets/later')).headers.get('acs-script-origin'), 'file');
    assert.equal((await put(writer, '/presets/later', 'weight: 5\n', 'text/yaml')).status, 409);
  });

  it('a read token may read but not write (403, nothing stored); writes go to the audit log with the token', async () => {
    const res = await put(reader, '/provisions/by-reader', 'log(1);\n', 'text/plain');
    assert.equal(res.status, 403);
    assert.equal((await reader('/provisions/by-reader/versions')).status, 404);
    assert.equal((await reader('/provisions')).status, 200);
    assert.equal((await reader('/presets/filed', { method: 'DELETE' })).status, 403);
    const audit = (await (await t.nbi('/audit?token=ops-writer')).json()) as { route: string; method: string }[];
    assert.ok(audit.some((e) => e.method === 'PUT' && e.route === '/provisions/:name'), JSON.stringify(audit.slice(0, 3)));
  });

  it("a preset and provision written through the API run in the device's next session, without a restart", async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const serial = 'SN-STORED-1';
    assert.equal((await cpe.post(inform(serial, ['2 PERIODIC']))).status, 200);
    assert.equal((await cpe.post(null)).status, 204, 'nothing to do before the preset');
    assert.equal((await put(writer, '/provisions/interval-api', SET_INTERVAL, 'application/javascript')).status, 201);
    assert.equal((await put(writer, '/presets/interval-api', 'provisions:\n  - [interval-api, 900]\n', 'text/yaml')).status, 201);
    cpe.forgetCookie();
    assert.equal((await cpe.post(inform(serial, ['2 PERIODIC']))).status, 200);
    const ask = await cpe.post(null);
    assert.equal(ask.status, 200, ask.text);
    assert.match(ask.text, /PeriodicInformInterval/, 'the provision asks for its parameter');
    cpe.close();
  });

  it('a task may name a stored provision at once (its process knows it on writing); an unknown one is refused', async () => {
    const device = `/devices/${encodeURIComponent(deviceKeyOf(inform('SN-STORED-TASK', []).DeviceId))}`;
    // A bare device row, without a session (the stored preset above would provision one).
    const credentials = await writer(`${device}/cpe-credentials`, { method: 'PUT', body: '{"username": "u", "password": "p"}', headers: { 'Content-Type': 'application/json' } });
    assert.ok(credentials.ok, await credentials.text());
    const tasks = `${device}/tasks`;
    const task = (provision: string): Promise<Response> => writer(tasks, { method: 'POST', body: JSON.stringify({ name: 'provision', provision, args: [] }), headers: { 'Content-Type': 'application/json' } });
    const before = await task('for-task');
    assert.equal(before.status, 400, await before.text());
    assert.equal((await put(writer, '/provisions/for-task', 'log("task");\n', 'text/plain')).status, 201);
    const res = await task('for-task');
    assert.ok(res.status >= 200 && res.status < 300, `${res.status} ${await res.text()}`);
  });
});
