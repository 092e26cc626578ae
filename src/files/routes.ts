/**
 * Northbound file routes, shaped as GenieACS's: PUT /files/<name> takes the
 * raw body with the metadata in headers (fileType, oui, productClass,
 * version; sha256 or Content-Digest to have it checked), GET /files lists,
 * GET /files/<name> downloads, DELETE removes. The schemas say the shape;
 * names, lengths and digests are the store's checks (validate.ts, store.ts),
 * which every writer goes through; an upload is received as upload-body.ts
 * receives it for every API. The GenieACS-compatible API (nbi/genieacs/files.ts)
 * serves the same download and delete routes.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../errors';
import { apiRouter, defineRoute, type ApiRoute } from '../nbi/api/route';
import { intQuery, textQuery } from '../nbi/api/schemas';
import { sendFile } from './send';
import type { FileService } from './service';
import { META_DOC, storeBody, uploadHeaders } from './upload-body';
import { checkName } from './validate';

const MAX_LIST = 1000;

/** The file's name in the path; its rules are checkName's (its 400 words each). */
export const nameParams = z.object({ name: z.string().transform(checkName).meta({ example: 'fw-1.2.bin' }) });

const listQuery = z.object({
  fileType: textQuery.meta({ description: META_DOC.fileType }),
  oui: textQuery,
  productClass: textQuery,
  version: textQuery,
  deviceKey: textQuery.meta({ description: 'the device a CPE upload came from' }),
  limit: intQuery(0, MAX_LIST, MAX_LIST),
  offset: intQuery(0, Number.MAX_SAFE_INTEGER, 0),
});

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
        ctx.body = await storeBody(ctx, files, name, headers);
        ctx.status = 201;
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
    downloadRoute(files),
    deleteRoute(files, 204),
  ]);
}

/** GET /files/<name>, for every API that serves files: the file, as the file server serves it. */
export function downloadRoute(files: FileService): ApiRoute {
  return defineRoute({
    method: 'get',
    path: '/files/:name',
    summary: 'Download a file',
    description: 'Single ranges (206, or 416 without a body) and conditional requests (304, or 412 without a body), as the file server answers them.',
    params: nameParams,
    responses: { 200: 'the file', 206: 'the range asked for', 304: 'not modified', 404: 'no file of that name' },
    handle: async (ctx, { params: { name } }) => {
      if (!(await sendFile(ctx, files.store, name))) notFound(name);
    },
  });
}

/** DELETE /files/<name>, for every API that deletes files: `status` (no body) once deleted; downloads already streaming it finish. */
export function deleteRoute(files: FileService, status: 200 | 204): ApiRoute {
  return defineRoute({
    method: 'delete',
    path: '/files/:name',
    summary: 'Delete a file',
    params: nameParams,
    responses: { [status]: 'deleted', 404: 'no file of that name' },
    handle: async (ctx, { params: { name } }) => {
      if (!(await files.store.deleteFile(name))) notFound(name);
      ctx.status = status;
    },
  });
}
