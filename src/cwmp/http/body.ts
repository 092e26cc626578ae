import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { AcsError } from '../../errors';

/**
 * Reads a CWMP request body: chunked or not, gzip/deflate or identity,
 * UTF-8, ISO-8859-1, windows-1252 or US-ASCII. The limit applies to the
 * compressed and the decompressed size alike, so a small gzip bomb is
 * refused too. Bytes that are invalid in the body's charset refuse the body:
 * replacing them would store text the CPE never sent (even in a device id).
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const raw = await readRawBody(req, limitBytes);
  const bytes = await decompress(raw, String(req.headers['content-encoding'] ?? 'identity'), limitBytes);
  return decodeText(bytes, String(req.headers['content-type'] ?? ''));
}

function tooLarge(limitBytes: number, setting = 'CWMP_MAX_BODY'): AcsError {
  return new AcsError('ACS_ERR_BODY_TOO_LARGE', `body larger than ${limitBytes} bytes (${setting})`);
}

/** A request's bytes as sent (still compressed), refused past `limitBytes` (the setting that sets it named in the error). */
export function readRawBody(req: IncomingMessage, limitBytes: number, setting?: string): Promise<Buffer> {
  if (Number(req.headers['content-length']) > limitBytes) return Promise.reject(tooLarge(limitBytes, setting));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limitBytes, setting));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (err) => reject(new AcsError('ACS_ERR_BAD_BODY', `body could not be read: ${err.message}`)));
  });
}

async function decompress(raw: Buffer, encoding: string, limitBytes: number): Promise<Buffer> {
  const enc = encoding.trim().toLowerCase();
  if (enc === '' || enc === 'identity' || raw.length === 0) return raw;
  const opts = { maxOutputLength: limitBytes };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return zlib.gunzipSync(raw, opts);
    // "deflate" should be zlib-wrapped, but some CPEs send raw deflate.
    if (enc === 'deflate') return raw[0] === 0x78 ? zlib.inflateSync(raw, opts) : zlib.inflateRawSync(raw, opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limitBytes);
    throw new AcsError('ACS_ERR_BAD_BODY', `${enc} body could not be decompressed: ${(err as Error).message}`);
  }
  throw new AcsError('ACS_ERR_BAD_ENCODING', `unsupported Content-Encoding "${encoding}" (use gzip, deflate or none)`);
}

type Charset = 'utf-8' | 'iso-8859-1' | 'windows-1252' | 'us-ascii';

const CHARSETS: readonly [RegExp, Charset][] = [
  [/^utf-?8$/i, 'utf-8'],
  [/^(iso-?8859-1|latin-?1)$/i, 'iso-8859-1'],
  [/^(windows-1252|cp1252)$/i, 'windows-1252'],
  [/^(us-ascii|ascii)$/i, 'us-ascii'],
];

/**
 * What windows-1252 means by 0x80-0x9F (the rest is ISO-8859-1), as WHATWG
 * maps it: the five unassigned bytes stay C1 controls. Node's TextDecoder
 * reads these bytes as ISO-8859-1, which would turn "€" into U+0080.
 */
const CP1252_80_9F =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

function charsetOf(contentType: string, bytes: Buffer): string {
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  if (fromHeader) return fromHeader;
  // No charset in the header: the XML declaration may name one.
  const head = bytes.subarray(0, 200).toString('latin1');
  return /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)/i.exec(head)?.[1] ?? 'utf-8';
}

function decodeText(bytes: Buffer, contentType: string): string {
  const label = charsetOf(contentType, bytes);
  const charset = CHARSETS.find(([re]) => re.test(label))?.[1];
  if (!charset) throw new AcsError('ACS_ERR_BAD_ENCODING', `unsupported charset "${label}" (use UTF-8 or ISO-8859-1)`);
  // Every byte is a character in ISO-8859-1 and in windows-1252.
  if (charset === 'iso-8859-1') return bytes.toString('latin1');
  if (charset === 'windows-1252') return bytes.toString('latin1').replace(/[\x80-\x9f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80]);
  if (charset === 'utf-8') return utf8Text(bytes);
  const bad = bytes.findIndex((b) => b > 0x7f);
  if (bad >= 0) throw notText(bytes, bad, charset);
  return bytes.toString('latin1');
}

/** UTF-8 bytes as text; invalid ones refuse the body. A U+FFFD the CPE did send (EF BF BD) is text like any other. */
function utf8Text(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  let offset = 0;
  let from = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
    // Everything before this replacement character was valid, so it re-encodes to the same bytes.
    offset += Buffer.byteLength(text.slice(from, i));
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) throw notText(bytes, offset, 'utf-8');
    offset += 3;
    from = i + 1;
  }
  return text;
}

function notText(bytes: Buffer, offset: number, charset: Charset): AcsError {
  const hex = bytes.subarray(offset, offset + 4).toString('hex').replace(/../g, '$& ').trim();
  return new AcsError('ACS_ERR_BAD_BODY', `body is not valid ${charset.toUpperCase()}: bytes ${hex} at offset ${offset}`);
}
