import { strict as assert } from 'node:assert';
import { NonceBook } from '../../../src/sim/conn-request/nonces';

describe('sim connection-request nonces', () => {
  it('accepts only issued nonces, stale after the lifetime, forgotten after two', () => {
    let clock = 1_000;
    const book = new NonceBook(10_000, () => clock);
    const nonce = book.issue();
    assert.ok(nonce.length > 16);
    assert.notEqual(book.issue(), nonce, 'a fresh nonce per challenge');
    assert.equal(book.check(nonce), 'ok');
    assert.equal(book.check('not-issued-here'), 'bad');
    assert.equal(book.use(nonce, 1), true);
    assert.equal(book.use(nonce, 1), false, 'a replayed nc');
    assert.equal(book.use(nonce, 2), true);
    clock += 10_001;
    assert.equal(book.check(nonce), 'stale');
    clock += 10_000;
    book.prune();
    assert.equal(book.check(nonce), 'bad');
    assert.equal(book.remembered, 0);
  });
});
