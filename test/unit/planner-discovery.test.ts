/**
 * Discovery in the planner (issue 8 §3, §8): a parameter is never listed,
 * wildcards that fan out over several levels read one subtree, a top-level
 * name the cache lacks is found out by listing the top level, which is
 * remembered, and names a CPE left out of a GetParameterValues are recovered
 * like a 9005, once.
 */
import { strict as assert } from 'node:assert';
import type { CachedParameter } from '../../src/db/types';
import { MemoryTable } from '../../src/engine/memory-table';
import { plan } from '../../src/engine/planner/plan';
import type { ChannelDeclaration, Plan } from '../../src/engine/planner/types';
import { omittedOutcome, recoveryFor } from '../../src/engine/recovery';
import { MemoryDeviceView } from '../../src/sandbox/device-view';
import { row, sampleRows, T0 } from './sandbox/helpers';

const NOW = T0 + 3_600_000;
const CTX = { now: NOW, parameterKey: 'pk', events: ['2 PERIODIC'], informTime: NOW };

function planOf(rows: Iterable<CachedParameter>, path: string, need = NOW): Plan {
  const cd: ChannelDeclaration = { channel: 'c', declaration: { path, timestamps: { path: need }, values: {} } };
  return plan(MemoryDeviceView.from(rows), [cd], CTX);
}

function gpns(p: Plan): [string, boolean][] {
  return p.requests.flatMap((r) => (r.request.method === 'GetParameterNames' ? [[r.request.ParameterPath, r.request.NextLevel] as [string, boolean]] : []));
}

/** What the Inform of a TR-181 device puts in an empty cache: parameters under its root, nothing listed. */
const INFORM = [row('Device.DeviceInfo.SoftwareVersion', '2.0.0')];

/** The sample device, every object's children listed at `time`. */
function listedAt(time: number): CachedParameter[] {
  return sampleRows().map((r) => (r.kind === 'leaf' ? r : { ...r, valueTime: time, namesTime: time }));
}

describe('planner: discovery (issue 8 §3)', function () {
  it('"Device.*.*.*" never lists a parameter ("Device.DeviceInfo.SoftwareVersion." would be 9005)', function () {
    // Everything listed recently except the deepest objects: the walk reaches leaves at every depth.
    const rows = listedAt(NOW).map((r) => (r.path.split('.').length > 3 && r.kind !== 'leaf' ? { ...r, valueTime: T0 } : r));
    const p = planOf(rows, 'Device.*.*.*');
    const leaves = new Set(rows.filter((r) => r.kind === 'leaf').map((r) => `${r.path}.`));
    for (const [path] of gpns(p)) assert.ok(!leaves.has(path), `listed the parameter ${path}`);
    assert.ok(gpns(p).length > 0, 'the stale objects are listed');
  });

  it('with everything fresh, "Device.*.*.*" asks nothing (leaves end the match, they are not "unlisted objects")', function () {
    assert.deepEqual(planOf(listedAt(NOW), 'Device.*.*.*').requests, []);
  });

  it('two or more wildcards to fan out: one subtree read (NextLevel=false) of the object they start at', function () {
    assert.deepEqual(gpns(planOf(INFORM, 'Device.*.*.*')), [['Device.', false]]);
    assert.deepEqual(gpns(planOf(INFORM, 'Device.*.*')), [['Device.', false]]);
    assert.deepEqual(gpns(planOf(listedAt(T0), 'Device.IP.Interface.*.Stats.*')), [['Device.IP.Interface.', false]]);
  });

  it('a single wildcard: one level (NextLevel=true)', function () {
    assert.deepEqual(gpns(planOf(INFORM, 'Device.*')), [['Device.', true]]);
    assert.deepEqual(gpns(planOf(listedAt(T0), 'Device.WiFi.SSID.*.SSID')), [['Device.WiFi.SSID.', true]]);
  });

  it('a top-level name the cache lacks lists the top level, whatever follows it (never a path under it: 9005 on the other root)', function () {
    for (const path of ['InternetGatewayDevice.DeviceInfo.SoftwareVersion', 'InternetGatewayDevice.LANDevice.*.Hosts.Host.*', 'InternetGatewayDevice.*']) {
      assert.deepEqual(planOf(INFORM, path).requests.map((r) => r.request), [{ method: 'GetParameterNames', ParameterPath: '', NextLevel: true }], path);
    }
  });

  it('a listing of the top level ("" NextLevel=true) is remembered: "Device." is then known absent', async function () {
    const table = new MemoryTable();
    await table.applyOp({ op: 'names', path: '', nextLevel: true, parameters: [{ Name: 'InternetGatewayDevice.', Writable: false }], time: NOW });
    const view = new MemoryDeviceView(table.root, NOW, new Set());
    const cd: ChannelDeclaration = { channel: 'c', declaration: { path: 'Device.*', timestamps: { path: NOW }, values: {} } };
    assert.deepEqual(plan(view, [cd], CTX).requests, []);
  });
});

describe('recovery: names a GetParameterValues left out (issue 8 §8)', function () {
  const request = { method: 'GetParameterValues' as const, ParameterNames: ['Device.A.B', 'Device.A.C', 'Device.X.'] };
  const returned = [{ Name: 'Device.A.C', Value: '1', type: 'xsd:string' as const }];

  it('are taken as a 9005 on those names (an object asked for may be empty: not judged)', function () {
    const outcome = omittedOutcome(request, returned, ['c']);
    assert.equal(outcome?.fault?.code, 9005);
    assert.deepEqual(outcome?.paths, ['Device.A.B']);
    assert.equal(omittedOutcome(request, [...returned, { Name: 'Device.A.B', Value: '', type: 'xsd:string' }], ['c']), null);
  });

  it('list their parent once; left out again after that, they fault the channel instead of being asked again', function () {
    const outcome = omittedOutcome(request, returned, ['c']);
    assert.ok(outcome);
    const p = { refreshed: [], refused: [] };
    const root = MemoryDeviceView.from([row('Device.A.C', '1')]).root;
    assert.deepEqual(recoveryFor(outcome, p, root).map((r) => r.request), [{ method: 'GetParameterNames', ParameterPath: 'Device.A.', NextLevel: true }]);
    assert.deepEqual(p.refused, ['Device.A.B']);
    assert.deepEqual(recoveryFor(outcome, p, root), []);
  });
});
