import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { encode } from '../../src/cwmp/soap/encode';
import { digestResponse, parseAuthParams } from '../../src/cwmp/http/auth';
import { deviceKeyOf } from '../../src/model/device-key';
import { inform, ScriptedCpe, type Exchange } from '../helpers/cpe';
import { startTestAcs, type TestAcs } from '../helpers/acs';

const NS = 'urn:dslforum-org:cwmp-1-2';
const xmlOf = (serial: string): string => encode({ header: { ID: '1' }, body: inform(serial, ['2 PERIODIC']), namespace: NS });

/** What a CPE computes to answer a Digest challenge (RFC 2617, qop=auth). */
function digestHeader(challenge: string, username: string, password: string): string {
  const c = parseAuthParams(challenge.replace(/^Digest\s+/i, ''));
  const p = { username, realm: c.realm, nonce: c.nonce, uri: '/', qop: 'auth', nc: '00000001', cnonce: randomBytes(8).toString('hex') };
  const response = digestResponse(p, password, 'POST');
  return `Digest username="${username}", realm="${p.realm}", nonce="${p.nonce}", uri="/", qop=auth, nc=${p.nc}, cnonce="${p.cnonce}", response="${response}", algorithm=MD5`;
}

async function endSession(cpe: ScriptedCpe): Promise<void> {
  assert.equal((await cpe.post(null)).status, 204);
  cpe.close();
}

describe('CPE authentication', function () {
  describe('global Digest', function () {
    let t: TestAcs;
    before(async () => {
      t = await startTestAcs('auth_digest', { cwmpAuth: 'digest', cwmpUsername: 'cpe', cwmpPassword: 's3cret' });
    });
    after(async () => t?.stop());

    it('challenges with Digest qop="auth" MD5, then accepts the right answer', async () => {
      const cpe = new ScriptedCpe(t.cwmpUrl);
      const first: Exchange = await cpe.postRaw(xmlOf('SN-DIGEST'));
      assert.equal(first.status, 401);
      const challenge = String(first.headers['www-authenticate']);
      assert.match(challenge, /^Digest /);
      assert.match(challenge, /qop="auth"/);
      assert.match(challenge, /algorithm=MD5/);
      const ok = await cpe.postRaw(xmlOf('SN-DIGEST'), { Authorization: digestHeader(challenge, 'cpe', 's3cret') });
      assert.equal(ok.status, 200);
      assert.equal(ok.envelope?.body.method, 'InformResponse');
      await endSession(cpe);
    });

    it('refuses a wrong password, a forged nonce and Basic when Digest is required, and stores nothing', async () => {
      const cpe = new ScriptedCpe(t.cwmpUrl);
      const challenge = String((await cpe.postRaw(xmlOf('SN-WRONG'))).headers['www-authenticate']);
      const wrong = await cpe.postRaw(xmlOf('SN-WRONG'), { Authorization: digestHeader(challenge, 'cpe', 'nope') });
      assert.equal(wrong.status, 401);
      const forged = digestHeader(challenge.replace(/nonce="[^"]+"/, 'nonce="abc.def.ghi"'), 'cpe', 's3cret');
      assert.equal((await cpe.postRaw(xmlOf('SN-WRONG'), { Authorization: forged })).status, 401);
      const basic = 'Basic ' + Buffer.from('cpe:s3cret').toString('base64');
      assert.equal((await cpe.postRaw(xmlOf('SN-WRONG'), { Authorization: basic })).status, 401);
      cpe.close();
      assert.equal(await t.acs.store.getDevice(deviceKeyOf(inform('SN-WRONG', []).DeviceId)), null);
    });

    it('refuses a replayed Authorization header (same nonce and count)', async () => {
      const cpe = new ScriptedCpe(t.cwmpUrl);
      const challenge = String((await cpe.postRaw(xmlOf('SN-REPLAY'))).headers['www-authenticate']);
      const header = digestHeader(challenge, 'cpe', 's3cret');
      assert.equal((await cpe.postRaw(xmlOf('SN-REPLAY'), { Authorization: header })).status, 200);
      await endSession(cpe);
      const attacker = new ScriptedCpe(t.cwmpUrl);
      const replay = await attacker.postRaw(xmlOf('SN-REPLAY'), { Authorization: header });
      assert.equal(replay.status, 401);
      assert.match(replay.text, /already used/);
      attacker.close();
    });

    it('accepts a Digest answer on another connection (nonces are not tied to a socket or process)', async () => {
      const a = new ScriptedCpe(t.cwmpUrl, { keepAlive: false });
      const challenge = String((await a.postRaw(xmlOf('SN-OTHERCONN'))).headers['www-authenticate']);
      const ok = await a.postRaw(xmlOf('SN-OTHERCONN'), { Authorization: digestHeader(challenge, 'cpe', 's3cret') });
      assert.equal(ok.status, 200);
      await endSession(a);
    });
  });

  describe('global Basic and per-device credentials', function () {
    let t: TestAcs;
    before(async () => {
      t = await startTestAcs('auth_basic', { cwmpAuth: 'basic', cwmpUsername: 'cpe', cwmpPassword: 'pw' });
    });
    after(async () => t?.stop());

    it('accepts pre-emptive Basic with the global credentials and refuses wrong ones', async () => {
      const cpe = new ScriptedCpe(t.cwmpUrl);
      const bad = await cpe.postRaw(xmlOf('SN-BASIC'), { Authorization: 'Basic ' + Buffer.from('cpe:x').toString('base64') });
      assert.equal(bad.status, 401);
      assert.match(String(bad.headers['www-authenticate']), /^Basic realm=/);
      const ok = await cpe.postRaw(xmlOf('SN-BASIC'), { Authorization: 'Basic ' + Buffer.from('cpe:pw').toString('base64') });
      assert.equal(ok.status, 200);
      await endSession(cpe);
    });

    it("checks a device's own credentials instead of the global ones", async () => {
      const key = deviceKeyOf(inform('SN-OWN', []).DeviceId);
      await t.acs.store.setCpeCredentials(key, { username: '00AA11-SN-OWN', password: 'own-pw' });
      const cpe = new ScriptedCpe(t.cwmpUrl);
      const global = await cpe.postRaw(xmlOf('SN-OWN'), { Authorization: 'Basic ' + Buffer.from('cpe:pw').toString('base64') });
      assert.equal(global.status, 401);
      const own = await cpe.postRaw(xmlOf('SN-OWN'), { Authorization: 'Basic ' + Buffer.from('00AA11-SN-OWN:own-pw').toString('base64') });
      assert.equal(own.status, 200);
      await endSession(cpe);
    });
  });

  describe('no global authentication', function () {
    let t: TestAcs;
    before(async () => {
      t = await startTestAcs('auth_none');
    });
    after(async () => t?.stop());

    it('lets devices in freely but still requires Digest from a device with stored credentials', async () => {
      const free = new ScriptedCpe(t.cwmpUrl);
      assert.equal((await free.postRaw(xmlOf('SN-FREE'))).status, 200);
      await endSession(free);
      const key = deviceKeyOf(inform('SN-LOCKED', []).DeviceId);
      await t.acs.store.setCpeCredentials(key, { username: 'locked', password: 'pw2' });
      const cpe = new ScriptedCpe(t.cwmpUrl);
      const first = await cpe.postRaw(xmlOf('SN-LOCKED'));
      assert.equal(first.status, 401);
      const challenge = String(first.headers['www-authenticate']);
      assert.match(challenge, /^Digest /);
      const ok = await cpe.postRaw(xmlOf('SN-LOCKED'), { Authorization: digestHeader(challenge, 'locked', 'pw2') });
      assert.equal(ok.status, 200);
      await endSession(cpe);
    });

    it('answers 503 with Retry-After when overloaded', async () => {
      const busy = await startTestAcs('auth_overload', { cwmpMaxConcurrent: 0 });
      try {
        const res = await fetch(busy.cwmpUrl, { method: 'POST', body: xmlOf('SN-BUSY') });
        assert.equal(res.status, 503);
        assert.ok(Number(res.headers.get('retry-after')) > 0);
      } finally {
        await busy.stop();
      }
    });
  });
});
