import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import dgram from 'node:dgram';
import {
  buildUdpConnectionRequest,
  checkUdpConnectionRequest,
  parseUdpConnectionRequest,
  type UdpConnectionRequest,
} from '../../../src/sim/conn-request/udp-message';
import { UdpConnectionRequestListener, type UdpCrEvent } from '../../../src/sim/conn-request/udp-listener';

const NOW_SEC = 1_800_000_000;
const dev = { username: 'CPE57689', password: 'p@ss word' };

function parsed(text: string | Buffer): UdpConnectionRequest {
  const r = parseUdpConnectionRequest(text);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.message;
}

describe('sim UDP connection request (TR-069 Annex G)', function () {
  describe('message', function () {
    it('has the exact form: GET http://host:port?ts&id&un&cn&sig HTTP/1.1, Host, empty line', function () {
      const text = buildUdpConnectionRequest({ host: '10.1.1.1', port: 8080, ...dev, ts: 1120673700, id: '1234', cnonce: 'XTGRWIPC6D3IPXS3' });
      const sig = createHmac('sha1', dev.password).update(`1120673700${'1234'}${dev.username}XTGRWIPC6D3IPXS3`).digest('hex');
      assert.equal(
        text,
        `GET http://10.1.1.1:8080?ts=1120673700&id=1234&un=CPE57689&cn=XTGRWIPC6D3IPXS3&sig=${sig} HTTP/1.1\r\nHost: 10.1.1.1:8080\r\n\r\n`,
      );
    });

    it('round-trips and verifies; random id and cnonce by default', function () {
      const a = parsed(buildUdpConnectionRequest({ host: '127.0.0.1', port: 9, ...dev, ts: NOW_SEC }));
      const b = parsed(buildUdpConnectionRequest({ host: '127.0.0.1', port: 9, ...dev, ts: NOW_SEC }));
      assert.equal(a.authority, '127.0.0.1:9');
      assert.equal(a.un, dev.username);
      assert.notEqual(a.id, b.id);
      assert.notEqual(a.cn, b.cn);
      assert.equal(checkUdpConnectionRequest(a, dev.password, { nowSec: NOW_SEC }), 'ok');
    });

    it('percent-encodes a username that needs it, and signs the plain value', function () {
      const m = parsed(buildUdpConnectionRequest({ host: 'h', port: 1, username: 'a&b=c d', password: 'x', ts: NOW_SEC }));
      assert.equal(m.un, 'a&b=c d');
      assert.equal(checkUdpConnectionRequest(m, 'x', { nowSec: NOW_SEC }), 'ok');
    });

    it('accepts the TR-111 example style: upper-case hex, LF line ends, no Host', function () {
      const sig = createHmac('sha1', 'pw').update('1120673700' + '1234' + 'CPE57689' + 'XTGRWIPC6D3IPXS3').digest('hex').toUpperCase();
      const m = parsed(`GET http://10.1.1.1:8080?ts=1120673700&id=1234&un=CPE57689&cn=XTGRWIPC6D3IPXS3&sig=${sig} HTTP/1.1\n\n`);
      assert.equal(checkUdpConnectionRequest(m, 'pw', { nowSec: 1120673700 }), 'ok');
    });

    it('refuses malformed datagrams with a reason', function () {
      const good = buildUdpConnectionRequest({ host: 'h', port: 1, ...dev, ts: NOW_SEC });
      for (const bad of [
        '',
        'garbage',
        good.replace('GET', 'POST'),
        good.replace(/ts=\d+/, 'ts=soon'),
        good.replace(/&cn=[^&]+/, ''),
        good.replace(/sig=[0-9a-f]+/, 'sig=abc'),
        good.replace('?', '#'),
        good.replace(/un=[^&]+/, 'un=%E0%A4%A'),
        'x'.repeat(5000),
        Buffer.from([0xff, 0x00, 0x13]),
      ]) {
        const r = parseUdpConnectionRequest(bad);
        assert.equal(r.ok, false, String(bad).slice(0, 60));
      }
    });

    it('checks signature, then age (60 s) and future ts', function () {
      const m = parsed(buildUdpConnectionRequest({ host: 'h', port: 1, ...dev, ts: NOW_SEC }));
      assert.equal(checkUdpConnectionRequest(m, 'wrong', { nowSec: NOW_SEC }), 'bad-signature');
      assert.equal(checkUdpConnectionRequest({ ...m, id: m.id + '1' }, dev.password, { nowSec: NOW_SEC }), 'bad-signature');
      assert.equal(checkUdpConnectionRequest(m, dev.password, { nowSec: NOW_SEC + 60 }), 'ok');
      assert.equal(checkUdpConnectionRequest(m, dev.password, { nowSec: NOW_SEC + 61 }), 'stale');
      assert.equal(checkUdpConnectionRequest(m, dev.password, { nowSec: NOW_SEC - 6 }), 'future');
    });
  });

  describe('listener', function () {
    let listener: UdpConnectionRequestListener;
    let sender: dgram.Socket;
    let clockMs: number;
    let calls: number;
    let events: UdpCrEvent[];

    beforeEach(async function () {
      clockMs = NOW_SEC * 1000;
      calls = 0;
      events = [];
      listener = new UdpConnectionRequestListener({ now: () => clockMs, onEvent: (e) => events.push(e) });
      await listener.listen();
      listener.register(dev.username, { password: dev.password, onRequest: () => calls++ });
      sender = dgram.createSocket('udp4');
    });

    afterEach(async function () {
      sender.close();
      await listener.close();
    });

    /** Sends datagrams and waits until the listener has seen them all. */
    async function send(...datagrams: string[]): Promise<void> {
      const before = events.length;
      for (const d of datagrams) sender.send(d, listener.port, '127.0.0.1');
      for (let i = 0; i < 200 && events.length < before + datagrams.length; i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(events.length >= before + datagrams.length, 'datagrams lost');
    }

    const message = (over: Partial<Parameters<typeof buildUdpConnectionRequest>[0]> = {}): string =>
      buildUdpConnectionRequest({ host: '127.0.0.1', port: listener.port, ...dev, ts: NOW_SEC, ...over });

    it('accepts a valid request once; the ACS\'s extra copies count as replays', async function () {
      const m = message();
      await send(m, m, m);
      assert.equal(calls, 1);
      assert.equal(listener.stats.accepted, 1);
      assert.equal(listener.stats.replayed, 2);
      assert.match(listener.address, /^127\.0\.0\.1:\d+$/);
    });

    it('ignores a bad signature, a stale or future ts, an unknown user and garbage', async function () {
      await send(
        message({ password: 'wrong' }),
        message({ ts: NOW_SEC - 61 }),
        message({ ts: NOW_SEC + 60 }),
        message({ username: 'nobody' }),
        'GET / HTTP/1.1\r\n\r\n',
        '\x00\xff\xfe',
      );
      assert.equal(calls, 0);
      assert.deepEqual(
        events.map((e) => e.outcome),
        ['bad-signature', 'stale', 'future', 'unknown-user', 'malformed', 'malformed'],
      );
    });

    it('a new id is a new request; a replayed id is forgotten only once its ts is stale anyway', async function () {
      const first = message({ id: '42' });
      await send(first, message({ id: '43' }));
      assert.equal(calls, 2);
      clockMs += 30_000;
      await send(first);
      assert.equal(listener.stats.replayed, 1);
      clockMs += 40_000;
      await send(first);
      assert.equal(listener.stats.stale, 1);
      assert.equal(listener.remembered, 0);
      assert.equal(calls, 2);
    });

    it('an onRequest that throws does not stop the listener', async function () {
      listener.register('thrower', { password: 'x', onRequest: () => { throw new Error('boom'); } });
      await send(message({ username: 'thrower', password: 'x' }));
      await send(message({ id: '7' }));
      assert.equal(calls, 1);
      assert.ok(events.some((e) => e.reason === 'onRequest threw: boom'));
    });
  });
});
