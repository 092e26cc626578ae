/**
 * Northbound file routes, shaped as GenieACS's: PUT /files/<name> takes the
 * raw body with the metadata in headers (fileType, oui, productClass,
 * version; sha256 or Content-Digest to have it checked), GET /files lists,
 * GET /files/<name> downloads, DELETE removes.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { AcsError } from '../errors';
import { sendFile } from './send';
import type { FileService } from './service';
import type { FileFilter, FileMeta } from './types';
import { checkName } from './validate';

const META_HEADERS = ['fileType', 'oui', 'productClass', 'version'] as const;
const FILTER_FIELDS = [...META_HEADERS, 'deviceKey'] as const;
const MAX_LIST = 1000;

/** The route's name, percent-decoded once from the raw capture (the router would keep an undecodable one as is). */
function nameParam(ctx: Context & { captures?: string[] }): string {
  try {
    return checkName(decodeURIComponent(ctx.captures?.[0] ?? ''));
  } catch (err) {
    if (err instanceof URIError) throw new AcsError('ACS_ERR_BAD_REQUEST', 'file name is not valid percent-encoding');
    throw err;
  }
}

/** Metadata headers; an empty one counts as absent (curl -H 'oui;'). */
function metaOfHeaders(ctx: Context): FileMeta {
  const meta: FileMeta = {};
  for (const header of META_HEADERS) if (ctx.get(header) !== '') meta[header] = ctx.get(header);
  return meta;
}

function filterOfQuery(ctx: Context): FileFilter & { limit: number; offset: number } {
  const filter: FileFilter & { limit: number; offset: number } = {
    limit: intQuery(ctx, 'limit', MAX_LIST, MAX_LIST),
    offset: intQuery(ctx, 'offset', 0, Number.MAX_SAFE_INTEGER),
  };
  for (const field of FILTER_FIELDS) {
    const value = ctx.query[field];
    if (Array.isArray(value)) throw new AcsError('ACS_ERR_BAD_REQUEST', `query parameter ${field} given more than once`);
    if (value !== undefined) filter[field] = value;
  }
  return filter;
}

function intQuery(ctx: Context, name: string, fallback: number, max: number): number {
  const raw = ctx.query[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new AcsError('ACS_ERR_BAD_REQUEST', `query parameter ${name} must be an integer from 0 to ${max}`);
  return n;
}

/**
 * The SHA-256 the uploader says the body has: the `sha256` metadata header
 * (hex), or RFC 9530's `Content-Digest: sha-256=:<base64>:`.
 */
function expectedSha256(ctx: Context): string | undefined {
  if (ctx.get('sha256') !== '') return ctx.get('sha256');
  const digest = ctx.get('Content-Digest');
  if (digest === '') return undefined;
  const m = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]+=*):/i.exec(digest);
  if (!m) throw new AcsError('ACS_ERR_BAD_REQUEST', 'Content-Digest has no sha-256 value (sha-256=:<base64>:)');
  return Buffer.from(m[1], 'base64').toString('hex');
}

export function fileRoutes(files: FileService): Router {
  const router = new Router();
  const { maxBytes } = files.options;
  router.put('/files/:name', async (ctx) => {
    const name = nameParam(ctx);
    if (ctx.request.length > maxBytes) throw new AcsError('ACS_ERR_BODY_TOO_LARGE', `file is larger than the limit of ${maxBytes} bytes`);
    const meta = metaOfHeaders(ctx);
    try {
      ctx.body = await files.store.putFile(name, ctx.req, meta, { limitBytes: maxBytes, sha256: expectedSha256(ctx) });
      ctx.status = 201;
    } catch (err) {
      // Refused before the whole body was read: close rather than read the rest.
      ctx.set('Connection', 'close');
      throw err;
    }
  });
  router.get('/files', async (ctx) => {
    ctx.body = await files.store.listFiles(filterOfQuery(ctx));
  });
  router.get('/files/:name', async (ctx) => {
    const name = nameParam(ctx);
    if (!(await sendFile(ctx, files.store, name))) throw new AcsError('ACS_ERR_NOT_FOUND', `no file named ${name}`);
  });
  router.delete('/files/:name', async (ctx) => {
    const name = nameParam(ctx);
    if (!(await files.store.deleteFile(name))) throw new AcsError('ACS_ERR_NOT_FOUND', `no file named ${name}`);
    ctx.status = 204;
  });
  return router;
}
