import { strict as assert } from 'node:assert';
import { ChannelBudget, defaultChannelBudget } from '../../../src/engine/channel-budget';

describe('ChannelBudget: script time of faulting runs per channel and in all', function () {
  let now = 0;
  const rates = { channelMsPerMinute: 600, channelBurstMs: 100, totalMsPerMinute: 1200, totalBurstMs: 150 };
  const budget = () => new ChannelBudget(rates, () => now);
  beforeEach(() => (now = 0));

  it('a channel that never faulted always runs, even when the others used everything', function () {
    const b = budget();
    b.charge('bad', 1000);
    assert.equal(b.allows('bad'), false);
    assert.equal(b.allows('good'), true);
  });

  it('a faulting channel runs until its burst is spent, then at its rate', function () {
    const b = budget();
    b.charge('bad', 60);
    assert.equal(b.allows('bad'), true, '40 ms left');
    b.charge('bad', 60);
    assert.equal(b.allows('bad'), false, '-20 ms');
    now = 1_000; // +10 ms at 600 ms a minute
    assert.equal(b.allows('bad'), false);
    now = 2_100; // +21 ms
    assert.equal(b.allows('bad'), true);
  });

  it('refills no further than the burst', function () {
    const b = budget();
    b.charge('bad', 1);
    now = 3_600_000;
    b.charge('bad', 100);
    assert.equal(b.allows('bad'), false, 'a long quiet time buys one burst, no more');
  });

  it('channels that faulted lately share the total: one spends it, the other waits', function () {
    const b = budget();
    b.charge('a', 90);
    b.charge('b', 10);
    assert.equal(b.allows('b'), true, 'total 50 ms left');
    b.charge('b', 60);
    assert.equal(b.allows('b'), false, 'total spent (-10 ms), though b has 30 ms of its own');
    assert.equal(b.allows('c'), true, 'a channel with no recent fault is not held back');
  });

  it('the default is 40 runs at the time limit per channel per minute, bursts of 5', function () {
    assert.deepEqual(defaultChannelBudget(50).rates, { channelMsPerMinute: 2000, channelBurstMs: 250, totalMsPerMinute: 6000, totalBurstMs: 500 });
  });
});
