/**
 * Northbound file routes, shaped as GenieACS's: PUT /files/<name> takes the
 * raw body with the metadata in headers (fileType, oui, productClass,
 * version; sha256 or Content-Digest to have it checked), GET /files lists,
 * GET /files/<name> downloads, DELETE removes. The schemas say the shape;
 * names, lengths and digests are the store's checks (validate.ts, store.ts),
 * which every writer goes through.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../errors';
import { apiRouter, defineRoute } from '../nbi/api/route';
import { intQuery, textQuery } from '../nbi/api/schemas';
import { sendFile } from './send';
import type { FileService } from './service';
import { checkName } from './validate';

const MAX_LIST = 1000;

/** The file's name in the path; its rules are checkName's (its 400 words each). */
const nameParams = z.object({ name: z.string().transform(checkName).meta({ example: 'fw-1.2.bin' }) });

const metaHeader = (description: string) => z.string().optional().meta({ description });
const META = {
  fileType: '"1 Firmware Upgrade Image", "3 Vendor Configuration File", ... (at most 64 characters)',
  oui: 'the OUI of the devices the file is for',
  productClass: 'the product class of the devices the file is for',
  version: 'the software version the file holds',
};

const uploadHeaders = z.object({
  fileType: metaHeader(META.fileType),
  oui: metaHeader(META.oui),
  productClass: metaHeader(META.productClass),
  version: metaHeader(META.version),
  sha256: metaHeader('the SHA-256 of the body as 64 hex digits: a body that does not hash to it is refused, nothing stored'),
  'Content-Digest': metaHeader('RFC 9530 sha-256=:<base64>:, checked as sha256 is'),
});

const listQuery = z.object({
  fileType: textQuery.meta({ description: META.fileType }),
  oui: textQuery,
  productClass: textQuery,
  version: textQuery,
  deviceKey: textQuery.meta({ description: 'the device a CPE upload came from' }),
  limit: intQuery(0, MAX_LIST, MAX_LIST),
  offset: intQuery(0, Number.MAX_SAFE_INTEGER, 0),
});

/** The SHA-256 the uploader says the body has, as hex: the `sha256` header, or Content-Digest's sha-256. */
function expectedSha256(headers: { sha256?: string; 'Content-Digest'?: string }): string | undefined {
  if (headers.sha256 !== undefined) return headers.sha256;
  const digest = headers['Content-Digest'];
  if (digest === undefined) return undefined;
  const m = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]+=*):/i.exec(digest);
  if (!m) throw new AcsError('ACS_ERR_BAD_REQUEST', 'Content-Digest has no sha-256 value (sha-256=:<base64>:)');
  return Buffer.from(m[1], 'base64').toString('hex');
}

function notFound(name: string): never {
  throw new AcsError('ACS_ERR_NOT_FOUND', `no file named ${name}`);
}

export function fileRoutes(files: FileService): Router {
  const { maxBytes } = files.options;
  return apiRouter([
    defineRoute({
      method: 'put',
      path: '/files/:name',
      summary: 'Store a file',
      description: `The body is the file, streamed to storage (at most ${maxBytes} bytes); its metadata in headers. Replaces a file of that name.`,
      params: nameParams,
      headers: uploadHeaders,
      streamBody: 'application/octet-stream',
      responses: { 201: 'stored: the file\'s name, metadata, size, md5 and sha256', 413: 'larger than the limit' },
      handle: async (ctx, { params: { name }, headers }) => {
        if (ctx.request.length > maxBytes) throw new AcsError('ACS_ERR_BODY_TOO_LARGE', `file is larger than the limit of ${maxBytes} bytes`);
        const { fileType, oui, productClass, version } = headers;
        try {
          ctx.body = await files.store.putFile(name, ctx.req, { fileType, oui, productClass, version }, { limitBytes: maxBytes, sha256: expectedSha256(headers) });
          ctx.status = 201;
        } catch (err) {
          // Refused before the whole body was read: close rather than read the rest.
          ctx.set('Connection', 'close');
          throw err;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/files',
      summary: 'Files, by name',
      description: 'Each filter given must match exactly.',
      query: listQuery,
      responses: { 200: 'the files: name, metadata, size, md5, sha256, uploaded' },
      handle: async (ctx, { query }) => {
        ctx.body = await files.store.listFiles(query);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/files/:name',
      summary: 'Download a file',
      description: 'Single ranges (206, or 416 without a body) and conditional requests (304, or 412 without a body), as the file server answers them.',
      params: nameParams,
      responses: { 200: 'the file', 206: 'the range asked for', 304: 'not modified', 404: 'no file of that name' },
      handle: async (ctx, { params: { name } }) => {
        if (!(await sendFile(ctx, files.store, name))) notFound(name);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/files/:name',
      summary: 'Delete a file',
      params: nameParams,
      responses: { 204: 'deleted', 404: 'no file of that name' },
      handle: async (ctx, { params: { name } }) => {
        if (!(await files.store.deleteFile(name))) notFound(name);
        ctx.status = 204;
      },
    }),
  ]);
}
