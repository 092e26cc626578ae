/**
 * Values as they are sent (issue 8 §4): integers keep their precision
 * (xsd:long/unsignedLong travel as exact decimal text), and a value of
 * unknown type is typed from the data model. Played against the simulator's
 * CPE, which checks xsi:type strictly (9006) as a strict real CPE does.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ParameterValueStruct } from '../../src/cwmp/soap/types';
import { dryRun, type DryRunResult } from '../../src/engine/dry-run';

const XX230V = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
/** A writable xsd:unsignedLong of TR-181. */
const LENGTH = 'Device.IP.Diagnostics.UploadDiagnostics.TestFileLength';

describe('planner: values sent exactly (issue 8 §4)', function () {
  this.timeout(60_000);
  let dir: string;

  async function run(device: string, source: string): Promise<DryRunResult> {
    writeFileSync(path.join(dir, 'provisions', 'p.js'), source);
    return dryRun({ device, preset: 'p', presetsDir: path.join(dir, 'presets'), provisionsDir: path.join(dir, 'provisions'), extDir: path.join(dir, 'ext') });
  }

  function sent(r: DryRunResult): ParameterValueStruct[] {
    return r.rounds.flatMap((round) => round.rpcs).flatMap((x) => (x.request.method === 'SetParameterValues' ? x.request.ParameterList : []));
  }

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-planner-values-'));
    for (const d of ['presets', 'provisions', 'ext']) mkdirSync(path.join(dir, d));
    writeFileSync(path.join(dir, 'presets', 'p.yaml'), 'channel: values\nprovisions:\n  - p\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [what, expr] of [['a BigInt (2n ** 60n)', '2n ** 60n'], ["the string '1152921504606846976'", "'1152921504606846976'"]] as const) {
    it(`${what} for an xsd:unsignedLong is sent as exactly 1152921504606846976`, async () => {
      const r = await run('tr181', `declare('${LENGTH}', null, { value: ${expr} });\n`);
      assert.deepEqual(r.faults, []);
      assert.deepEqual(sent(r), [{ Name: LENGTH, Value: '1152921504606846976', type: 'xsd:unsignedLong' }]);
    });
  }

  it('a BigInt with a declared type keeps every digit (xsd:long, negative)', async () => {
    const r = await run('tr181', `declare('Device.XMPP.Connection.*.KeepAliveInterval', null, { value: [-(2n ** 62n) - 1n, 'xsd:long'] });\n`);
    const values = sent(r);
    assert.ok(values.length > 0, 'the simulated TR-181 device has XMPP connections');
    for (const p of values) assert.deepEqual([p.Value, p.type], ['-4611686018427387905', 'xsd:long']);
  });

  it('a number past 2^53 is refused as a channel fault at its line, not rounded and sent', async () => {
    const r = await run('tr181', `\ndeclare('${LENGTH}', null, { value: 2 ** 60 });\n`);
    assert.deepEqual(sent(r), []);
    assert.equal(r.faults.length, 1);
    assert.equal(r.faults[0].channel, 'values');
    assert.match(r.faults[0].message, /not an exact integer; pass a string or BigInt/);
    assert.equal(r.faults[0].line, 2);
  });

  it('the alias keys of a new Device.NAT.PortMapping instance in an empty table are typed from the data model (ExternalPort: xsd:unsignedInt)', async () => {
    const r = await run(XX230V, `declare('Device.NAT.PortMapping.[ExternalPort:8080,Protocol:TCP]', { path: Date.now() }, { instances: 1 });\n`);
    assert.deepEqual(r.faults, [], 'a strict CPE refuses xsd:string for ExternalPort with 9006');
    const keys = sent(r);
    assert.deepEqual(keys.map((k) => [k.Name.replace(/\.\d+\./, '.N.'), k.type]), [
      ['Device.NAT.PortMapping.N.ExternalPort', 'xsd:unsignedInt'],
      ['Device.NAT.PortMapping.N.Protocol', 'xsd:string'],
    ]);
  });
});
