import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { AcsError } from '../../errors';

/**
 * Reads a CWMP request body: chunked or not, gzip/deflate or identity,
 * UTF-8 or ISO-8859-1. The limit applies to the compressed and the
 * decompressed size alike, so a small gzip bomb is refused too.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes) throw tooLarge(limitBytes);
  const raw = await collect(req, limitBytes);
  const bytes = await decompress(raw, String(req.headers['content-encoding'] ?? 'identity'), limitBytes);
  return decodeText(bytes, String(req.headers['content-type'] ?? ''));
}

function tooLarge(limitBytes: number): AcsError {
  return new AcsError('ACS_ERR_BODY_TOO_LARGE', `body larger than ${limitBytes} bytes (CWMP_MAX_BODY)`);
}

function collect(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limitBytes));
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

const latin1Names = /^(iso-8859-1|iso8859-1|latin1|latin-1|us-ascii|ascii|windows-1252|cp1252)$/i;

function charsetOf(contentType: string, bytes: Buffer): string {
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  if (fromHeader) return fromHeader;
  // No charset in the header: the XML declaration may name one.
  const head = bytes.subarray(0, 200).toString('latin1');
  return /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)/i.exec(head)?.[1] ?? 'utf-8';
}

function decodeText(bytes: Buffer, contentType: string): string {
  const charset = charsetOf(contentType, bytes);
  if (latin1Names.test(charset)) return bytes.toString('latin1');
  if (/^utf-?8$/i.test(charset)) return bytes.toString('utf8');
  throw new AcsError('ACS_ERR_BAD_ENCODING', `unsupported charset "${charset}" (use UTF-8 or ISO-8859-1)`);
}
