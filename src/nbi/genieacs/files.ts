/**
 * GenieACS's /files over our file store (src/files): PUT /files/:name with
 * the file as the body and its metadata in the headers GenieACS names
 * (fileType, oui, productClass, version), received as our own API receives
 * it (upload-body.ts: the size limit; a sha256 or Content-Digest header
 * checked); GET /files/?query= lists GenieACS's documents (`_id` and
 * `filename` the name, length, md5, uploadDate, metadata); GET /files/:name
 * downloads; DELETE removes.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import type { FileService, StoredFile } from '../../files';
import { deleteRoute, downloadRoute, nameParams } from '../../files/routes';
import { storeBody, uploadHeaders } from '../../files/upload-body';
import { apiRouter, defineRoute } from '../api/route';
import { docQueryOf, type Doc } from './doc-query';

const PAGE = 1000;

export function fileDocument(f: StoredFile): Doc {
  const metadata: Doc = {};
  for (const k of ['fileType', 'oui', 'productClass', 'version'] as const) if (f[k] !== undefined) metadata[k] = f[k];
  return { _id: f.name, filename: f.name, length: f.size, md5: f.md5, uploadDate: new Date(f.uploaded).toISOString(), metadata };
}

async function allFiles(files: FileService): Promise<StoredFile[]> {
  const out: StoredFile[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await files.store.listFiles({ limit: PAGE, offset });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

export function fileRoutes(files: FileService): Router {
  return apiRouter([
    defineRoute({
      method: 'put',
      path: '/files/:name',
      summary: 'Store a file (GenieACS metadata headers)',
      params: nameParams,
      headers: uploadHeaders,
      streamBody: 'application/octet-stream',
      responses: { 200: 'stored', 400: 'a bad name or metadata, or a body that does not hash to the sha256 given', 413: 'larger than the limit' },
      handle: async (ctx, { params, headers }) => {
        await storeBody(ctx, files, params.name, headers);
        ctx.status = 200;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/files',
      summary: 'Files as GenieACS documents',
      query: z.object({ query: z.string().optional() }),
      responses: { 200: 'the files' },
      handle: async (ctx, { query }) => {
        const q = docQueryOf(query.query);
        ctx.body = (await allFiles(files)).map(fileDocument).filter(q.matches);
      },
    }),
    downloadRoute(files),
    deleteRoute(files, 200),
  ], 'ignored');
}
