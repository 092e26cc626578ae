/**
 * GenieACS-style scripts run unchanged (issue 11 §1, the planner's part): one
 * script for both data models, paths a device lacks, `{path: N}` instance
 * counts, a number for an xsd:dateTime, values judged only where they apply.
 * Each script is played for one session against the simulator's CPE built
 * from the real sample devices (TR-098 Huawei EG8145V5, TR-181 TP-Link
 * XX230v), strict (9005 for a missing name) and with the quirk
 * gpv-omits-missing; the RPCs the engine sent are asserted.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { dryRun, type DryRunResult } from '../../src/engine/dry-run';
import { loadDryRunDevice } from '../../src/engine/dry-run-device';
import { parseQuirks, rpcOptionsOf } from '../../src/sim/quirks';

const SAMPLES = path.resolve(__dirname, '../../../shared/samples/device-models');
const DEVICES = [
  { label: 'TR-098', file: path.join(SAMPLES, 'device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv'), root: 'InternetGatewayDevice', other: 'Device' },
  { label: 'TR-181', file: path.join(SAMPLES, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv'), root: 'Device', other: 'InternetGatewayDevice' },
] as const;

const SCRIPTS: Record<string, string> = {
  // As GenieACS's seed provisions are written: every parameter under both roots.
  'both-roots': `
const now = Date.now();
const found = {};
for (const root of ['Device', 'InternetGatewayDevice']) {
  found[root] = [declare(root + '.DeviceInfo.SoftwareVersion', {value: now}), declare(root + '.DeviceInfo.ModelName', {value: now})];
}
commit();
for (const root in found) log(root + ': ' + found[root].map((r) => (r.size ? r.value[0] : 'none')).join(', '));
`,
  // A daily inform setup; PeriodicInformTime given as milliseconds (05:00 UTC), as GenieACS scripts compute it.
  inform: `
const now = Date.now();
for (const root of ['InternetGatewayDevice', 'Device']) {
  declare(root + '.ManagementServer.PeriodicInformEnable', {value: now}, {value: true});
  declare(root + '.ManagementServer.PeriodicInformInterval', {value: now}, {value: 300});
  declare(root + '.ManagementServer.PeriodicInformTime', {value: now}, {value: 5 * 3600000});
}
`,
  // A vendor parameter and a vendor object no sample device has, beside one that every device has.
  vendor: `
const now = Date.now();
for (const root of ['InternetGatewayDevice', 'Device']) {
  const serial = declare(root + '.DeviceInfo.X_ACME_Serial', {value: now});
  const model = declare(root + '.DeviceInfo.ModelName', {value: now});
  const extras = declare(root + '.X_ACME_Extras.*.Name', {value: now});
  commit();
  log(root + ': ' + [serial.size, model.size, extras.size].join(' '));
}
`,
  // Instance counts given as GenieACS gives them: {path: N} and {path: [min, max]}.
  instances: `
const now = Date.now();
declare('InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.PortMapping.[PortMappingDescription:genie-a]', {path: now}, {path: 1});
declare('InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.PortMapping.[PortMappingDescription:genie-b]', {path: now}, {path: [1, 2]});
declare('Device.NAT.PortMapping.[Description:genie-a]', {path: now}, {path: 1});
declare('Device.NAT.PortMapping.[Description:genie-b]', {path: now}, {path: [1, 2]});
`,
  // A value only the TR-098 branch's parameter cannot take.
  'bad-098-value': `
const now = Date.now();
declare('InternetGatewayDevice.ManagementServer.PeriodicInformInterval', {value: now}, {value: 'hourly'});
declare('Device.ManagementServer.PeriodicInformInterval', {value: now}, {value: 600});
`,
};

const rpcs = (r: DryRunResult): CpeRequest[] => r.rounds.flatMap((round) => round.rpcs.map((x) => x.request));
const faultsAnswered = (r: DryRunResult): number => r.rounds.flatMap((round) => round.rpcs).filter((x) => x.response.method === 'Fault').length;
const names = (r: DryRunResult): string[] => rpcs(r).flatMap((q) => (q.method === 'GetParameterValues' ? q.ParameterNames : q.method === 'GetParameterNames' ? [q.ParameterPath] : []));
const sets = (r: DryRunResult) => rpcs(r).flatMap((q) => (q.method === 'SetParameterValues' ? q.ParameterList : []));

function assertNoRepeat(r: DryRunResult): void {
  const seen = rpcs(r).map((q) => JSON.stringify(q));
  assert.equal(new Set(seen).size, seen.length, `a request sent twice:\n${seen.join('\n')}`);
}

describe('GenieACS-style scripts on the sample devices (issue 11 §1)', function () {
  this.timeout(120_000);
  let dir: string;

  function run(device: string, script: string, quirks?: string): Promise<DryRunResult> {
    const rpcOptions = quirks ? rpcOptionsOf(parseQuirks(quirks), { verboseFaults: true }) : undefined;
    return dryRun({ device, preset: script, presetsDir: path.join(dir, 'presets'), provisionsDir: path.join(dir, 'provisions'), extDir: path.join(dir, 'ext'), rpcOptions, events: ['2 PERIODIC'] });
  }

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-genieacs-scripts-'));
    for (const d of ['presets', 'provisions', 'ext']) mkdirSync(path.join(dir, d));
    for (const [name, source] of Object.entries(SCRIPTS)) {
      writeFileSync(path.join(dir, 'provisions', `${name}.js`), source);
      writeFileSync(path.join(dir, 'presets', `${name}.yaml`), `channel: ${name}\nprovisions:\n  - ${name}\n`);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const quirks of [undefined, 'gpv-omits-missing']) {
    describe(quirks ? `a CPE with the quirk ${quirks}` : 'a strict CPE (9005 for a missing name)', function () {
      for (const d of DEVICES) {
        const model = () => loadDryRunDevice(d.file).model;

        it(`${d.label}: both roots declared: one value, one empty result, the top level listed once, no fault`, async () => {
          const r = await run(d.file, 'both-roots', quirks);
          assert.deepEqual(r.faults, []);
          assert.deepEqual(rpcs(r), [
            { method: 'GetParameterNames', ParameterPath: '', NextLevel: true },
            { method: 'GetParameterValues', ParameterNames: [`${d.root}.DeviceInfo.ModelName`] },
          ]);
          const m = model();
          assert.deepEqual(r.logs['both-roots/both-roots'].sort(), [
            `${d.root}: ${m.getValue(`${d.root}.DeviceInfo.SoftwareVersion`)}, ${m.getValue(`${d.root}.DeviceInfo.ModelName`)}`,
            `${d.other}: none, none`,
          ].sort());
        });

        it(`${d.label}: a daily inform setup for both roots writes the device's own, PeriodicInformTime as an ISO date`, async () => {
          const r = await run(d.file, 'inform', quirks);
          assert.deepEqual(r.faults, []);
          assert.deepEqual(rpcs(r).map((q) => q.method), ['GetParameterNames', 'GetParameterValues', 'SetParameterValues']);
          assert.ok(!names(r).some((n) => n.startsWith(`${d.other}.`)), names(r).join());
          const time = sets(r).find((p) => p.Name === `${d.root}.ManagementServer.PeriodicInformTime`);
          assert.deepEqual(time, { Name: `${d.root}.ManagementServer.PeriodicInformTime`, Value: '1970-01-01T05:00:00.000Z', type: 'xsd:dateTime' });
          assert.ok(sets(r).every((p) => p.Name.startsWith(`${d.root}.`)));
        });

        it(`${d.label}: a vendor parameter and object the device lacks are empty results, found out without a repeated request`, async () => {
          const r = await run(d.file, 'vendor', quirks);
          assert.deepEqual(r.faults, []);
          assertNoRepeat(r);
          assert.deepEqual(r.logs['vendor/vendor'].sort(), [`${d.other}: 0 0 0`, `${d.root}: 0 1 0`].sort());
          // The first read and the first listing are refused (or the name left out); the objects above them, known to
          // exist, are listed; only the name found there is read again. Nothing is asked under the other root.
          const info = `${d.root}.DeviceInfo.`;
          const expected: CpeRequest[] = [
            { method: 'GetParameterNames', ParameterPath: '', NextLevel: true },
            { method: 'GetParameterNames', ParameterPath: `${d.root}.X_ACME_Extras.`, NextLevel: true },
            { method: 'GetParameterValues', ParameterNames: [`${info}X_ACME_Serial`, `${info}ModelName`] },
            { method: 'GetParameterNames', ParameterPath: `${d.root}.`, NextLevel: true },
            { method: 'GetParameterNames', ParameterPath: info, NextLevel: true },
            ...(quirks ? [] : [{ method: 'GetParameterValues' as const, ParameterNames: [`${info}ModelName`] }]),
          ];
          assert.deepEqual(rpcs(r).map((q) => JSON.stringify(q)).sort(), expected.map((q) => JSON.stringify(q)).sort());
          assert.equal(faultsAnswered(r), quirks ? 1 : 2);
        });

        it(`${d.label}: {path: N} and {path: [min, max]} add the instances under the device's own root`, async () => {
          const r = await run(d.file, 'instances', quirks);
          assert.deepEqual(r.faults, []);
          const adds = rpcs(r).filter((q) => q.method === 'AddObject');
          assert.equal(adds.length, 2, JSON.stringify(rpcs(r)));
          assert.ok(adds.every((q) => q.method === 'AddObject' && q.ObjectName.startsWith(`${d.root}.`)));
          assert.deepEqual(sets(r).map((p) => p.Value).sort(), ['genie-a', 'genie-b']);
        });
      }
    });
  }

  it("a value only the TR-098 branch's parameter cannot take: no fault on TR-181, a channel fault on TR-098 and nothing written", async () => {
    const tr181 = await run(DEVICES[1].file, 'bad-098-value');
    assert.deepEqual(tr181.faults, []);
    assert.deepEqual(sets(tr181), [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '600', type: 'xsd:unsignedInt' }]);
    const tr098 = await run(DEVICES[0].file, 'bad-098-value');
    assert.deepEqual(tr098.faults.map((f) => [f.code, f.message]), [
      ['engine.value', 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval: "hourly" is not a valid xsd:unsignedInt'],
    ]);
    assert.deepEqual(sets(tr098), []);
  });
});
