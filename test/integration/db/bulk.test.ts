import assert from 'node:assert/strict';
import type { ParameterValueStruct, XsdType } from '../../../src/cwmp/soap/types';
import type { CacheOp } from '../../../src/db/types';
import { deviceKeyOf } from '../../../src/model/device-key';
import { describeEachDriver, loadSampleModel, newDeviceId, pv, session } from '../../helpers/db';

const SAMPLE = 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv';
const T0 = 1_700_000_000_000;
const PERIODIC_RUNS = 20;

/** The sample model as one discovery session: a full GetParameterNames and a full GetParameterValues. */
function discovery(): { ops: CacheOp[]; leaves: ParameterValueStruct[]; paths: string[] } {
  // GenieACS exports add its own DeviceID.*, Events.*, Tags.* rows: not part of the CPE's model.
  const rows = loadSampleModel(SAMPLE).filter((r) => r.name === 'Device' || r.name.startsWith('Device.'));
  const leaves = rows.filter((r) => !r.object && r.type !== '').map((r) => pv(r.name, r.value, r.type as XsdType));
  const names = rows.map((r) => ({ Name: r.object ? `${r.name}.` : r.name, Writable: r.writable }));
  const ops: CacheOp[] = [
    { op: 'names', path: 'Device.', nextLevel: false, parameters: names, time: T0 },
    { op: 'values', parameters: leaves, time: T0 },
  ];
  return { ops, leaves, paths: names.map((n) => n.Name) };
}

describeEachDriver('db bulk (5k-parameter device model)', 'acs_test_db_bulk', (ctx) => {
  it('commits a full discovery, round-trips it, then commits periodic Informs cheaply', async () => {
    const { ops, leaves, paths } = discovery();
    assert.ok(leaves.length >= 5000, `sample has ${leaves.length} leaves`);
    const informParams = leaves.filter((p) => /^Device\.(DeviceInfo|ManagementServer)\./.test(p.Name)).slice(0, 12);
    assert.equal(informParams.length, 12);
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);

    let started = Date.now();
    await ctx.store.commitSession(session({ deviceId, events: ['0 BOOTSTRAP', '1 BOOT'], params: informParams, ops, time: T0 }));
    const fullMs = Date.now() - started;

    const stored = await ctx.store.getParameters(key);
    assert.deepEqual(stored.map((r) => r.path), [...new Set(paths)].sort(byBytes));
    const byPath = new Map(stored.map((r) => [r.path, r]));
    for (const p of leaves) assert.deepEqual([byPath.get(p.Name)?.value, byPath.get(p.Name)?.type], [p.Value, p.type], p.Name);

    ctx.logged.length = 0;
    started = Date.now();
    for (let i = 1; i <= PERIODIC_RUNS; i++) {
      await ctx.store.commitSession(session({ deviceId, events: ['2 PERIODIC'], params: informParams, time: T0 + i * 300_000 }));
    }
    const periodicMs = (Date.now() - started) / PERIODIC_RUNS;
    assert.ok(ctx.logged.every((l) => l.written === 0 && l.deleted === 0), 'unchanged Inform parameters are not rewritten');

    started = Date.now();
    await ctx.store.commitSession(session({ deviceId, params: informParams, ops, time: T0 + 99 }));
    const againMs = Date.now() - started;
    console.log(
      `      [${ctx.driver}] ${leaves.length} values + ${paths.length} names: first commit ${fullMs} ms, ` +
        `identical re-commit ${againMs} ms; periodic Inform (12 unchanged params): ${periodicMs.toFixed(1)} ms avg`,
    );
  });
});

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
