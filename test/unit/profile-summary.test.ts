import { strict as assert } from 'node:assert';
import { summarise } from '../../src/bench/profile-summary';

/** Two functions of one package and one of ours, sampled 1 ms apart. */
const profile = {
  startTime: 0,
  nodes: [
    { id: 1, callFrame: { functionName: 'parse', url: 'file:///x/node_modules/fast-xml-parser/lib/fxp.cjs', lineNumber: 0 } },
    { id: 2, callFrame: { functionName: 'build', url: 'file:///x/node_modules/fast-xml-parser/lib/fxp.cjs', lineNumber: 9 } },
    { id: 3, callFrame: { functionName: 'save', url: 'file:///x/dist/cwmp/session/redis-store.js', lineNumber: 181 } },
  ],
  samples: [1, 1, 2, 3, 3, 3],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000],
};

describe('bench profile-summary', () => {
  it('sums self time by module and by function, largest first', () => {
    const s = summarise(profile);
    assert.equal(s.totalUs, 6000);
    assert.deepEqual(s.byModule, [['nm:fast-xml-parser', 3000], ['dist/cwmp/session/redis-store.js', 3000]]);
    assert.deepEqual(s.byFunction[0], ['save dist/cwmp/session/redis-store.js:182', 3000]);
    assert.deepEqual(s.byFunction.slice(1), [['parse nm:fast-xml-parser/lib/fxp.cjs:1', 2000], ['build nm:fast-xml-parser/lib/fxp.cjs:10', 1000]]);
  });

  it('keeps only the samples of the window asked for (the last S seconds, less the skipped end)', () => {
    // Samples at 1..6 ms; skip the last 1 ms (6), keep the 3 ms before it (3, 4, 5 ms): ids 2, 3, 3.
    const s = summarise(profile, { lastS: 0.002, skipEndS: 0.001 });
    assert.equal(s.totalUs, 3000);
    assert.deepEqual(s.byModule, [['dist/cwmp/session/redis-store.js', 2000], ['nm:fast-xml-parser', 1000]]);
  });
});
