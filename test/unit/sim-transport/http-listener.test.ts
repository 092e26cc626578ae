import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { HttpConnectionRequestListener, type HttpConnectionRequestOptions, type HttpCrEvent } from '../../../src/sim/conn-request/http-listener';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(url: string, headers: Record<string, string> = {}, method = 'GET', agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The test's own reading of a challenge and its own RFC 2617 computation (not the code under test). */
function challengeOf(header: string | undefined): Record<string, string> {
  assert.ok(header !== undefined && header.startsWith('Digest '), header);
  return Object.fromEntries([...header.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]));
}

function digest(header: string | undefined, user: string, pass: string, uri: string, nc = '00000001', cnonce = '0a4f113b'): string {
  const c = challengeOf(header);
  const ha1 = md5(`${user}:${c.realm}:${pass}`);
  const ha2 = md5(`GET:${uri}`);
  const response = md5(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", algorithm=MD5`;
}

function rawExchange(port: number, bytes: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.on('data', (c) => (out += c.toString('latin1')));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    s.setTimeout(timeoutMs, () => s.destroy());
  });
}

describe('sim HTTP connection-request listener', function () {
  let listener: HttpConnectionRequestListener;
  let clock: number;
  let calls: string[];
  let events: HttpCrEvent[];
  const dev = { username: 'cr-user', password: 'cr "pass"' };

  async function start(options: HttpConnectionRequestOptions = {}): Promise<void> {
    listener = new HttpConnectionRequestListener({ now: () => clock, onEvent: (e) => events.push(e), ...options });
    await listener.listen();
    listener.register('/cr/dev1', { ...dev, onRequest: () => calls.push('dev1') });
    listener.register('cr/dev2', { username: 'other', password: 'secret', onRequest: () => calls.push('dev2') });
  }

  /** GET without credentials, then with the answer to the challenge, as an ACS does. */
  async function authenticatedGet(path = '/cr/dev1', user = dev.username, pass = dev.password): Promise<Answer> {
    const first = await request(listener.url(path));
    assert.equal(first.status, 401);
    return request(listener.url(path), { Authorization: digest(first.headers['www-authenticate'], user, pass, path) });
  }

  beforeEach(function () {
    clock = 1_800_000_000_000;
    calls = [];
    events = [];
  });

  afterEach(async function () {
    await listener.close();
  });

  it('challenges with Digest qop="auth", algorithm=MD5 and calls nothing', async function () {
    await start();
    const r = await request(listener.url('/cr/dev1'));
    assert.equal(r.status, 401);
    const c = challengeOf(r.headers['www-authenticate']);
    assert.equal(c.qop, 'auth');
    assert.equal(c.algorithm, 'MD5');
    assert.equal(c.realm, 'acs-sim');
    assert.ok(c.nonce.length > 16);
    assert.deepEqual(calls, []);
  });

  it('a correct Digest answer gets 200 with an empty body, then onRequest() once', async function () {
    await start();
    const r = await authenticatedGet();
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
    assert.equal(r.headers['content-length'], '0');
    assert.deepEqual(calls, ['dev1']);
    assert.equal(listener.stats.accepted, 1);
  });

  it('answers the challenge on the same keep-alive connection (as GenieACS does)', async function () {
    await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    const first = await request(listener.url('/cr/dev1'), {}, 'GET', agent);
    const second = await request(listener.url('/cr/dev1'), { Authorization: digest(first.headers['www-authenticate'], dev.username, dev.password, '/cr/dev1') }, 'GET', agent);
    for (const s of Object.values(agent.freeSockets).flat()) ports.add(s?.localPort ?? 0);
    agent.destroy();
    assert.equal(second.status, 200);
    assert.equal(ports.size, 1);
  });

  it('wrong password, wrong user, another device\'s credentials, Basic: 401', async function () {
    await start();
    assert.equal((await authenticatedGet('/cr/dev1', dev.username, 'wrong')).status, 401);
    assert.equal((await authenticatedGet('/cr/dev1', 'someone', dev.password)).status, 401);
    assert.equal((await authenticatedGet('/cr/dev2', dev.username, dev.password)).status, 401);
    const basic = 'Basic ' + Buffer.from(`${dev.username}:${dev.password}`).toString('base64');
    assert.equal((await request(listener.url('/cr/dev1'), { Authorization: basic })).status, 401);
    assert.equal((await request(listener.url('/cr/dev1'), { Authorization: 'Digest' })).status, 401);
    assert.equal((await request(listener.url('/cr/dev1'), { Authorization: 'Digest nonce="x", response="y", uri="/cr/dev1", username="u", qop=auth, nc=00000001, cnonce="c", realm="acs-sim"' })).status, 401);
    assert.deepEqual(calls, []);
    assert.ok(events.some((e) => e.reason === 'wrong username or password'));
  });

  it('Basic is accepted when allowed', async function () {
    await start({ allowBasic: true });
    const basic = 'Basic ' + Buffer.from(`${dev.username}:${dev.password}`).toString('base64');
    assert.equal((await request(listener.url('/cr/dev1'), { Authorization: basic })).status, 200);
  });

  it('refuses a replayed Authorization (same nonce, same nc) and accepts the next nc', async function () {
    await start({ minIntervalMs: 0 });
    const first = await request(listener.url('/cr/dev1'));
    const auth = digest(first.headers['www-authenticate'], dev.username, dev.password, '/cr/dev1');
    assert.equal((await request(listener.url('/cr/dev1'), { Authorization: auth })).status, 200);
    assert.equal((await request(listener.url('/cr/dev1'), { Authorization: auth })).status, 401);
    const next = digest(first.headers['www-authenticate'], dev.username, dev.password, '/cr/dev1', '00000002');
    assert.equal((await request(listener.url('/cr/dev1'), { Authorization: next })).status, 200);
    assert.deepEqual(calls, ['dev1', 'dev1']);
  });

  it('an expired nonce with a correct answer: 401 with stale=true, then the new nonce works', async function () {
    await start({ nonceLifetimeMs: 30_000 });
    const first = await request(listener.url('/cr/dev1'));
    clock += 31_000;
    const stale = await request(listener.url('/cr/dev1'), { Authorization: digest(first.headers['www-authenticate'], dev.username, dev.password, '/cr/dev1') });
    assert.equal(stale.status, 401);
    assert.match(stale.headers['www-authenticate'] ?? '', /stale=true/);
    const ok = await request(listener.url('/cr/dev1'), { Authorization: digest(stale.headers['www-authenticate'], dev.username, dev.password, '/cr/dev1') });
    assert.equal(ok.status, 200);
  });

  it('rate limit: one accepted request per device per 5 s, 503 with Retry-After otherwise', async function () {
    await start();
    assert.equal((await authenticatedGet()).status, 200);
    clock += 2_000;
    const limited = await authenticatedGet();
    assert.equal(limited.status, 503);
    assert.equal(limited.headers['retry-after'], '3');
    assert.equal((await authenticatedGet('/cr/dev2', 'other', 'secret')).status, 200, 'other devices are not limited');
    clock += 3_000;
    assert.equal((await authenticatedGet()).status, 200);
    assert.deepEqual(calls, ['dev1', 'dev2', 'dev1']);
  });

  it('unknown path: 404; non-GET: 405 with Allow: GET; unregistered: 404', async function () {
    await start();
    assert.equal((await request(listener.url('/cr/nobody'))).status, 404);
    const post = await request(listener.url('/cr/dev1'), {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET');
    assert.equal((await request(listener.url('/cr/dev1?x=1'))).status, 401, 'the query string is not part of the path');
    const unregister = listener.register('/cr/dev3', { ...dev, onRequest: () => undefined });
    unregister();
    assert.equal((await request(listener.url('/cr/dev3'))).status, 404);
  });

  it('never crashes on garbage, and keeps serving', async function () {
    await start();
    const port = listener.port;
    assert.match(await rawExchange(port, '\x00\x01\x02 garbage\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await rawExchange(port, `GET /cr/dev1 HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`), /^HTTP\/1\.1 431/);
    assert.match(await rawExchange(port, 'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await rawExchange(port, 'GET http://h/cr/dev1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 401/);
    assert.match(await rawExchange(port, 'GET /cr/dev1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde'), /^HTTP\/1\.1 401/);
    await rawExchange(port, 'GET /cr/de', 100);
    assert.equal((await authenticatedGet()).status, 200);
  });

  it('an onRequest that throws is reported; the request was accepted and the listener lives on', async function () {
    await start();
    listener.register('/cr/bad', { ...dev, onRequest: () => { throw new Error('boom'); } });
    assert.equal((await authenticatedGet('/cr/bad')).status, 200);
    assert.ok(events.some((e) => e.reason === 'onRequest threw: boom'));
    assert.equal((await authenticatedGet()).status, 200);
  });
});
