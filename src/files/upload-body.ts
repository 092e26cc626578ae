/**
 * A file arriving as an HTTP request body, whichever route takes it (the
 * NBI's PUT /files/<name>, GenieACS's PUT /files/<name>, a CPE's upload to
 * the file server): metadata and the digest to check in headers (a CPE's
 * metadata comes with its upload token), the body streamed to the store. Past FILES_MAX_BYTES
 * it is a 413 (up front when Content-Length says so, else once the stream
 * gets there); a body that does not hash to the digest given is a 400; on
 * any failure nothing is stored under the name (store.ts).
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { AcsError } from '../errors';
import type { FileService } from './service';
import type { FileMeta, StoredFile } from './types';

const metaHeader = (description: string) => z.string().optional().meta({ description });

/** What each metadata field means, for the routes that take or filter by it. */
export const META_DOC = {
  fileType: '"1 Firmware Upgrade Image", "3 Vendor Configuration File", ... (at most 64 characters)',
  oui: 'the OUI of the devices the file is for',
  productClass: 'the product class of the devices the file is for',
  version: 'the software version the file holds',
};

/** The headers an upload reads, keyed as the route schemas key them (by the header's name). */
export const uploadHeaders = z.object({
  fileType: metaHeader(META_DOC.fileType),
  oui: metaHeader(META_DOC.oui),
  productClass: metaHeader(META_DOC.productClass),
  version: metaHeader(META_DOC.version),
  sha256: metaHeader('the SHA-256 of the body as 64 hex digits: a body that does not hash to it is refused, nothing stored'),
  'Content-Digest': metaHeader('RFC 9530 sha-256=:<base64>:, checked as sha256 is'),
});

export type UploadHeaders = z.output<typeof uploadHeaders>;

/** The headers that carry a digest of the body. */
export type DigestHeaders = Pick<UploadHeaders, 'sha256' | 'Content-Digest'>;

/** The SHA-256 the uploader says the body has, as hex: the `sha256` header, or Content-Digest's sha-256. */
function expectedSha256(headers: DigestHeaders): string | undefined {
  if (headers.sha256 !== undefined) return headers.sha256;
  const digest = headers['Content-Digest'];
  if (digest === undefined) return undefined;
  const m = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]+=*):/i.exec(digest);
  if (!m) throw new AcsError('ACS_ERR_BAD_REQUEST', 'Content-Digest has no sha-256 value (sha-256=:<base64>:)');
  return Buffer.from(m[1], 'base64').toString('hex');
}

/** Stores ctx's body as `name` (replacing a file of that name) with the headers' metadata, checked against their digest. */
export function storeBody(ctx: Context, files: FileService, name: string, headers: UploadHeaders): Promise<StoredFile> {
  const { fileType, oui, productClass, version } = headers;
  return receiveBody(ctx, files, name, { fileType, oui, productClass, version }, headers);
}

/** Stores ctx's body as `name` with `meta`, checked against the digest given (none: not checked); for a route whose metadata comes from elsewhere (a CPE's upload token). */
export async function receiveBody(ctx: Context, files: FileService, name: string, meta: FileMeta, digest: DigestHeaders = {}): Promise<StoredFile> {
  const { maxBytes } = files.options;
  try {
    if (ctx.request.length > maxBytes) throw new AcsError('ACS_ERR_BODY_TOO_LARGE', `file is larger than the limit of ${maxBytes} bytes`);
    return await files.store.putFile(name, ctx.req, meta, { limitBytes: maxBytes, sha256: expectedSha256(digest) });
  } catch (err) {
    // Refused before the whole body was read: close rather than read the rest.
    ctx.set('Connection', 'close');
    throw err;
  }
}
