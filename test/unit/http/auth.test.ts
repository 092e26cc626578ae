import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { Authenticator, digestResponse, parseAuthParams } from '../../../src/cwmp/http/auth';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const creds = { username: 'Mufasa', password: 'Circle Of Life' };

function answer(auth: Authenticator, extra: Record<string, string> = {}, password = creds.password): string {
  const nonce = parseAuthParams(auth.challenge('digest').slice(7)).nonce;
  const p = { username: creds.username, realm: 'acs', nonce, uri: '/acs', qop: 'auth', nc: '00000001', cnonce: '0a4f113b', ...extra };
  const response = digestResponse(p, password, 'POST');
  return `Digest ${Object.entries({ ...p, response }).map(([k, v]) => `${k}="${v}"`).join(', ')}`;
}

describe('HTTP authentication', function () {
  const auth = new Authenticator('acs', Buffer.from('secret'));

  it('computes the RFC 2617 example digest (qop=auth, MD5)', function () {
    const p = {
      username: 'Mufasa', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
    };
    assert.equal(digestResponse(p, 'Circle Of Life', 'GET'), '6629fae49393a05397450978507c4ef1');
  });

  it('parses quoted parameters containing commas and escapes', function () {
    assert.deepEqual(parseAuthParams('realm="a, b", qop=auth, x="q\\"t"'), { realm: 'a, b', qop: 'auth', x: 'q"t' });
  });

  it('accepts a correct Digest answer, including MD5-sess', function () {
    const out = auth.verify(answer(auth), 'digest', creds, 'POST', '/acs');
    assert.equal(out.ok && out.username, 'Mufasa');
    const sess = auth.verify(answer(auth, { algorithm: 'MD5-sess' }), 'digest', creds, 'POST', '/acs');
    assert.equal(sess.ok, true);
  });

  it('refuses a wrong password, a foreign nonce, a wrong realm and an unknown qop', function () {
    assert.equal(auth.verify(answer(auth, {}, 'wrong'), 'digest', creds, 'POST', '/acs').ok, false);
    const other = new Authenticator('acs', Buffer.from('other-secret'));
    assert.equal(auth.verify(answer(other), 'digest', creds, 'POST', '/acs').ok, false);
    assert.equal(auth.verify(answer(auth, { realm: 'evil' }), 'digest', creds, 'POST', '/acs').ok, false);
    assert.equal(auth.verify(answer(auth, { qop: 'auth-int' }), 'digest', creds, 'POST', '/acs').ok, false);
  });

  it('marks an old but genuine nonce stale', function () {
    const old = auth.newNonce(Date.now() - 10 * 60_000);
    assert.equal(auth.checkNonce(old), 'stale');
    assert.equal(auth.checkNonce(auth.newNonce()), 'ok');
    assert.equal(auth.checkNonce('garbage'), 'bad');
    const ha1 = md5(`${creds.username}:acs:${creds.password}`);
    const ha2 = md5('POST:/acs');
    const response = md5(`${ha1}:${old}:00000001:c:auth:${ha2}`);
    const header = `Digest username="Mufasa", realm="acs", nonce="${old}", uri="/acs", qop=auth, nc=00000001, cnonce="c", response="${response}"`;
    const out = auth.verify(header, 'digest', creds, 'POST', '/acs');
    assert.equal(out.ok, false);
    assert.match(out.ok ? '' : out.challenge, /stale=true/);
  });

  it('refuses a Digest answer without qop (a downgrade), for another URI, or a bare scheme name', function () {
    const noQop = answer(auth).replace(/qop="auth", /, '');
    assert.equal(auth.verify(noQop, 'digest', creds, 'POST', '/acs').ok, false);
    assert.equal(auth.verify(answer(auth), 'digest', creds, 'POST', '/other').ok, false);
    const bare = auth.verify('Digest', 'digest', creds, 'POST', '/acs');
    assert.equal(bare.ok, false);
    assert.match(bare.ok ? '' : bare.reason, /incomplete Digest header/);
  });

  it('names the nonce and count used, so the session layer can refuse a replay', function () {
    const out = auth.verify(answer(auth), 'digest', creds, 'POST', '/acs');
    assert.ok(out.ok && out.replayKey && out.replayKey.endsWith(':00000001'));
  });

  it('accepts Basic only when Basic is the scheme', function () {
    const header = 'Basic ' + Buffer.from('Mufasa:Circle Of Life').toString('base64');
    assert.equal(auth.verify(header, 'basic', creds, 'POST', '/acs').ok, true);
    assert.equal(auth.verify(header, 'digest', creds, 'POST', '/acs').ok, false);
    assert.equal(auth.verify('Basic ' + Buffer.from('Mufasa').toString('base64'), 'basic', creds, 'POST', '/acs').ok, false);
  });
});
