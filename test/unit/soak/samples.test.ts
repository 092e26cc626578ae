import { strict as assert } from 'node:assert';
import { growthOf, type Sample } from '../../../src/soak/samples';

/** A sample every 10 s for `minutes`, each series' MiB given by its function of t. */
function run(minutes: number, series: Record<string, (t: number) => number>): Sample[] {
  return Array.from({ length: minutes * 6 + 1 }, (_, i) => {
    const t = i * 10;
    return { t, sessions: i, mib: Object.fromEntries(Object.entries(series).map(([k, f]) => [k, f(t)])) };
  });
}

describe('soak: memory growth after the first minute', () => {
  it('compares the mean of the second minute with the mean of the last, whatever the first minute did', () => {
    const [g] = growthOf(run(10, { acs: (t) => (t < 60 ? 50 + t : 200 + (t > 570 ? 20 : 0)) }));
    assert.equal(g.warmMiB, 200);
    assert.equal(g.endMiB, 210); // the last minute: 550-570 s at 200, 580-600 s at 220
    assert.ok(Math.abs(g.growth - 0.05) < 1e-9, String(g.growth));
    assert.equal(g.peakMiB, 220);
  });

  it('does not let a GC sawtooth decide: a flat level with peaks every other sample is flat', () => {
    const [g] = growthOf(run(10, { acs: (t) => (t % 20 === 0 ? 200 : 260) }));
    assert.ok(Math.abs(g.growth) < 0.05, String(g.growth));
  });

  it('says a run too short to have a second and a last minute cannot tell', () => {
    assert.ok(Number.isNaN(growthOf(run(1, { acs: () => 1 }))[0].growth));
  });
});
