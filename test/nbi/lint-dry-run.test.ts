/**
 * POST /lint and POST /devices/:id/dry-run (issue 13, presets and
 * provisions in the web UI): lint's messages at their line without saving,
 * and the RPCs provisioning would send a device, planned against its stored
 * state by `acs provision`'s engine, with unsaved texts standing in.
 */
import { strict as assert } from 'node:assert';
import { TokenStore } from '../../src/nbi/auth/tokens';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { tokenFetch } from '../helpers/api-token';
import { newDeviceId, pv, session } from '../helpers/db';
import { dirWith } from '../helpers/files';

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;
type Json = Record<string, any>;

const SET_SSID = "declare('Device.WiFi.SSID.1.SSID', null, { value: 'HomeNet' });\n";

describe('REST API: lint and dry run of unsaved presets and provisions', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let reader: Fetch;
  let deviceKey: string;
  before(async () => {
    t = await startTestAcs('nbi_lint_dry_run', { presetsDir: dirWith({}), provisionsDir: dirWith({}), virtualParametersDir: dirWith({}) });
    reader = tokenFetch(t.nbiUrl, (await new TokenStore(t.acs.store.sql).create('ui-reader', 'read', 'test')).token);
    const r = session({
      deviceId: newDeviceId('DRY'),
      time: Date.now(),
      params: [pv('Device.WiFi.SSID.1.SSID', 'old'), pv('Device.ManagementServer.PeriodicInformInterval', '300', 'xsd:unsignedInt')],
    });
    await t.acs.store.commitSession(r);
    deviceKey = r.deviceKey;
  });
  after(async () => t?.stop());

  const post = async (route: string, body: unknown): Promise<{ status: number; body: Json }> => {
    const res = await reader(route, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('lints a provision: a clean one has no error, an unknown parameter is an error at its line (a read token may ask)', async () => {
    const clean = await post('/lint', { kind: 'provision', name: 'wifi', text: SET_SSID });
    assert.equal(clean.status, 200, JSON.stringify(clean.body));
    assert.deepEqual(clean.body.messages.filter((m: Json) => m.severity === 'error'), []);
    const bad = await post('/lint', { kind: 'provision', name: 'wifi', text: `// first\n${SET_SSID}declare('Device.WiFi.SSID.1.NoSuchThing', null, { value: 'x' });\n` });
    assert.equal(bad.status, 200);
    const errors = bad.body.messages.filter((m: Json) => m.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(bad.body));
    assert.equal(errors[0].line, 3);
    assert.match(errors[0].message, /NoSuchThing/);
  });

  it('lints a syntax error and a preset at their lines', async () => {
    const syntax = await post('/lint', { kind: 'provision', name: 'broken', text: 'log("a");\nlet = ;\n' });
    assert.equal(syntax.body.messages[0].severity, 'error');
    assert.equal(syntax.body.messages[0].line, 2);
    const preset = await post('/lint', { kind: 'preset', name: 'p', text: 'weight: 1\nevents: ["9 NO SUCH EVENT"]\n' });
    assert.equal(preset.body.messages[0].line, 2, JSON.stringify(preset.body));
  });

  it('refuses bad bodies with 400 naming the field', async () => {
    for (const [body, field] of [
      [{ kind: 'widget', name: 'x', text: '' }, 'body.kind'],
      [{ kind: 'provision', name: 'x' }, 'body.text'],
      [{ kind: 'provision', name: 'a/b', text: '' }, 'body.name'],
    ] as const) {
      const r = await post('/lint', body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.field, field, JSON.stringify(r.body));
    }
    const dry = await post(`/devices/${encodeURIComponent(deviceKey)}/dry-run`, { events: 'BOOT' });
    assert.equal(dry.status, 400);
    assert.equal(dry.body.field, 'body.events');
    const none = await post(`/devices/${encodeURIComponent(deviceKey)}/dry-run`, {});
    assert.equal(none.status, 400);
    assert.equal(none.body.field, 'body.preset');
    const broken = await post(`/devices/${encodeURIComponent(deviceKey)}/dry-run`, { provisions: { wifi: 'log(;\n' } });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.field, 'body.provisions.wifi');
    assert.equal((await post('/devices/000000-None-X/dry-run', { provisions: { wifi: SET_SSID } })).status, 404);
  });

  it('dry-runs an unsaved provision against the device\'s stored state: a SetParameterValues of the SSID', async () => {
    const r = await post(`/devices/${encodeURIComponent(deviceKey)}/dry-run`, { provisions: { wifi: SET_SSID }, events: ['2 PERIODIC'] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.applied, true, JSON.stringify(r.body));
    const sets = r.body.rounds.flatMap((round: Json) => round.rpcs).filter((x: Json) => x.request.method === 'SetParameterValues');
    assert.equal(sets.length, 1, JSON.stringify(r.body.rounds));
    assert.deepEqual(sets[0].request.ParameterList.map((p: Json) => [p.Name, p.Value]), [['Device.WiFi.SSID.1.SSID', 'HomeNet']]);
    assert.equal(r.body.device.cache, 'snapshot');
    const stored = (await (await reader(`/devices/${encodeURIComponent(deviceKey)}`)).json()) as Json;
    assert.equal(stored.parameters.find((p: Json) => p.path === 'Device.WiFi.SSID.1.SSID')?.value, 'old', 'nothing stored');
  });
});
