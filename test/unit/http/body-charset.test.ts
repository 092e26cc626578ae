import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { readBody } from '../../../src/cwmp/http/body';
import { CAPTURES, listCaptures } from '../soap/helpers';

/** A request carrying `bytes` with these headers, as readBody sees one. */
function request(bytes: Buffer, headers: Record<string, string>): IncomingMessage {
  const stream = new PassThrough();
  stream.end(bytes);
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

const read = (bytes: Buffer, contentType: string): Promise<string> => readBody(request(bytes, { 'content-type': contentType }), 1 << 20);
const bytesOf = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('http body: charsets keep the bytes\' meaning or refuse them', function () {
  it('refuses bytes that are not UTF-8 (declared or assumed), naming them and their offset', async () => {
    const cases: [Buffer, string][] = [
      [bytesOf('<a>SN', [0xff], '</a>'), 'ff 3c 2f 61 at offset 5'],
      [bytesOf('<a>é', [0xc3], '</a>'), 'c3 3c 2f 61 at offset 5'], // a truncated sequence
      [bytesOf('<a>', [0xc0, 0xaf], '</a>'), 'c0 af 3c 2f at offset 3'], // overlong "/"
      [bytesOf('<a>', [0xed, 0xa0, 0x80], '</a>'), 'ed a0 80 3c at offset 3'], // a UTF-16 surrogate
    ];
    for (const [bytes, where] of cases) {
      for (const type of ['text/xml; charset="utf-8"', 'text/xml']) {
        await assert.rejects(read(bytes, type), { code: 'ACS_ERR_BAD_BODY', status: 400, message: `body is not valid UTF-8: bytes ${where}` });
      }
    }
  });

  it('finds the bad byte after a U+FFFD the CPE did send, which is kept as text', async () => {
    assert.equal(await read(bytesOf('<a>\uFFFD€</a>'), 'text/xml'), '<a>\uFFFD€</a>');
    await assert.rejects(read(bytesOf('<a>\uFFFDé', [0x80], '</a>'), 'text/xml'), { message: 'body is not valid UTF-8: bytes 80 3c 2f 61 at offset 8' });
  });

  it('reads ISO-8859-1 and windows-1252 by their own tables, and refuses non-ASCII bytes in US-ASCII', async () => {
    const high = Buffer.from([0x80, 0x8d, 0x9f, 0xe9]);
    assert.equal(await read(high, 'text/xml; charset=ISO-8859-1'), '\u0080\u008d\u009fé');
    assert.equal(await read(high, 'text/xml; charset=windows-1252'), '€\u008dŸé');
    assert.equal(await read(bytesOf('<a>ok</a>'), 'text/xml; charset=us-ascii'), '<a>ok</a>');
    await assert.rejects(read(high, 'text/xml; charset=us-ascii'), { code: 'ACS_ERR_BAD_BODY', message: 'body is not valid US-ASCII: bytes 80 8d 9f e9 at offset 0' });
    await assert.rejects(read(high, 'text/xml; charset=koi8-r'), { code: 'ACS_ERR_BAD_ENCODING' });
  });

  it('reads every real CPE capture (its charset from Content-Type or the XML declaration)', async () => {
    const files = listCaptures().filter((f) => f.endsWith('.xml') || f.endsWith('.http'));
    assert.ok(files.length > 10);
    for (const file of files) {
      const raw = readFileSync(join(CAPTURES, file));
      const blank = file.endsWith('.http') ? /\r?\n\r?\n/.exec(raw.toString('latin1')) : null;
      assert.ok(blank || !file.endsWith('.http'), `${file}: no blank line after the HTTP headers`);
      const head = blank ? raw.subarray(0, blank.index).toString('latin1') : '';
      const body = blank ? raw.subarray(blank.index + blank[0].length) : raw;
      const type = /^content-type:\s*(.*)$/im.exec(head)?.[1] ?? 'text/xml';
      assert.ok((await read(body, type)).includes('Envelope'), file);
    }
  });
});
