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
  it('compares the low points of the two halves after the first minute, whatever the first minute did', () => {
    // Halves of 60-600 s: [60, 330) and [330, 600]; the level is 200 in the first, 220 in the second.
    const [g] = growthOf(run(10, { acs: (t) => (t < 60 ? 50 + t : t < 330 ? 200 : 220) }));
    assert.equal(g.firstLowMiB, 200);
    assert.equal(g.secondLowMiB, 220);
    assert.ok(Math.abs(g.growth - 0.1) < 1e-9, String(g.growth));
    assert.equal(g.peakMiB, 220);
  });

  it('does not let a GC sawtooth decide: peaks minutes long on a flat floor are flat', () => {
    // A 4-minute cycle from 165 to 270 MiB, ending on a rising phase (the first 10-minute soak's front end).
    const [g] = growthOf(run(10, { acs: (t) => 165 + 105 * ((t % 240) / 240) }));
    assert.ok(Math.abs(g.growth) < 0.01, String(g.growth));
    assert.ok(g.peakMiB > 260);
  });

  it('sees a leak under the sawtooth: a floor climbing 30 % over the run fails', () => {
    const [g] = growthOf(run(10, { acs: (t) => 165 * (1 + 0.3 * (t / 600)) + 100 * ((t % 240) / 240) }));
    assert.ok(g.growth > 0.1, String(g.growth));
  });

  it('says a run too short to have two halves after the first minute cannot tell', () => {
    assert.ok(Number.isNaN(growthOf(run(1, { acs: () => 1 }))[0].growth));
  });
});
