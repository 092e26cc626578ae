/**
 * GenieACS's /files over our file store (src/files): PUT /files/:name with
 * the file as the body and its metadata in the headers GenieACS names
 * (fileType, oui, productClass, version); GET /files/?query= lists
 * GenieACS's documents (`_id` and `filename` the name, length, md5,
 * uploadDate, metadata); GET /files/:name downloads; DELETE removes.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../../errors';
import type { FileService, StoredFile } from '../../files';
import { sendFile } from '../../files/send';
import { checkName } from '../../files/validate';
import { apiRouter, defineRoute } from '../api/route';
import { docQueryOf, type Doc } from './doc-query';

const PAGE = 1000;
const nameParams = z.object({ name: z.string() });
const meta = z.string().optional();

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

function notFound(name: string): never {
  throw new AcsError('ACS_ERR_NOT_FOUND', `no file named ${name}`);
}

export function fileRoutes(files: FileService): Router {
  const { maxBytes } = files.options;
  return apiRouter([
    defineRoute({
      method: 'put',
      path: '/files/:name',
      summary: 'Store a file (GenieACS metadata headers)',
      params: nameParams,
      headers: z.object({ fileType: meta, oui: meta, productClass: meta, version: meta }),
      streamBody: 'application/octet-stream',
      responses: { 200: 'stored', 413: 'larger than the limit' },
      handle: async (ctx, { params, headers }) => {
        const name = checkName(params.name);
        if (ctx.request.length > maxBytes) throw new AcsError('ACS_ERR_BODY_TOO_LARGE', `file is larger than the limit of ${maxBytes} bytes`);
        try {
          await files.store.putFile(name, ctx.req, headers, { limitBytes: maxBytes });
        } catch (err) {
          ctx.set('Connection', 'close'); // refused before the whole body was read: close rather than read the rest
          throw err;
        }
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
    defineRoute({
      method: 'get',
      path: '/files/:name',
      summary: 'Download a file',
      params: nameParams,
      responses: { 200: 'the file', 404: 'no such file' },
      handle: async (ctx, { params }) => {
        const name = checkName(params.name);
        if (!(await sendFile(ctx, files.store, name))) notFound(name);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/files/:name',
      summary: 'Delete a file',
      params: nameParams,
      responses: { 200: 'deleted', 404: 'no such file' },
      handle: async (ctx, { params }) => {
        const name = checkName(params.name);
        if (!(await files.store.deleteFile(name))) notFound(name);
        ctx.status = 200;
      },
    }),
  ]);
}
