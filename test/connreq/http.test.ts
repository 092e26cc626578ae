import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { ConnectionRequester } from '../../src/connreq';
import { HttpConnectionRequestListener } from '../../src/sim/conn-request/http-listener';
import { describeEachDriver } from '../helpers/db';
import { cachedDevice, log, testRedis, type TestRedis } from './helpers';

const FAST = { http: { timeoutMs: 300, attempts: 2, backoffMs: 20 }, deviceIntervalMs: 0, ratePerSecond: 0 };

describeEachDriver('connection requests over HTTP (TR-069 §3.2.2)', 'acs_test_connreq_http', (ctx) => {
  let r: TestRedis;
  let cpe: HttpConnectionRequestListener;
  let requester: ConnectionRequester;
  let sessions: string[];

  before(async () => {
    r = testRedis('http');
    cpe = new HttpConnectionRequestListener({ minIntervalMs: 0 });
    await cpe.listen();
    requester = new ConnectionRequester({ store: ctx.store, redis: r.redis, prefix: r.prefix, log }, FAST);
  });
  after(async () => {
    await cpe.close();
    await r.close();
  });
  beforeEach(() => (sessions = []));

  /** A device served by the simulator's listener, whose cached password is "" as a CPE's GPV answers. */
  async function simDevice(password = 'cr-secret'): Promise<string> {
    const path = `/cr/${Math.random().toString(36).slice(2)}`;
    cpe.register(path, { username: 'cr-user', password, onRequest: () => sessions.push(path) });
    return cachedDevice(ctx.store, { ConnectionRequestURL: cpe.url(path), ConnectionRequestUsername: 'cr-user', ConnectionRequestPassword: '' });
  }

  it('answers the CPE\'s Digest challenge with the stored credentials: 200, recorded as ok', async () => {
    const device = await simDevice();
    await requester.setCredentials(device, { username: 'cr-user', password: 'cr-secret' });
    const accepted = cpe.stats.accepted;
    const outcome = await requester.request(device);
    assert.equal(outcome.outcome, 'ok', outcome.message);
    assert.equal(outcome.via, 'http');
    assert.equal(cpe.stats.accepted, accepted + 1);
    assert.equal(sessions.length, 1);
    const last = await requester.lastAttempt(device);
    assert.equal(last?.outcome, 'ok');
    assert.equal(last?.via, 'http');
    assert.ok(last && Math.abs(last.time - Date.now()) < 10_000);
  });

  it('uses the cached ConnectionRequestUsername/Password when none are stored', async () => {
    const path = '/cr/cached';
    cpe.register(path, { username: 'u2', password: 'p2', onRequest: () => sessions.push(path) });
    const device = await cachedDevice(ctx.store, { ConnectionRequestURL: cpe.url(path), ConnectionRequestUsername: 'u2', ConnectionRequestPassword: 'p2' }, 'InternetGatewayDevice.ManagementServer.');
    const outcome = await requester.request(device);
    assert.equal(outcome.outcome, 'ok', outcome.message);
    assert.deepEqual(sessions, [path]);
  });

  it('a wrong password is auth-failed, and the CPE opens no session', async () => {
    const device = await simDevice();
    await requester.setCredentials(device, { username: 'cr-user', password: 'wrong' });
    const refused = cpe.stats.unauthorized;
    const outcome = await requester.request(device);
    assert.equal(outcome.outcome, 'auth-failed');
    assert.match(outcome.message, /refused the credentials/);
    assert.equal(cpe.stats.unauthorized, refused + 2, 'the challenge, then the refused answer');
    assert.equal(sessions.length, 0);
    assert.equal((await requester.lastAttempt(device))?.outcome, 'auth-failed');
  });

  it('the cached empty password alone (no stored credentials) is auth-failed', async () => {
    const device = await simDevice();
    const outcome = await requester.request(device);
    assert.equal(outcome.outcome, 'auth-failed');
  });

  it('a closed port is refused after the retries, and recorded', async () => {
    const port = await closedPort();
    const device = await cachedDevice(ctx.store, { ConnectionRequestURL: `http://127.0.0.1:${port}/cr` });
    const outcome = await requester.request(device);
    assert.equal(outcome.outcome, 'refused');
    assert.match(outcome.message, /try 2 of 2/);
    assert.equal((await requester.lastAttempt(device))?.outcome, 'refused');
  });

  it('a CPE that never answers is a timeout, tried again before giving up', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const device = await cachedDevice(ctx.store, { ConnectionRequestURL: `http://127.0.0.1:${port}/cr` });
      const started = Date.now();
      const outcome = await requester.request(device);
      assert.equal(outcome.outcome, 'timeout');
      assert.equal(sockets.length, 2, 'two attempts');
      assert.ok(Date.now() - started >= 600, 'each attempt waited its timeout');
      assert.equal((await requester.lastAttempt(device))?.outcome, 'timeout');
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('answers Basic when Basic is all the CPE offers (and not when Basic is switched off)', async () => {
    const seen: (string | undefined)[] = [];
    const basic = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      const ok = req.headers.authorization === 'Basic ' + Buffer.from('bu:bp').toString('base64');
      res.writeHead(ok ? 200 : 401, ok ? {} : { 'WWW-Authenticate': 'Basic realm="cpe"' }).end();
    });
    await new Promise<void>((resolve) => basic.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(basic.address() as net.AddressInfo).port}/cr`;
      const device = await cachedDevice(ctx.store, { ConnectionRequestURL: url });
      await requester.setCredentials(device, { username: 'bu', password: 'bp' });
      const outcome = await requester.request(device);
      assert.equal(outcome.outcome, 'ok', outcome.message);
      assert.deepEqual(seen, [undefined, 'Basic ' + Buffer.from('bu:bp').toString('base64')]);

      const strict = new ConnectionRequester({ store: ctx.store, redis: r.redis, prefix: r.prefix, log }, { ...FAST, http: { ...FAST.http, allowBasic: false } });
      await strict.connected(device);
      const refused = await strict.request(device);
      assert.equal(refused.outcome, 'auth-failed');
      assert.match(refused.message, /Basic, which is switched off/);
    } finally {
      basic.close();
    }
  });

  it('the challenge and its answer share one connection when the CPE keeps it open, and take a new one when it closes after its 401', async () => {
    for (const closes of [false, true]) {
      const connections: net.Socket[] = [];
      const cpeServer = http.createServer((req, res) => {
        const ok = req.headers.authorization === 'Basic ' + Buffer.from('ku:kp').toString('base64');
        if (ok) return void res.writeHead(200).end();
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cpe"', ...(closes ? { Connection: 'close' } : {}) }).end();
      });
      cpeServer.on('connection', (s: net.Socket) => connections.push(s));
      await new Promise<void>((resolve) => cpeServer.listen(0, '127.0.0.1', resolve));
      try {
        const device = await cachedDevice(ctx.store, { ConnectionRequestURL: `http://127.0.0.1:${(cpeServer.address() as net.AddressInfo).port}/cr` });
        await requester.setCredentials(device, { username: 'ku', password: 'kp' });
        const outcome = await requester.request(device);
        assert.equal(outcome.outcome, 'ok', outcome.message);
        assert.equal(connections.length, closes ? 2 : 1, closes ? 'a new connection after the CPE closed' : 'one connection for both requests');
      } finally {
        cpeServer.closeAllConnections();
        cpeServer.close();
      }
    }
  });

  it('a CPE limiting the rate answers 503: recorded as http-503', async () => {
    const limited = new HttpConnectionRequestListener({ minIntervalMs: 60_000 });
    await limited.listen();
    try {
      limited.register('/cr', { username: 'u', password: 'p', onRequest: () => undefined });
      const device = await cachedDevice(ctx.store, { ConnectionRequestURL: limited.url('/cr') });
      await requester.setCredentials(device, { username: 'u', password: 'p' });
      assert.equal((await requester.request(device)).outcome, 'ok');
      await requester.connected(device);
      const second = await requester.request(device);
      assert.equal(second.outcome, 'http-503');
      assert.equal((await requester.lastAttempt(device))?.outcome, 'http-503');
    } finally {
      await limited.close();
    }
  });

  it('no URL and no UDP address is no-url; an ftp: URL is not usable either', async () => {
    const bare = await cachedDevice(ctx.store, {});
    const none = await requester.request(bare);
    assert.equal(none.outcome, 'no-url');
    assert.equal(none.via, null);
    const ftp = await cachedDevice(ctx.store, { ConnectionRequestURL: 'ftp://192.0.2.1/cr' });
    const unusable = await requester.request(ftp);
    assert.equal(unusable.outcome, 'no-url');
    assert.match(unusable.message, /unusable ConnectionRequestURL "ftp:/);
    assert.equal((await requester.lastAttempt(ftp))?.outcome, 'no-url');
  });

  it('stores, reads and clears credentials, and refuses bad ones with a clear error', async () => {
    const device = await cachedDevice(ctx.store, {});
    assert.equal(await requester.getCredentials(device), null);
    await requester.setCredentials(device, { username: 'a b', password: 'trailing ' });
    assert.deepEqual(await requester.getCredentials(device), { username: 'a b', password: 'trailing ' });
    await requester.setCredentials(device, null);
    assert.equal(await requester.getCredentials(device), null);
    await assert.rejects(requester.setCredentials(device, { username: 'x'.repeat(257), password: '' }), { code: 'ACS_ERR_BAD_REQUEST', message: /longer than 256/ });
    await assert.rejects(requester.setCredentials(device, { username: '', password: 'p' }), { code: 'ACS_ERR_BAD_REQUEST', message: /must not be empty/ });
    await assert.rejects(requester.setCredentials(device, { username: 'u', password: 5 as unknown as string }), { code: 'ACS_ERR_BAD_REQUEST', message: /password must be a string/ });
    await assert.rejects(requester.setCredentials('', { username: 'u', password: 'p' }), { code: 'ACS_ERR_BAD_REQUEST' });
  });

  it('a device never asked has no last attempt; storing credentials does not invent one', async () => {
    const device = await cachedDevice(ctx.store, {});
    await requester.setCredentials(device, { username: 'u', password: 'p' });
    assert.equal(await requester.lastAttempt(device), null);
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
