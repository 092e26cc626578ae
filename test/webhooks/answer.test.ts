/**
 * The reader of a receiver's answer (src/webhooks/answer.ts), fed whole and
 * byte by byte: where each answer ends, its status, and whether its
 * connection may carry another request.
 */
import { strict as assert } from 'node:assert';
import { AnswerError, AnswerReader, type Read } from '../../src/webhooks/answer';

/** Feeds the text in pieces of `size` bytes; returns the first done read, or the last. */
function read(text: string, size = Infinity, ended = false): Read {
  const reader = new AnswerReader();
  const bytes = Buffer.from(text, 'latin1');
  let last: Read = { done: false };
  for (let at = 0; at < bytes.length && !last.done; at += size) last = reader.feed(bytes.subarray(at, Math.min(bytes.length, at + size)));
  return ended && !last.done ? reader.end() : last;
}

function bothWays(text: string, ended = false): Read {
  const whole = read(text, Infinity, ended);
  assert.deepEqual(read(text, 1, ended), whole, 'byte by byte as whole');
  return whole;
}

const done = (status: number, reuse = true, keepAliveMs: number | null = null, http11 = true): Read => ({ done: true, status, reuse, http11, keepAliveMs });

describe('webhook answer reader', () => {
  it('reads an answer with no body (204, 304) or an empty one, and keeps the connection', () => {
    assert.deepEqual(bothWays('HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n'), done(204));
    assert.deepEqual(bothWays('HTTP/1.1 304 Not Modified\r\n\r\n'), done(304));
    assert.deepEqual(bothWays('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), done(200));
  });

  it('reads a body to its Content-Length, and not before', () => {
    assert.deepEqual(bothWays('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello'), done(200));
    assert.deepEqual(read('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello'), { done: false });
  });

  it('reads a chunked body with extensions and trailers to its end', () => {
    const text = 'HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
    assert.deepEqual(bothWays(text), done(202));
    assert.deepEqual(read(text.slice(0, -2)), { done: false });
  });

  it('skips 1xx answers (100, 103) and takes the final one', () => {
    assert.deepEqual(bothWays('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok'), done(201));
  });

  it('takes lines ended by LF alone, and blank lines before the status line', () => {
    assert.deepEqual(bothWays('\r\nHTTP/1.1 204 No Content\nServer: s\n\n'), done(204));
  });

  it('gives the receiver\'s Keep-Alive timeout, in ms', () => {
    assert.deepEqual(bothWays('HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5, max=100\r\n\r\n'), done(204, true, 5000));
  });

  it('does not keep a connection the answer closes, or one that is not HTTP/1.1 without asking', () => {
    assert.deepEqual(bothWays('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'), done(200, false));
    assert.deepEqual(bothWays('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'), done(200, false, null, false));
    assert.deepEqual(bothWays('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok'), done(200, true, null, false));
  });

  it('reads a body without a length up to the connection\'s end, and does not keep it', () => {
    assert.deepEqual(read('HTTP/1.1 200 OK\r\n\r\nall of it'), { done: false });
    assert.deepEqual(bothWays('HTTP/1.1 200 OK\r\n\r\nall of it', true), done(200, false));
    assert.deepEqual(bothWays('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz', true), done(200, false));
  });

  it('lets Transfer-Encoding rule over Content-Length, and does not keep that connection', () => {
    assert.deepEqual(bothWays('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'), done(200, false));
  });

  it('stops at the answer\'s end, leaving the bytes after it (the next answer on a pipelined connection) unread', () => {
    const first = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const bytes = Buffer.from(`${first}HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n`, 'latin1');
    const reader = new AnswerReader();
    assert.deepEqual(reader.feed(bytes), done(200));
    assert.equal(reader.stoppedAt, first.length);
    const next = new AnswerReader();
    assert.deepEqual(next.feed(bytes, reader.stoppedAt), done(503));
    assert.equal(next.stoppedAt, bytes.length);
  });

  it('takes a Content-Length repeated with one value', () => {
    assert.deepEqual(bothWays('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok'), done(200));
  });

  for (const [what, text, message] of [
    ['not HTTP', 'this is not HTTP\r\n\r\n', /not an HTTP\/1\.1 answer: "this is not HTTP"/],
    ['HTTP/2 bytes', 'PRI * HTTP/2.0\r\n\r\n', /not an HTTP\/1\.1 answer/],
    ['differing Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n', /a bad Content-Length: "3"/],
    ['a Content-Length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /a bad Content-Length/],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /a bad header line: "no colon here"/],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /a bad chunk size: "zz"/],
    ['a chunk longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokay\r\n', /a chunk not followed by CRLF/],
    ['a 101 not asked for', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', /101 Switching Protocols, unasked/],
    ['a head over 16 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, /the answer's head is over 16384 bytes/],
    ['many short header lines over 16 KiB', `HTTP/1.1 200 OK\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`, /the answer's head is over 16384 bytes/],
    ['a chunk size line over 4 KiB', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(5000)}`, /a chunk size or trailer line over 4096 bytes/],
  ] as const) {
    it(`refuses ${what}`, () => {
      for (const size of [Infinity, 1]) assert.throws(() => read(text, size), (err: Error) => err instanceof AnswerError && message.test(err.message));
    });
  }

  it('refuses a status line that is not HTTP as soon as its line is in, not at the end of a head that may never come', () => {
    assert.throws(() => new AnswerReader().feed(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n')), /not an HTTP\/1\.1 answer: "SSH-2.0-OpenSSH_9.2"/);
  });

  it('calls an answer cut short by the connection\'s end what it is, with the status it had', () => {
    const reader = new AnswerReader();
    reader.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part'));
    assert.equal(reader.finalStatus, 200);
    assert.throws(() => reader.end(), /other side closed/);
    const none = new AnswerReader();
    assert.throws(() => none.end(), /other side closed/);
    assert.equal(none.finalStatus, 0);
  });
});
