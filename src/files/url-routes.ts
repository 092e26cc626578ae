/**
 * GET /files/:name/url: the URL of a stored file that a CPE is given in a
 * Download RPC, i.e. the `url` argument of workflows that download a file
 * (firmware-upgrade). Before this route only the server's configuration
 * (FS_URL, or the host name and FS_PORT) said it, so a script or the web UI
 * had to be told the file server's address. The URL is the unsigned one: with
 * FS_ACCESS=device the ACS signs it for the device when it sends the RPC
 * (access.ts), so it is no secret and downloads nothing by itself.
 */
import type Router from '@koa/router';
import { AcsError } from '../errors';
import { apiRouter, defineRoute } from '../nbi/api/route';
import { nameParams } from './routes';
import type { FileService } from './service';

export function fileUrlRoutes(files: Pick<FileService, 'store' | 'fileUrl'>): Router {
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/files/:name/url',
      summary: 'The URL a CPE downloads a file from',
      description: 'The file server URL of the file, as a Download RPC carries it before the ACS signs it for the device (FS_ACCESS=device): the `url` of a firmware-upgrade workflow.',
      params: nameParams,
      responses: { 200: '{ name, url }', 404: 'no file of that name' },
      handle: async (ctx, { params: { name } }) => {
        // getFile opens no content stream: it fixes which content a read would get, nothing more.
        if ((await files.store.getFile(name)) === null) throw new AcsError('ACS_ERR_NOT_FOUND', `no file named ${name}`);
        ctx.body = { name, url: files.fileUrl(name) };
      },
    }),
  ]);
}
