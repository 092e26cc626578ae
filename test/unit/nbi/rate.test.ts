/** The REST API's per-token rate: a burst, then the rate; buckets of keys gone quiet are dropped, not kept forever. */
import { strict as assert } from 'node:assert';
import { RateLimiter } from '../../../src/nbi/auth/rate';

describe('RateLimiter', () => {
  it('allows a burst of the rate, then one request per 1/rate s', () => {
    const r = new RateLimiter(5);
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) assert.equal(r.take('a', t0), true, `request ${i}`);
    assert.equal(r.take('a', t0), false, 'over the burst');
    assert.equal(r.take('a', t0 + 200), true, 'one more after 200 ms');
    assert.equal(r.take('a', t0 + 200), false);
    assert.equal(r.take('b', t0), true, 'another key has its own bucket');
  });

  it('drops the buckets that filled up again once many keys were seen, and keeps the busy ones', () => {
    const r = new RateLimiter(2);
    const t0 = 1_000_000;
    r.take('busy', t0 + 1500);
    r.take('busy', t0 + 1500);
    for (let i = 0; i < 1000; i++) r.take(`quiet-${i}`, t0);
    assert.equal(r.size, 1001);
    r.take('new', t0 + 1500);
    assert.equal(r.size, 2, 'only the busy key and the new one are left');
    assert.equal(r.take('busy', t0 + 1500), false, 'the busy key kept its empty bucket');
  });

  it('has no limit at 0', () => {
    const r = new RateLimiter(0);
    for (let i = 0; i < 100; i++) assert.equal(r.take('a', 0), true);
    assert.equal(r.size, 0);
  });
});
