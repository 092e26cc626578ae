/**
 * The bytes of a bulk data report as the CPE sent them: Content-Encoding
 * undone (TR-181 HTTP.Compression: GZIP, Deflate; "Compress" is not
 * supported), within a limit on the body and on what it expands to, so a
 * small gzip bomb is refused as surely as a large body.
 */
import zlib from 'node:zlib';
import { AcsError } from '../../errors';

export interface SizeLimits {
  /** Most bytes of the body as received (compressed). */
  maxBodyBytes: number;
  /** Most bytes the body may expand to once decompressed. */
  maxDecodedBytes: number;
}

export function tooLarge(what: string, limit: number): AcsError {
  return new AcsError('ACS_ERR_BODY_TOO_LARGE', `bulk data report ${what} larger than ${limit} bytes`);
}

/** Content-Encoding may list several codings, applied in order: undo them last first. */
export function decodeContent(body: Buffer, contentEncoding: string | undefined, limits: SizeLimits): Buffer {
  if (body.length > limits.maxBodyBytes) throw tooLarge('body', limits.maxBodyBytes);
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  let bytes = body;
  for (const coding of codings.reverse()) bytes = undo(bytes, coding, limits.maxDecodedBytes);
  if (bytes.length > limits.maxDecodedBytes) throw tooLarge('decompressed body', limits.maxDecodedBytes);
  return bytes;
}

function undo(bytes: Buffer, coding: string, limit: number): Buffer {
  if (bytes.length === 0) return bytes;
  const opts = { maxOutputLength: limit };
  try {
    if (coding === 'gzip' || coding === 'x-gzip') {
      if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new AcsError('ACS_ERR_BAD_BODY', 'Content-Encoding is gzip but the body is not gzip data (no 1f 8b header)');
      return zlib.gunzipSync(bytes, opts);
    }
    // HTTP "deflate" is zlib-wrapped (RFC 9110 §8.4.1.2), but some CPEs send raw deflate.
    if (coding === 'deflate') return isZlibHeader(bytes) ? zlib.inflateSync(bytes, opts) : zlib.inflateRawSync(bytes, opts);
  } catch (err) {
    if (err instanceof AcsError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('decompressed body', limit);
    throw new AcsError('ACS_ERR_BAD_BODY', `${coding} body could not be decompressed: ${(err as Error).message}`);
  }
  throw new AcsError('ACS_ERR_BAD_ENCODING', `unsupported Content-Encoding "${coding}" (use gzip, deflate or none)`);
}

/** RFC 1950: CM 8 in the low nibble of CMF, and CMF*256+FLG a multiple of 31. */
function isZlibHeader(bytes: Buffer): boolean {
  return bytes.length >= 2 && (bytes[0] & 0x0f) === 8 && ((bytes[0] << 8) | bytes[1]) % 31 === 0;
}

/** UTF-8 text (the charset TR-069 Annex N requires), without a byte order mark; invalid bytes refuse the body. */
export function utf8Text(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AcsError('ACS_ERR_BAD_BODY', 'bulk data report is not valid UTF-8');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
