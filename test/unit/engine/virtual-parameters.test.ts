/**
 * Issue 11 §1: virtual parameter scripts get GenieACS's arguments, args[0..3]
 * = declared timestamps, declared values, current timestamps, current values,
 * and their reads of declare() results commit implicitly.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeVirtual, virtualRows } from '../../../src/engine/virtual-parameters';
import { ScriptLibrary } from '../../../src/engine/script-library';
import type { ChannelDeclaration } from '../../../src/engine/planner/types';
import { MemoryDeviceView } from '../../../src/sandbox/device-view';
import { SandboxPool } from '../../../src/sandbox/pool';
import { sampleRows, T0 } from '../sandbox/helpers';

const NOW = T0 + 60_000;
/** These scripts call no extension. */
const NO_EXT = { call: () => assert.fail('no ext() call expected') };
const base = {
  deviceKey: '00147F-XX230v-SN0001',
  deviceId: { Manufacturer: 'ACME', OUI: '00147F', ProductClass: 'XX230v', SerialNumber: 'SN0001' },
  events: ['2 PERIODIC'],
  now: NOW,
};

describe('engine: virtual parameters, GenieACS-style (issue 11)', function () {
  let dir: string;
  let pool: SandboxPool;
  let library: ScriptLibrary;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-vp-'));
    writeFileSync(path.join(dir, 'Args.js'), `return { value: [JSON.stringify(args), 'xsd:string'] };\n`);
    writeFileSync(path.join(dir, 'Version.js'), `
const v = declare('Device.DeviceInfo.SoftwareVersion', { value: Date.now() });
return { value: ['v' + v.value[0]] };
`);
    library = new ScriptLibrary(dir, { pollMs: 0 });
    pool = new SandboxPool({ size: 1 });
    await pool.warmUp();
  });
  after(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const asked = (name: string, declaration: Partial<ChannelDeclaration['declaration']> = {}): Map<string, ChannelDeclaration[]> =>
    new Map([[name, [{ channel: 'c', declaration: { path: `VirtualParameters.${name}`, timestamps: {}, values: {}, ...declaration } }]]]);

  it('args[2..3] are the current timestamps and value ({} when none); args[0..1] the declared ones', async () => {
    const none = await computeVirtual({ pool, ext: NO_EXT }, library, asked('Args', { timestamps: { value: NOW }, values: { value: [7] } }), base, MemoryDeviceView.from(sampleRows()), {});
    assert.deepEqual(JSON.parse(none.values.get('Args')?.value ?? 'null'), [{ value: NOW }, { value: [7] }, {}, {}]);

    const current = virtualRows(new Map([['Args', { value: '42', type: 'xsd:int' as const, writable: true }]]), T0);
    const view = MemoryDeviceView.from([...sampleRows(), ...current]);
    const known = await computeVirtual({ pool, ext: NO_EXT }, library, asked('Args'), base, view, {});
    assert.deepEqual(JSON.parse(known.values.get('Args')?.value ?? 'null'), [
      {}, {}, { path: T0, object: T0, writable: T0, value: T0 }, { value: [42, 'xsd:int'], writable: true },
    ]);
  });

  it('a read that is not met stops the script: no value, and its declarations go to the declaring channel', async () => {
    const stale = await computeVirtual({ pool, ext: NO_EXT }, library, asked('Version'), base, MemoryDeviceView.from(sampleRows()), {});
    assert.equal(stale.values.has('Version'), false);
    assert.deepEqual(stale.faults, new Map());
    assert.deepEqual(stale.declarations.map((d) => [d.channel, d.declaration.path]), [['c', 'Device.DeviceInfo.SoftwareVersion']]);

    const fresh = sampleRows().map((x) => (x.path === 'Device.DeviceInfo.SoftwareVersion' ? { ...x, valueTime: NOW } : x));
    const done = await computeVirtual({ pool, ext: NO_EXT }, library, asked('Version'), base, MemoryDeviceView.from(fresh), {});
    assert.deepEqual(done.values.get('Version'), { value: 'v2.0.0', type: 'xsd:string', writable: false });
  });
});
