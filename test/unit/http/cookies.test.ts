import { strict as assert } from 'node:assert';
import { readCookie } from '../../../src/cwmp/http/cookies';

describe('session cookie', function () {
  it('reads plain, quoted and RFC 2965 ($Version) cookie headers', function () {
    assert.equal(readCookie('session=abc', 'session'), 'abc');
    assert.equal(readCookie('$Version="0"; session="abc"; $Path=/', 'session'), 'abc');
    assert.equal(readCookie('other=1, session=xyz', 'session'), 'xyz');
    assert.equal(readCookie('sessionx=1', 'session'), null);
    assert.equal(readCookie(undefined, 'session'), null);
  });
});
