/**
 * What a preset's precondition reads of the device in a session
 * (sessionFacts): the Inform being answered is the last one, the last boot
 * or bootstrap when it says so, and the first when none is stored.
 */
import { strict as assert } from 'node:assert';
import type { SessionState } from '../../../src/cwmp/session/state';
import { compile, evaluate } from '../../../src/presets/expression';
import { lookupFrom } from '../../../src/presets/lookup';
import { MemoryTable } from '../../../src/engine/memory-table';
import { sessionFacts, type StoredDevice } from '../../../src/engine/step';

const T = Date.parse('2026-12-01T08:00:00Z');
const DAY = 86_400_000;

function state(events: string[]): SessionState {
  const inform = { deviceId: { Manufacturer: 'Acme', OUI: '00D09E', ProductClass: 'HG8245', SerialNumber: 'S1' }, events: events.map((EventCode) => ({ EventCode, CommandKey: '' })), time: T };
  return { deviceKey: '00D09E-HG8245-S1', inform } as unknown as SessionState;
}

function holds(text: string, events: string[], stored: StoredDevice): boolean {
  const r = compile(text);
  if (!r.ok) assert.fail(r.message);
  return evaluate(r.expr, lookupFrom(sessionFacts(state(events), new MemoryTable([]), stored)));
}

describe('engine: the device facts a session\'s preconditions read', () => {
  const old: StoredDevice = { tags: ['vip'], channelFaults: [], firstInform: T - 30 * DAY, lastBoot: T - 2 * DAY, lastBootstrap: T - 30 * DAY };

  it('a periodic Inform: the stored times, the Inform as the last', () => {
    assert.equal(holds(`LastInform = ${T}`, ['2 PERIODIC'], old), true);
    assert.equal(holds(`Registered = ${T - 30 * DAY} AND LastBoot = ${T - 2 * DAY} AND LastBootstrap = ${T - 30 * DAY}`, ['2 PERIODIC'], old), true);
    assert.equal(holds('Tags.vip AND LastBoot < NOW() - 1d', ['2 PERIODIC'], old), true);
  });

  it('a 1 BOOT Inform is the last boot; a 0 BOOTSTRAP one the last bootstrap', () => {
    assert.equal(holds(`LastBoot = ${T} AND LastBootstrap = ${T - 30 * DAY}`, ['1 BOOT'], old), true);
    assert.equal(holds(`LastBootstrap = ${T} AND LastBoot = ${T - 2 * DAY}`, ['0 BOOTSTRAP'], old), true);
  });

  it('a device with nothing stored: registered now, never booted unless this Inform says so', () => {
    const none: StoredDevice = { tags: [], channelFaults: [] };
    assert.equal(holds(`Registered = ${T} AND LastBoot IS NULL AND LastBootstrap IS NULL`, ['2 PERIODIC'], none), true);
    assert.equal(holds(`Registered = ${T} AND LastBoot = ${T} AND LastBootstrap = ${T}`, ['0 BOOTSTRAP', '1 BOOT'], none), true);
  });
});
