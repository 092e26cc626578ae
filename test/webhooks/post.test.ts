/**
 * The delivery POST (src/webhooks/post.ts) against receivers that answer in
 * every way HTTP/1.1 allows, and some it does not: what counts as delivered,
 * and that every failure is a failed attempt with a clear error string.
 */
import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { post } from '../../src/webhooks/post';
import { verifySignature } from '../../src/webhooks/sign';

const SECRET = 'a-secret-of-at-least-16';
const BODY = JSON.stringify({ id: 'd-1', event: 'device.inform', time: '2026-12-05T00:00:00.000Z', device: 'dev-1', data: { a: 1 } });
const fixtures = path.join(__dirname, 'fixtures');

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A node:http receiver answering with `answer`; it records each request and counts connections. */
async function httpReceiver(answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void, server: http.Server = http.createServer()) {
  const seen: Seen[] = [];
  const state = { connections: 0, open: 0, maxOpen: 0 };
  server.on('connection', (socket: net.Socket) => {
    state.connections++;
    state.maxOpen = Math.max(state.maxOpen, ++state.open);
    socket.on('close', () => state.open--);
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { seen, state, port, close: () => closeServer(server) };
}

/** A raw TCP receiver: `onRequest` gets the socket once a whole request (headers and Content-Length body) is in, with its delivery id. */
async function rawReceiver(onRequest: (socket: net.Socket, n: number, id: string) => void) {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.setEncoding('latin1');
    socket.on('error', () => {});
    socket.on('data', (d: string) => {
      buf += d;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const id = /x-acs-delivery: *(\S+)/i.exec(buf.slice(0, end))?.[1] ?? '';
        buf = buf.slice(end + 4 + len);
        onRequest(socket, ++n, id);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () => {
    // The client keeps its connections: a net.Server's close waits for them.
    for (const s of sockets) s.destroy();
    return closeServer(server);
  };
  return { port, requests: () => n, close };
}

async function closeServer(server: net.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  (server as http.Server).closeAllConnections?.();
  await closed;
}

const url = (port: number, scheme = 'http') => `${scheme}://127.0.0.1:${port}/hook?x=1`;

describe('webhook POST', function () {
  this.timeout(20_000);

  it('sends the signed delivery (headers, body, path) and calls a 204 delivered', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(204).end());
    try {
      const o = await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000);
      assert.deepEqual(o, { ok: true, status: 204 });
      const [s] = r.seen;
      assert.equal(s.method, 'POST');
      assert.equal(s.url, '/hook?x=1');
      assert.equal(s.body, BODY);
      assert.equal(s.headers['content-type'], 'application/json');
      assert.equal(s.headers['content-length'], String(Buffer.byteLength(BODY)));
      assert.equal(s.headers['user-agent'], 'acs-webhooks');
      assert.equal(s.headers['x-acs-delivery'], 'd-1');
      assert.equal(s.headers['x-acs-event'], 'device.inform');
      assert.equal(s.headers.host, `127.0.0.1:${r.port}`);
      assert.match(String(s.headers['x-acs-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.ok(verifySignature(SECRET, BODY, String(s.headers['x-acs-signature'])));
      assert.ok(!verifySignature('another-secret-of-16', BODY, String(s.headers['x-acs-signature'])));
    } finally {
      await r.close();
    }
  });

  it('sends a body with multi-byte characters whole (Content-Length in bytes)', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(200).end('ok'));
    const body = JSON.stringify({ id: 'd-2', data: { name: 'Gerät – ünïcode ✓ 😀' } });
    try {
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', body, SECRET, 5000), { ok: true, status: 200 });
      assert.equal(r.seen[0].body, body);
      assert.ok(verifySignature(SECRET, body, String(r.seen[0].headers['x-acs-signature'])));
    } finally {
      await r.close();
    }
  });

  it('sends credentials in the URL as Basic authorization, and none when the URL has none', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(204).end());
    try {
      assert.equal((await post(`http://us%40er:p%3Ass@127.0.0.1:${r.port}/hook`, 'd-1', 'device.inform', BODY, SECRET, 5000)).ok, true);
      assert.equal((await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000)).ok, true);
      assert.equal(r.seen[0].headers.authorization, `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
      assert.equal(r.seen[0].url, '/hook');
      assert.equal(r.seen[1].headers.authorization, undefined);
    } finally {
      await r.close();
    }
  });

  it('keeps the connection alive: POSTs one after the other reuse their connections', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(204).end());
    try {
      for (let i = 0; i < 20; i++) assert.equal((await post(url(r.port), `d-${i}`, 'device.inform', BODY, SECRET, 5000)).ok, true);
      assert.equal(r.seen.length, 20);
      assert.equal(r.state.connections, 1);
    } finally {
      await r.close();
    }
  });

  it('opens at most 64 connections to a receiver, however many POSTs are in flight, and delivers them all', async () => {
    const r = await httpReceiver((_req, res) => setTimeout(() => res.writeHead(204).end(), 20));
    try {
      const outcomes = await Promise.all(Array.from({ length: 300 }, (_x, i) => post(url(r.port), `d-${i}`, 'device.inform', BODY, SECRET, 10_000)));
      assert.equal(outcomes.filter((o) => o.ok).length, 300);
      assert.equal(r.seen.length, 300);
      assert.ok(r.state.maxOpen <= 64, `${r.state.maxOpen} connections at once`);
      assert.ok(r.state.maxOpen > 1, 'POSTs in flight go on several connections');
    } finally {
      await r.close();
    }
  });

  it('reads a chunked answer to its end', async () => {
    const r = await httpReceiver((_req, res) => {
      res.writeHead(202, { 'Content-Type': 'text/plain' });
      res.write('accepted, ');
      setTimeout(() => res.end('later'), 20);
    });
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 202 });
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 202 });
      assert.equal(r.seen.length, 2);
    } finally {
      await r.close();
    }
  });

  it('takes an answer with Connection: close, and the next POST opens a new connection', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(200, { Connection: 'close', 'Content-Length': '2' }).end('ok'));
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 200 });
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 200 });
      assert.equal(r.state.connections, 2);
    } finally {
      await r.close();
    }
  });

  it('takes an HTTP/1.0 answer whose body ends with the connection', async () => {
    const r = await rawReceiver((socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it'));
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 200 });
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 200 });
    } finally {
      await r.close();
    }
  });

  it('skips an informational 1xx answer and takes the final one', async () => {
    const r = await rawReceiver((socket) => socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'));
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 204 });
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 204 });
    } finally {
      await r.close();
    }
  });

  it('fails an attempt whose answer is cut short (the connection closed before the Content-Length was read), saying so', async () => {
    const r = await rawReceiver((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part'));
    try {
      const o = await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000);
      assert.equal(o.ok, false);
      assert.match(o.ok ? '' : o.error, /^the answer was cut short: /);
      assert.equal(o.status, null);
    } finally {
      await r.close();
    }
  });

  it('fails an attempt whose chunked answer is cut short', async () => {
    const r = await rawReceiver((socket) => socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'));
    try {
      const o = await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000);
      assert.equal(o.ok, false);
      assert.match(o.ok ? '' : o.error, /^the answer was cut short: /);
    } finally {
      await r.close();
    }
  });

  it('fails an attempt the receiver closes without an answer, and the next POST gets a new connection', async () => {
    const r = await rawReceiver((socket, n) => (n === 1 ? socket.destroy() : socket.write('HTTP/1.1 204 No Content\r\n\r\n')));
    try {
      const o = await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000);
      assert.equal(o.ok, false);
      assert.match(o.ok ? '' : o.error, /other side closed|ECONNRESET|socket/i);
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 204 });
    } finally {
      await r.close();
    }
  });

  it('fails an attempt on a garbled answer', async () => {
    const r = await rawReceiver((socket) => socket.write('this is not HTTP\r\n\r\n'));
    try {
      const o = await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000);
      assert.equal(o.ok, false);
      assert.ok(!o.ok && o.error.length > 0);
    } finally {
      await r.close();
    }
  });

  it('fails an attempt with no answer within the timeout, promptly, and the next POST goes through', async () => {
    const r = await rawReceiver((socket, n) => n > 1 && socket.write('HTTP/1.1 204 No Content\r\n\r\n'));
    try {
      const t0 = Date.now();
      const o = await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 300);
      const took = Date.now() - t0;
      assert.deepEqual(o, { ok: false, status: null, error: 'no answer within 300 ms' });
      assert.ok(took >= 290 && took < 2000, `took ${took} ms`);
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 204 });
    } finally {
      await r.close();
    }
  });

  it('times out a POST still waiting for one of the receiver\'s 64 connections, and never sends it', async () => {
    const held: net.Socket[] = [];
    const r = await rawReceiver((socket) => held.push(socket));
    try {
      const first = Array.from({ length: 64 }, (_x, i) => post(url(r.port), `d-${i}`, 'device.inform', BODY, SECRET, 10_000));
      while (r.requests() < 64) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(await post(url(r.port), 'd-late', 'device.inform', BODY, SECRET, 200), { ok: false, status: null, error: 'no answer within 200 ms' });
      for (const socket of held) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      assert.equal((await Promise.all(first)).filter((o) => o.ok).length, 64);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(r.requests(), 64);
    } finally {
      await r.close();
    }
  });

  it('skips a 100 Continue it did not ask for, as any 1xx (RFC 9110 §15.2), and takes the final answer', async () => {
    const r = await rawReceiver((socket) => socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'));
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 204 });
    } finally {
      await r.close();
    }
  });

  it('times out an answer whose body does not come', async () => {
    const r = await rawReceiver((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab'));
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 300), { ok: false, status: null, error: 'no answer within 300 ms' });
    } finally {
      await r.close();
    }
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const target = await httpReceiver((_req, res) => res.writeHead(204).end());
    const r = await httpReceiver((_req, res) => res.writeHead(302, { Location: url(target.port) }).end());
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: false, status: 302, error: 'receiver answered 302' });
      assert.equal(target.seen.length, 0);
    } finally {
      await r.close();
      await target.close();
    }
  });

  it('fails an attempt answered 4xx or 5xx, with its status', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(r.seen.length === 1 ? 410 : 503).end('no'));
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: false, status: 410, error: 'receiver answered 410' });
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000), { ok: false, status: 503, error: 'receiver answered 503' });
    } finally {
      await r.close();
    }
  });

  it('fails an attempt to a receiver that is not listening, naming the error', async () => {
    const r = await rawReceiver(() => {});
    await r.close();
    const o = await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000);
    assert.equal(o.ok, false);
    assert.match(o.ok ? '' : o.error, /ECONNREFUSED/);
  });

  it('fails an attempt to a URL that is not http(s), without sending', async () => {
    const o = await post('ftp://127.0.0.1/x', 'd-1', 'device.inform', BODY, SECRET, 5000);
    assert.deepEqual(o, { ok: false, status: null, error: 'not an http or https URL: ftp://127.0.0.1/x' });
  });

  it('does not reuse a connection past the receiver\'s Keep-Alive timeout (less a second), and reuses it within', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(204, { 'Keep-Alive': 'timeout=2' }).end());
    try {
      for (let i = 0; i < 3; i++) assert.equal((await post(url(r.port), `d-${i}`, 'device.inform', BODY, SECRET, 5000)).ok, true);
      assert.equal(r.state.connections, 1);
      await new Promise((resolve) => setTimeout(resolve, 1300));
      assert.equal(r.state.open, 0, 'the idle connection is closed by the client after 1 s');
      assert.equal((await post(url(r.port), 'd-3', 'device.inform', BODY, SECRET, 5000)).ok, true);
      assert.equal(r.state.connections, 2);
    } finally {
      await r.close();
    }
  });

  it('does not send on a connection closed for idleness but not yet gone: a POST at that moment takes a new one', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(204, { 'Keep-Alive': 'timeout=2' }).end());
    try {
      assert.equal((await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000)).ok, true);
      // The same 1 s as the connection's idle timer, set in the same turn: it runs right after the timer closed it.
      const o = await new Promise((resolve) => setTimeout(() => resolve(post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000)), 1000));
      assert.deepEqual(o, { ok: true, status: 204 });
      assert.equal(r.state.connections, 2);
    } finally {
      await r.close();
    }
  });

  it('does not reuse a connection whose receiver says its keep-alive is a second or less', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(204, { 'Keep-Alive': 'timeout=1' }).end());
    try {
      for (let i = 0; i < 3; i++) assert.equal((await post(url(r.port), `d-${i}`, 'device.inform', BODY, SECRET, 5000)).ok, true);
      assert.equal(r.state.connections, 3);
    } finally {
      await r.close();
    }
  });

  it('reads an answer that comes a byte at a time', async () => {
    const answer = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nokay\r\n0\r\n\r\n';
    const r = await rawReceiver((socket) => {
      socket.setNoDelay(true);
      let at = 0;
      const next = () => at < answer.length && socket.write(answer[at++], () => setImmediate(next));
      next();
    });
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 200 });
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 200 });
      assert.equal(r.requests(), 2);
    } finally {
      await r.close();
    }
  });

  it('does not send on a connection that got bytes past its answer: the next POST opens another', async () => {
    const connections = new Set<net.Socket>();
    const r = await rawReceiver((socket) => {
      connections.add(socket);
      socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      setTimeout(() => socket.writable && socket.write('HTTP/1.1 204 No Content\r\n\r\n'), 50);
    });
    try {
      assert.deepEqual(await post(url(r.port), 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 204 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.deepEqual(await post(url(r.port), 'd-2', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 204 });
      assert.equal(connections.size, 2);
    } finally {
      await r.close();
    }
  });

  it('delivers to a receiver on an IPv6 address', async () => {
    const server = net.createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 204 No Content\r\n\r\n')));
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      assert.deepEqual(await post(`http://[::1]:${port}/hook`, 'd-1', 'device.inform', BODY, SECRET, 5000), { ok: true, status: 204 });
    } finally {
      await closeServer(server);
    }
  });

  it('does not keep a process alive with its idle connections', async () => {
    const r = await httpReceiver((_req, res) => res.writeHead(204).end());
    try {
      const script = `const { post } = require(${JSON.stringify(path.resolve(__dirname, '../../src/webhooks/post.ts'))});
        post(${JSON.stringify(url(r.port))}, 'd-1', 'device.inform', '{}', ${JSON.stringify(SECRET)}, 5000).then((o) => console.log(JSON.stringify(o)));`;
      // The time from the answer's line to the exit: with the idle connection holding it, 4 s (its idle time).
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script]);
      let [stdout, answeredAt] = ['', 0];
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        answeredAt ||= Date.now();
      });
      const exited = await new Promise<number>((resolve) => child.on('exit', () => resolve(Date.now())));
      assert.deepEqual(JSON.parse(stdout), { ok: true, status: 204 });
      assert.equal(r.state.connections, 1);
      assert.ok(exited - answeredAt < 3000, `exited ${exited - answeredAt} ms after its answer`);
    } finally {
      await r.close();
    }
  });

  describe('pipelining (RFC 9112 §9.3.2)', () => {
    /** A POST alone first: a connection carries several only once its receiver answered on it, in HTTP/1.1 and fast. */
    const warm = async (port: number) => assert.equal((await post(url(port), 'warm', 'device.inform', BODY, SECRET, 5000)).ok, true);
    const many = (port: number, n: number, pipeline?: number) =>
      Promise.all(Array.from({ length: n }, (_x, i) => post(url(port), `d-${i}`, 'device.inform', BODY, SECRET, 5000, pipeline)));

    it('sends POSTs started together on one connection to a receiver that answered fast, each answer matched to its POST', async () => {
      const r = await httpReceiver((req, res) => res.writeHead(Number(String(req.headers['x-acs-delivery']).split('-')[1]) % 3 === 1 ? 503 : 204).end());
      try {
        await warm(r.port);
        const outcomes = await many(r.port, 12);
        assert.deepEqual(outcomes.map((o) => o.status), [204, 503, 204, 204, 503, 204, 204, 503, 204, 204, 503, 204]);
        assert.deepEqual(r.seen.map((x) => x.headers['x-acs-delivery']), ['warm', ...Array.from({ length: 12 }, (_x, i) => `d-${i}`)]);
        assert.equal(r.state.connections, 1);
      } finally {
        await r.close();
      }
    });

    it('carries no more than `pipeline` POSTs on a connection at once, and one at a time with 1', async () => {
      // 4: four on the warm connection, the other 8 alone on new ones (a new connection carries one until it is answered).
      for (const [pipeline, connections] of [[4, 9], [1, 12]]) {
        const r = await httpReceiver((_req, res) => res.writeHead(204).end());
        try {
          await warm(r.port);
          assert.equal((await many(r.port, 12, pipeline)).filter((o) => o.ok).length, 12);
          assert.equal(r.state.connections, connections, `pipeline ${pipeline}`);
        } finally {
          await r.close();
        }
      }
    });

    it('does not pipeline to a receiver that took longer than 10 ms to answer', async () => {
      const r = await httpReceiver((_req, res) => setTimeout(() => res.writeHead(204).end(), 40));
      try {
        await warm(r.port);
        assert.equal((await many(r.port, 6)).filter((o) => o.ok).length, 6);
        assert.equal(r.state.connections, 6);
      } finally {
        await r.close();
      }
    });

    it('does not pipeline to an HTTP/1.0 receiver, even one that keeps its connections', async () => {
      const sockets = new Set<net.Socket>();
      const r = await rawReceiver((socket) => {
        sockets.add(socket);
        socket.write('HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n');
      });
      try {
        await warm(r.port);
        assert.equal((await many(r.port, 5)).filter((o) => o.ok).length, 5);
        assert.equal(sockets.size, 5);
      } finally {
        await r.close();
      }
    });

    it('sends the POSTs behind an answer that closes the connection again on other connections, and delivers them', async () => {
      const first = { socket: null as net.Socket | null, ids: [] as string[] };
      const later: string[] = [];
      const r = await rawReceiver((socket, _n, id) => {
        first.socket ??= socket;
        if (socket !== first.socket) {
          later.push(id);
          return void socket.write('HTTP/1.1 204 No Content\r\n\r\n');
        }
        first.ids.push(id);
        // The warm-up kept alive; the next answered with close, and nothing after it.
        if (first.ids.length === 1) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
        else if (first.ids.length === 2) socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
      });
      try {
        await warm(r.port);
        const outcomes = await many(r.port, 5);
        assert.deepEqual(outcomes.map((o) => o.ok), [true, true, true, true, true]);
        assert.deepEqual(first.ids.slice(0, 2), ['warm', 'd-0']);
        assert.ok(first.ids.length > 2, 'the others were pipelined behind d-0');
        assert.deepEqual([...later].sort(), ['d-1', 'd-2', 'd-3', 'd-4']);
      } finally {
        await r.close();
      }
    });

    it('times out a pipelined POST without failing the one behind it: that one goes on another connection', async () => {
      const first = { socket: null as net.Socket | null, ids: [] as string[] };
      const later: string[] = [];
      const r = await rawReceiver((socket, _n, id) => {
        first.socket ??= socket;
        if (socket === first.socket) {
          // The warm-up answered; nothing after it on this connection.
          if (first.ids.push(id) === 1) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
        } else {
          later.push(id);
          socket.write('HTTP/1.1 204 No Content\r\n\r\n');
        }
      });
      try {
        await warm(r.port);
        const [a, b] = await Promise.all([post(url(r.port), 'a', 'device.inform', BODY, SECRET, 300), post(url(r.port), 'b', 'device.inform', BODY, SECRET, 5000)]);
        assert.deepEqual(a, { ok: false, status: null, error: 'no answer within 300 ms' });
        assert.deepEqual(b, { ok: true, status: 204 });
        assert.deepEqual(first.ids, ['warm', 'a', 'b']);
        assert.deepEqual(later, ['b']);
      } finally {
        await r.close();
      }
    });

    it('fails, not sends a third time, a POST whose second connection also closed before its answer', async () => {
      // Every connection: its first request answered, no later one; closed once two are waiting.
      const waiting = new Map<net.Socket, number>();
      const seen: string[] = [];
      const r = await rawReceiver((socket, _n, id) => {
        seen.push(id);
        const n = waiting.get(socket);
        if (n === undefined) {
          waiting.set(socket, 0);
          return void socket.write('HTTP/1.1 204 No Content\r\n\r\n');
        }
        waiting.set(socket, n + 1);
        if (n + 1 === 2) socket.destroy();
      });
      const burst = (prefix: string) => Promise.all([0, 1, 2].map((i) => post(url(r.port), `${prefix}${i}`, 'device.inform', BODY, SECRET, 5000)));
      try {
        await warm(r.port);
        // p0 fails with its connection; p1 and p2, behind it, go on two new ones (alone: not known fast yet) and are answered.
        assert.deepEqual((await burst('p')).map((o) => o.ok), [false, true, true]);
        // q0 fails likewise; q1 and q2 go on the other connection, q2 behind q1, and it closes too: q2 is not sent a third time.
        const q = await burst('q');
        assert.deepEqual(q.map((o) => o.ok), [false, false, false]);
        assert.match(String(!q[2].ok && q[2].error), /other side closed/);
        assert.equal(seen.filter((id) => id === 'q2').length, 2);
      } finally {
        await r.close();
      }
    });
  });

  describe('https', () => {
    const tls = { key: readFileSync(path.join(fixtures, 'receiver-key.pem')), cert: readFileSync(path.join(fixtures, 'receiver-cert.pem')) };

    it('refuses a receiver whose certificate it does not trust (self-signed), saying why', async () => {
      const r = await httpReceiver((_req, res) => res.writeHead(204).end(), https.createServer(tls));
      try {
        const o = await post(url(r.port, 'https'), 'd-1', 'device.inform', BODY, SECRET, 5000);
        assert.equal(o.ok, false);
        assert.match(o.ok ? '' : o.error, /self[- ]signed/i);
        assert.equal(r.seen.length, 0);
      } finally {
        await r.close();
      }
    });

    it('delivers to a receiver whose certificate is trusted (NODE_EXTRA_CA_CERTS), over kept-alive connections', async () => {
      const r = await httpReceiver((_req, res) => res.writeHead(204).end(), https.createServer(tls));
      try {
        // The extra CA is read at a process's start: the POSTs go from a process of their own.
        const script = `const { post } = require(${JSON.stringify(path.resolve(__dirname, '../../src/webhooks/post.ts'))});
          (async () => { const out = []; for (let i = 0; i < 3; i++) out.push(await post(${JSON.stringify(url(r.port, 'https'))}, 'd-' + i, 'device.inform', ${JSON.stringify(BODY)}, ${JSON.stringify(SECRET)}, 5000));
          console.log(JSON.stringify(out)); process.exit(0); })();`;
        const env = { ...process.env, NODE_EXTRA_CA_CERTS: path.join(fixtures, 'receiver-cert.pem') };
        const stdout = await new Promise<string>((resolve, reject) =>
          execFile(process.execPath, ['--require', 'tsx/cjs', '-e', script], { env, timeout: 15_000 }, (err, out) => (err ? reject(err) : resolve(out))),
        );
        assert.deepEqual(JSON.parse(stdout), [0, 1, 2].map(() => ({ ok: true, status: 204 })));
        assert.equal(r.seen.length, 3);
        assert.ok(verifySignature(SECRET, BODY, String(r.seen[2].headers['x-acs-signature'])));
        assert.ok(r.state.connections <= 2, `${r.state.connections} connections`);
      } finally {
        await r.close();
      }
    });
  });
});
