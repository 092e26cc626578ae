/**
 * Discovery asks only what a device can answer (issue 8 §3): whole-tree
 * declarations played against the simulator's CPE, which answers as a strict
 * real CPE does (9005 to a GetParameterNames of a parameter).
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { entriesForResponse } from '../../src/cwmp/session/results';
import type { GetParameterNames } from '../../src/cwmp/soap/types';
import { dryRun, type DryRunResult } from '../../src/engine/dry-run';
import { loadDryRunDevice } from '../../src/engine/dry-run-device';
import { MemoryTable } from '../../src/engine/memory-table';
import { plan } from '../../src/engine/planner/plan';
import { MemoryDeviceView } from '../../src/sandbox/device-view';
import { handleRequest } from '../../src/sim/cpe';
import { parseQuirks, rpcOptionsOf } from '../../src/sim/quirks';

const SAMPLES = path.resolve(__dirname, '../../../shared/samples/device-models');
const XX230V = path.join(SAMPLES, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const EG8145V5 = path.join(SAMPLES, 'device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv');

/** A vendor parameter the simulated devices do not have, read as a value. */
const MISSING = 'Device.DeviceInfo.X_ACME_Missing';
const MISSING_DECLARATION = `declare('${MISSING}', { value: 1 });`;

const rpcs = (r: DryRunResult) => r.rounds.flatMap((round) => round.rpcs);
const listings = (r: DryRunResult): GetParameterNames[] =>
  rpcs(r).flatMap((x) => (x.request.method === 'GetParameterNames' ? [x.request] : []));

describe('discovery asks only what a device can answer (issue 8 §3)', function () {
  this.timeout(60_000);
  let dir: string;

  /** One preset "tree" whose provision declares `pattern` fresh (path: now) and logs how many paths matched. */
  async function discover(device: string, pattern: string, cached = false, maxRpcs = 64): Promise<DryRunResult> {
    const presets = path.join(dir, 'presets');
    writeFileSync(path.join(presets, 'tree.yaml'), `channel: tree\nprovisions:\n  - [tree, ${JSON.stringify(pattern)}]\n`);
    return dryRun({ device, preset: 'tree', presetsDir: presets, provisionsDir: path.join(dir, 'provisions'), extDir: path.join(dir, 'ext'), cached, maxRpcs });
  }

  /** The "omits" preset, on a CPE with the quirk gpv-omits-missing. */
  async function omitting(device: string): Promise<DryRunResult> {
    const rpcOptions = rpcOptionsOf(parseQuirks('gpv-omits-missing'), { verboseFaults: true });
    return dryRun({ device, preset: 'omits', presetsDir: path.join(dir, 'presets'), provisionsDir: path.join(dir, 'provisions'), extDir: path.join(dir, 'ext'), rpcOptions });
  }

  /** Every GetParameterNames names an object of the simulated device (or ""), never a parameter. */
  function assertListsObjectsOnly(r: DryRunResult, device: string): void {
    const model = loadDryRunDevice(device).model;
    for (const gpn of listings(r)) {
      if (gpn.ParameterPath === '') continue;
      const ref = model.lookup(gpn.ParameterPath);
      assert.ok(ref === undefined || model.isObject(ref), `GetParameterNames of the parameter ${gpn.ParameterPath}`);
    }
  }

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-discovery-'));
    for (const d of ['presets', 'provisions', 'ext']) mkdirSync(path.join(dir, d));
    writeFileSync(path.join(dir, 'provisions', 'tree.js'), "const r = declare(args[0], { path: Date.now() });\nlog('matched ' + r.size);\n");
    writeFileSync(path.join(dir, 'presets', 'omits.yaml'), 'channel: omits\nprovisions:\n  - omits\n');
    writeFileSync(path.join(dir, 'provisions', 'omits.js'), `${MISSING_DECLARATION}\ndeclare('Device.DeviceInfo.ModelName', { value: 1 });\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, device] of [['TR-181 (tr181)', 'tr181'], ['the XX230v dump', XX230V]] as const) {
    it(`Device.*.*.* on ${name}: one subtree read, no parameter listed, no channel fault`, async () => {
      const r = await discover(device, 'Device.*.*.*');
      assert.deepEqual(r.faults, []);
      assert.equal(r.completed, true);
      assertListsObjectsOnly(r, device);
      assert.deepEqual(listings(r), [{ method: 'GetParameterNames', ParameterPath: 'Device.', NextLevel: false }]);
      assert.equal(rpcs(r).length, 1);
      const matched = Number(/matched (\d+)/.exec(r.logs['tree/tree']?.[0] ?? '')?.[1]);
      assert.ok(matched > 400, `matched ${matched}`);
    });
  }

  it('Device.*.*.* with the whole model cached (stale): still one subtree read, never "Leaf."', async () => {
    const r = await discover(XX230V, 'Device.*.*.*', true);
    assert.deepEqual(r.faults, []);
    assertListsObjectsOnly(r, XX230V);
    assert.ok(rpcs(r).length <= 1, JSON.stringify(listings(r)));
  });

  it('Device.* lists one level (NextLevel=true), one RPC', async () => {
    const r = await discover('tr181', 'Device.*');
    assert.deepEqual(r.faults, []);
    assert.deepEqual(listings(r), [{ method: 'GetParameterNames', ParameterPath: 'Device.', NextLevel: true }]);
  });

  it('Device.*.Enable: a parameter matched by * is not gone into, a missing Enable ends in its listing, no fault', async () => {
    const r = await discover('tr181', 'Device.*.Enable', false, 200);
    assert.deepEqual(r.faults, []);
    assertListsObjectsOnly(r, 'tr181');
    assert.ok(rpcs(r).length < 100, `${rpcs(r).length} RPCs`);
    assert.match(r.logs['tree/tree']?.[0] ?? '', /matched [1-9]\d*/);
  });

  it('Device.* on a TR-098 device: the top level is listed once (no 9005), then "Device." is known absent', async () => {
    const r = await discover(EG8145V5, 'Device.*');
    assert.deepEqual(r.faults, []);
    assert.deepEqual(listings(r).map((x) => x.ParameterPath), ['']);
    assert.deepEqual(r.logs['tree/tree'], ['matched 0']);
  });

  describe('a CPE that answers GetParameterValues without the names it lacks (quirk gpv-omits-missing, issue 8 §8)', function () {
    it('the simulated CPE with the quirk leaves the name out; without it, 9005', () => {
      const device = loadDryRunDevice('tr181').model;
      const request = { method: 'GetParameterValues' as const, ParameterNames: [MISSING, 'Device.DeviceInfo.ModelName'] };
      const quirky = handleRequest(device, request, rpcOptionsOf(parseQuirks('gpv-omits-missing'))).response;
      assert.equal(quirky.method, 'GetParameterValuesResponse');
      assert.deepEqual(quirky.method === 'GetParameterValuesResponse' ? quirky.ParameterList.map((p) => p.Name) : [], ['Device.DeviceInfo.ModelName']);
      const strict = handleRequest(device, request).response;
      assert.equal(strict.method === 'Fault' ? strict.FaultCode : strict.method, 9005);
    });

    for (const [name, device] of [['TR-181 (tr181)', 'tr181'], ['the XX230v dump', XX230V]] as const) {
      it(`names asked for and not returned count as absent after one retry (${name}): 2 RPCs, no fault, not asked at the next session`, async () => {
        const r = await omitting(device);
        assert.deepEqual(r.faults, []);
        const asked = rpcs(r).map((x) => x.request);
        assert.deepEqual(asked.map((x) => x.method), ['GetParameterValues', 'GetParameterNames'], JSON.stringify(asked));
        assert.deepEqual(listings(r), [{ method: 'GetParameterNames', ParameterPath: 'Device.DeviceInfo.', NextLevel: true }]);

        // The next session starts from what this one committed (its answers as cache ops): it asks nothing.
        const table = new MemoryTable();
        let time = Date.now();
        for (const x of rpcs(r)) {
          if (x.response.method === 'Fault') continue;
          const sent = { id: null, request: x.request, cwmpId: 'x', sentAt: time };
          for (const e of entriesForResponse(sent, x.response, 's', ++time)) if (e.t === 'op') await table.applyOp(e.op);
        }
        const later = time + 3_600_000;
        const next = plan(new MemoryDeviceView(table.root, later, new Set()), [{ channel: 'omits', declaration: { path: MISSING, timestamps: { value: 1 }, values: {} } }], {
          now: later, parameterKey: 'pk', events: ['2 PERIODIC'], informTime: later,
        });
        assert.deepEqual(next.requests.map((x) => x.request), []);
      });
    }
  });
});
