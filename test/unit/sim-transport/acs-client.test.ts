import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { Authenticator, parseAuthParams } from '../../../src/cwmp/http/auth';
import { readCookie } from '../../../src/cwmp/http/cookies';
import { decode } from '../../../src/cwmp/soap/decode';
import { encode } from '../../../src/cwmp/soap/encode';
import { parseQuirks, QUIRK_NAMES } from '../../../src/sim/quirks';
import { AcsClient, AcsEndpoint, type PostOk, type PostResult } from '../../../src/sim/transport/acs-client';
import { FakeAcs, silentServer, type Received } from './fake-acs';
import { expectedEnvelope, GPV_RESPONSE, INFORM } from './messages';

const creds = { username: '00AA11-Box-SN1', password: 'pa:ss "word"' };

function ok(r: PostResult): PostOk {
  assert.ok(r.ok, r.ok ? '' : `${r.kind} ${r.code}: ${r.message}`);
  return r;
}

function reply(res: ServerResponse, status: number, headers: Record<string, string | string[]> = {}, body: string | Buffer = ''): void {
  res.writeHead(status, headers);
  res.end(body);
}

describe('sim AcsClient', function () {
  let acs: FakeAcs;
  let endpoint: AcsEndpoint;
  const clients: AcsClient[] = [];
  const client = (options: ConstructorParameters<typeof AcsClient>[1] = {}, ep = endpoint): AcsClient => {
    const c = new AcsClient(ep, options);
    clients.push(c);
    return c;
  };

  beforeEach(async function () {
    acs = new FakeAcs();
    endpoint = new AcsEndpoint(await acs.start());
  });

  afterEach(async function () {
    clients.splice(0).forEach((c) => c.close());
    endpoint.close();
    await acs.close();
  });

  describe('requests', function () {
    it('a message: Content-Type text/xml, "SOAPAction:" with no value, the exact body', async function () {
      const xml = encode(INFORM);
      const r = ok(await client().post(xml));
      assert.equal(r.status, 204);
      const got = acs.received[0];
      assert.equal(got.method, 'POST');
      assert.equal(got.url, '/acs');
      assert.equal(got.headers['content-type'], 'text/xml; charset="utf-8"');
      assert.equal(got.headers.soapaction, '');
      assert.equal(got.headers['content-length'], String(Buffer.byteLength(xml)));
      assert.equal(got.text, xml);
    });

    it('"Empty POST: no SOAPAction, no Content-Type", Content-Length: 0', async function () {
      ok(await client().post(null));
      const got = acs.received[0];
      assert.equal(got.headers['content-length'], '0');
      assert.ok(!got.headerNames.some((h) => /^(content-type|soapaction|transfer-encoding)$/i.test(h)), got.headerNames.join());
      assert.equal(got.raw.length, 0);
    });

    it('chunked-empty: the empty POST as an empty chunked body', async function () {
      ok(await client({ quirks: parseQuirks('chunked-empty') }).post(null));
      const got = acs.received[0];
      assert.equal(got.headers['transfer-encoding'], 'chunked');
      assert.equal(got.headers['content-length'], undefined);
      assert.equal(got.headers['content-type'], undefined);
      assert.equal(got.text, '');
    });

    it('returns the response: status, headers, body, and round-trip times in microseconds', async function () {
      acs.handler = (_r, res) => reply(res, 200, { 'Content-Type': 'text/xml; charset=utf-8', 'X-Test': '1' }, 'é<ok/>');
      const r = ok(await client().post(encode(INFORM)));
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-test'], '1');
      assert.equal(r.body, 'é<ok/>');
      assert.equal(r.attempts, 1);
      assert.ok(r.rttUs > 0 && r.rttUs <= r.totalUs && r.totalUs < 5_000_000, `${r.rttUs} ${r.totalUs}`);
    });

    it('decodes gzip responses and ISO-8859-1 ones', async function () {
      acs.handler = (r, res) =>
        acs.received.length === 1
          ? reply(res, 200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Encoding': 'gzip' }, gzipSync('☕ ok'))
          : reply(res, 200, { 'Content-Type': 'text/xml; charset=ISO-8859-1' }, Buffer.from('caf\xe9', 'latin1'));
      const c = client();
      assert.equal(ok(await c.post('<a/>')).body, '☕ ok');
      assert.equal(ok(await c.post('<a/>')).body, 'café');
    });

    for (const quirk of QUIRK_NAMES) {
      it(`${quirk}: what reaches the ACS still decodes to the same Inform and GetParameterValuesResponse`, async function () {
        const quirks = parseQuirks(quirk);
        const c = client({ quirks });
        for (const env of [INFORM, GPV_RESPONSE]) {
          ok(await c.post(encode(env)));
          const got = acs.received[acs.received.length - 1];
          assert.equal(got.bodyError, undefined);
          const d = decode(got.text);
          assert.ok(d.ok, d.ok ? '' : d.reason);
          assert.deepEqual(d.envelope, expectedEnvelope(env, quirks));
        }
        if (quirk === 'gzip') assert.equal(acs.received[0].headers['content-encoding'], 'gzip');
        if (quirk === 'iso-8859-1') {
          assert.equal(acs.received[0].headers['content-type'], 'text/xml; charset=ISO-8859-1');
          assert.ok(acs.received[0].raw.includes(Buffer.from('Ünïcode', 'latin1')));
        }
      });
    }
  });

  describe('connections', function () {
    it('keeps ONE connection for a session and opens a new one for the next session', async function () {
      const c = client();
      c.startSession();
      for (const body of [encode(INFORM), null, encode(GPV_RESPONSE)]) ok(await c.post(body));
      assert.equal(acs.connections, 1);
      c.endSession();
      c.startSession();
      ok(await c.post(encode(INFORM)));
      assert.equal(acs.connections, 2);
    });

    it('two devices never share a connection', async function () {
      const [a, b] = [client(), client()];
      await Promise.all([a.post(null), b.post(null)]);
      await Promise.all([a.post(null), b.post(null)]);
      assert.equal(acs.connections, 2);
    });

    it("connection 'per-post' opens a connection per POST", async function () {
      const perPost = new AcsEndpoint(`http://127.0.0.1:${endpoint.port}/acs`, { connection: 'per-post' });
      const c = client({}, perPost);
      ok(await c.post(null));
      ok(await c.post(null));
      assert.equal(acs.connections, 2);
      assert.equal(acs.received[0].headers.connection, 'close');
    });

    it('a second POST while one is in flight is refused as busy, not pipelined', async function () {
      const c = client();
      const [first, second] = await Promise.all([c.post(null), c.post(null)]);
      assert.equal(ok(first).status, 204);
      assert.deepEqual(second.ok ? null : second.kind, 'busy');
    });

    it('resends once on a fresh connection when a reused keep-alive connection turns out closed', async function () {
      const served = new WeakMap<object, number>();
      acs.handler = (_r, res, req) => {
        const n = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, n);
        if (n === 2) req.socket.destroy();
        else reply(res, 204);
      };
      const c = client();
      ok(await c.post(null));
      const r = ok(await c.post(null));
      assert.equal(r.attempts, 2);
      assert.equal(acs.connections, 2);
    });
  });

  describe('cookies', function () {
    function setCookieOnInform(value: string | string[]): void {
      acs.handler = (r, res) => reply(res, r.raw.length > 0 ? 200 : 204, r.raw.length > 0 ? { 'Set-Cookie': value } : {});
    }

    it('returns the session cookie on every later POST of the session, and forgets it with the session', async function () {
      setCookieOnInform(['session=abc123; Path=/; HttpOnly', 'lb=node7']);
      const c = client();
      c.startSession();
      ok(await c.post(encode(INFORM)));
      ok(await c.post(null));
      ok(await c.post(null));
      assert.equal(acs.received[0].headers.cookie, undefined);
      assert.equal(acs.received[1].headers.cookie, 'session=abc123; lb=node7');
      assert.equal(acs.received[2].headers.cookie, 'session=abc123; lb=node7');
      c.endSession();
      c.startSession();
      ok(await c.post(null));
      assert.equal(acs.received[3].headers.cookie, undefined);
    });

    it('a cookie set with Max-Age=0 is removed', async function () {
      const c = client();
      acs.handler = (_r, res) => reply(res, 200, { 'Set-Cookie': 'session=x' });
      ok(await c.post(null));
      acs.handler = (_r, res) => reply(res, 200, { 'Set-Cookie': 'session=; Max-Age=0' });
      ok(await c.post(null));
      ok(await c.post(null));
      assert.equal(acs.received[2].headers.cookie, undefined);
    });

    it('no-cookie: never returns cookies', async function () {
      setCookieOnInform('session=abc123; Path=/');
      const c = client({ quirks: parseQuirks('no-cookie') });
      ok(await c.post(encode(INFORM)));
      ok(await c.post(null));
      assert.equal(acs.received[1].headers.cookie, undefined);
    });

    it('version-cookie: RFC 2965 style, which the ACS still reads', async function () {
      setCookieOnInform('session=abc123; Path=/');
      const c = client({ quirks: parseQuirks('version-cookie') });
      ok(await c.post(encode(INFORM)));
      ok(await c.post(null));
      const header = acs.received[1].headers.cookie;
      assert.equal(header, '$Version="0"; session=abc123; $Path=/');
      assert.equal(readCookie(header, 'session'), 'abc123');
    });
  });

  describe('HTTP authentication', function () {
    const acsAuth = new Authenticator('acs', Buffer.from('test secret'));

    /**
     * The ACS: every request must authenticate with `scheme` (as src/cwmp does, through its Authenticator).
     * The `staleAt`-th request that authenticates is refused with a stale=true challenge instead.
     */
    function requireAuth(scheme: 'basic' | 'digest', staleAt = 0): Received[] {
      const accepted: Received[] = [];
      let good = 0;
      acs.handler = (r, res) => {
        const v = acsAuth.verify(r.headers.authorization, scheme, creds, r.method, r.url);
        if (v.ok && ++good === staleAt) return reply(res, 401, { 'WWW-Authenticate': acsAuth.challenge('digest', true) });
        if (!v.ok) return reply(res, 401, { 'WWW-Authenticate': v.challenge });
        accepted.push(r);
        reply(res, 204);
      };
      return accepted;
    }

    it('answers a Basic challenge once, then sends Basic on the rest of the session', async function () {
      const accepted = requireAuth('basic');
      const c = client(creds);
      const r = ok(await c.post(encode(INFORM)));
      assert.equal(r.status, 204);
      assert.equal(r.attempts, 2);
      assert.ok(r.rttUs < r.totalUs);
      ok(await c.post(null));
      assert.equal(acs.received.length, 3);
      assert.equal(accepted.length, 2);
      assert.equal(acs.received[1].text, acs.received[0].text, 'the same request is sent again');
    });

    it('pre-emptive Basic: authenticated on the first request', async function () {
      requireAuth('basic');
      const r = ok(await client({ ...creds, preemptiveBasic: true }).post(encode(INFORM)));
      assert.equal(r.attempts, 1);
      assert.equal(r.status, 204);
    });

    it('answers a Digest challenge (qop=auth, MD5) on the same connection, with nc counting up afterwards', async function () {
      const accepted = requireAuth('digest');
      const c = client(creds);
      c.startSession();
      const r = ok(await c.post(encode(INFORM)));
      assert.equal(r.status, 204);
      assert.equal(r.attempts, 2);
      ok(await c.post(null));
      ok(await c.post(encode(GPV_RESPONSE)));
      assert.equal(accepted.length, 3);
      assert.equal(acs.received.length, 4, 'one 401, then every request authenticated up front');
      assert.equal(acs.connections, 1, 'the 401 is answered on the same connection');
      const params = accepted.map((a) => parseAuthParams(a.headers.authorization?.slice(7) ?? ''));
      assert.deepEqual(params.map((p) => p.nc), ['00000001', '00000002', '00000003']);
      assert.equal(new Set(params.map((p) => p.nonce)).size, 1);
      assert.equal(new Set(params.map((p) => p.cnonce)).size, 3, 'a fresh cnonce per request');
      assert.ok(params.every((p) => p.qop === 'auth' && p.uri === '/acs' && p.username === creds.username));
    });

    it('answers a stale=true challenge in mid-session with the new nonce', async function () {
      const accepted = requireAuth('digest', 2);
      const c = client(creds);
      assert.equal(ok(await c.post(null)).attempts, 2);
      const r = ok(await c.post(null));
      assert.equal(r.status, 204);
      assert.equal(r.attempts, 2);
      const [first, second] = accepted.map((a) => parseAuthParams(a.headers.authorization?.slice(7) ?? ''));
      assert.notEqual(first.nonce, second.nonce);
      assert.equal(second.nc, '00000001');
    });

    it('a wrong password: one retry, then the 401 is the result (no loop)', async function () {
      requireAuth('digest');
      const r = ok(await client({ ...creds, password: 'wrong' }).post(encode(INFORM)));
      assert.equal(r.status, 401);
      assert.equal(r.attempts, 2);
      requireAuth('basic');
      const b = ok(await client({ ...creds, password: 'wrong', preemptiveBasic: true }).post(null));
      assert.equal(b.status, 401);
      assert.equal(b.attempts, 1, 'the refused Basic credentials are not sent again');
    });

    it('without credentials a 401 is simply returned', async function () {
      requireAuth('digest');
      const r = ok(await client().post(null));
      assert.equal(r.status, 401);
      assert.equal(r.attempts, 1);
    });

    it('prefers Digest when offered both, and copes with an unusable challenge', async function () {
      acs.handler = (r, res) =>
        r.headers.authorization?.startsWith('Digest ')
          ? reply(res, 204)
          : reply(res, 401, { 'WWW-Authenticate': ['Basic realm="acs"', `Digest realm="acs", qop="auth-int,auth", nonce="n1", opaque="o"`] });
      const r = ok(await client(creds).post(null));
      assert.equal(r.status, 204);
      assert.match(acs.received[1].headers.authorization ?? '', /opaque="o"/);
      acs.handler = (_r, res) => reply(res, 401, { 'WWW-Authenticate': 'Digest realm="acs", qop="auth-int", nonce="n"' });
      assert.equal(ok(await client(creds).post(null)).attempts, 1);
    });
  });

  describe('failures are results, never exceptions', function () {
    it('timeout', async function () {
      const silent = await silentServer();
      const ep = new AcsEndpoint(silent.url, { timeoutMs: 150 });
      try {
        const r = await client({}, ep).post(encode(INFORM));
        assert.equal(r.ok, false);
        assert.equal(r.ok ? '' : r.kind, 'timeout');
        assert.ok(r.totalUs >= 140_000, String(r.totalUs));
      } finally {
        await silent.close();
      }
    });

    it('connection refused', async function () {
      const port = await freePort();
      const r = await client({}, new AcsEndpoint(`http://127.0.0.1:${port}/`)).post(null);
      assert.deepEqual(r.ok ? null : [r.kind, r.code], ['refused', 'ECONNREFUSED']);
    });

    it('connection reset mid-request', async function () {
      acs.handler = (_r, _res, req) => req.socket.destroy();
      const r = await client().post(encode(INFORM));
      assert.equal(r.ok ? '' : r.kind, 'reset');
    });

    it('a response that is not HTTP, and a gzip body that is not gzip', async function () {
      const server = net.createServer((s) => s.end('SSH-2.0-OpenSSH\r\n\r\n'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      const r = await client({}, new AcsEndpoint(`http://127.0.0.1:${port}/`)).post(null);
      server.close();
      assert.equal(r.ok ? '' : r.kind, 'protocol');
      acs.handler = (_r, res) => reply(res, 200, { 'Content-Encoding': 'gzip' }, 'not gzip');
      const g = await client().post(null);
      assert.equal(g.ok ? '' : g.kind, 'protocol');
    });

    it('a closed client', async function () {
      const c = client();
      c.close();
      const r = await c.post(null);
      assert.equal(r.ok ? '' : r.kind, 'closed');
    });
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
