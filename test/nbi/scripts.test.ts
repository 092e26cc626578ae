/** GET /presets, /provisions, /virtual-parameters, /extensions: what the operator's folders hold, bad presets with lint's messages (writes: scripts-write.test.ts). */
import { strict as assert } from 'node:assert';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';

describe('REST API: presets, provisions, virtual parameters, extensions (the folders)', function () {
  this.timeout(60_000);
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('nbi_scripts', {
      presetsDir: dirWith({
        'wifi.yaml': 'events: ["0 BOOTSTRAP"]\nprecondition: DeviceID.ProductClass = "XX230v"\nchannel: wifi\nprovisions:\n  - [set-ssid, guest]\n',
        'broken.yaml': 'events: 42\n',
        'notes.txt': 'not a preset',
      }),
      provisionsDir: dirWith({ 'set-ssid.js': "declare('Device.WiFi.SSID.1.SSID', { value: 1 }, { value: args[0] });\n", 'index.d.ts': '' }),
      virtualParametersDir: dirWith({ 'uptime.js': 'return { value: [1, "xsd:int"] };\n' }),
      extDir: dirWith({ 'billing.js': 'module.exports = {};\n', 'README.md': '' }),
    });
  });
  after(async () => t?.stop());

  const json = async (path: string) => (await (await t.nbi(path)).json()) as unknown;

  it('lists presets as the ACS reads them, and bad ones with their errors', async () => {
    const presets = (await json('/presets')) as { name: string; ok: boolean; channel?: string; precondition?: string; errors?: string[] }[];
    assert.deepEqual(presets.map((p) => [p.name, p.ok]), [['broken', false], ['wifi', true]]);
    const wifi = presets.find((p) => p.name === 'wifi') as { origin?: string; channel?: string; precondition?: string } | undefined;
    assert.equal(wifi?.origin, 'file');
    assert.equal(wifi?.channel, 'wifi');
    assert.equal(wifi?.precondition, 'DeviceID.ProductClass = "XX230v"');
    assert.match(String(presets.find((p) => p.name === 'broken')?.errors?.[0]), /broken\.yaml:1:\d+: .*events/);
  });

  it('lists provisions, virtual parameters and extensions, and shows a script\'s source', async () => {
    assert.deepEqual(((await json('/provisions')) as { name: string }[]).map((p) => p.name), ['set-ssid']);
    assert.deepEqual(((await json('/virtual-parameters')) as { name: string }[]).map((p) => p.name), ['uptime']);
    assert.deepEqual(await json('/extensions'), [{ name: 'billing', file: 'billing.js' }]);
    const source = await t.nbi('/provisions/set-ssid');
    assert.equal(source.status, 200);
    assert.equal(source.headers.get('acs-script-origin'), 'file');
    assert.match(await source.text(), /declare\('Device.WiFi.SSID.1.SSID'/);
    assert.equal((await t.nbi('/provisions/nope')).status, 404);
    const escape = await t.nbi('/provisions/..%2F..%2Fpackage');
    assert.equal(escape.status, 400, 'no way out of the folder');
    assert.match(((await escape.json()) as { error: string }).error, /must not contain '\/'/);
  });
});
