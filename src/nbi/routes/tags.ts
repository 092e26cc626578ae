/**
 * Tags and CPE credentials from the REST API:
 * - POST / DELETE /devices/:id/tags/:tag: one device (GenieACS's routes);
 * - POST / DELETE /tags/:tag?q=|query=: every device a search matches, page
 *   by page (one statement per page), answering how many matched and changed;
 * - PUT / DELETE /devices/:id/cpe-credentials: the username and password the
 *   CPE must present (otherwise CWMP_USERNAME/CWMP_PASSWORD or none).
 * A device that never informed gets a bare row (zero touch: tag it, give it
 * credentials, before it is plugged in).
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { streamDevices } from '../../db/device-query';
import { tagMany } from '../../db/tags';
import type { DeviceStore } from '../../db/types';
import { badRequest } from '../../errors';
import { apiRouter, defineRoute, type ApiRoute } from '../api/route';
import { deviceId } from '../api/schemas';
import { compiledSearchOf, searchQuery } from '../search';

const CREDENTIAL_MAX = 255;

const tag = z.string().min(1).max(255).meta({ example: 'lab' });

const search = z.object(searchQuery);

const credentials = z
  .object({ username: z.string().min(1).max(CREDENTIAL_MAX), password: z.string().max(CREDENTIAL_MAX) })
  .meta({ example: { username: 'cpe', password: 'secret' } });

function tagRoutesOf(store: DeviceStore, method: 'post' | 'delete', statementMs: number): ApiRoute[] {
  const add = method === 'post';
  return [
    defineRoute({
      method,
      path: '/devices/:id/tags/:tag',
      summary: add ? 'Tag a device' : 'Untag a device',
      params: z.object({ id: deviceId, tag }),
      responses: { 204: add ? 'tagged' : 'untagged' },
      handle: async (ctx, { params }) => {
        await store.setTags(params.id, add ? [params.tag] : [], add ? [] : [params.tag]);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method,
      path: '/tags/:tag',
      summary: add ? 'Tag every device a search matches' : 'Untag every device a search matches',
      params: z.object({ tag }),
      query: search,
      responses: { 200: '{matched, changed}: devices the search matched, and those whose tags changed' },
      handle: async (ctx, { params, query }) => {
        if (query.q === undefined && query.query === undefined) badRequest('a bulk tag change needs q= or query= (q=TRUE for every device)');
        let matched = 0;
        let changed = 0;
        for await (const page of streamDevices(store.sql, compiledSearchOf(query, statementMs))) {
          matched += page.length;
          changed += await store.sql.autocommit((db) => tagMany(db, page, params.tag, add));
        }
        ctx.body = { matched, changed };
      },
    }),
  ];
}

/** `statementMs`: SEARCH_STATEMENT_MS, each search SELECT's bound (the bulk changes). */
export function tagRoutes(store: DeviceStore, statementMs: number): Router {
  return apiRouter([
    ...tagRoutesOf(store, 'post', statementMs),
    ...tagRoutesOf(store, 'delete', statementMs),
    defineRoute({
      method: 'put',
      path: '/devices/:id/cpe-credentials',
      summary: 'Set the credentials the CPE must present',
      params: z.object({ id: deviceId }),
      body: credentials,
      responses: { 204: 'stored' },
      handle: async (ctx, { params, body }) => {
        await store.setCpeCredentials(params.id, body);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/devices/:id/cpe-credentials',
      summary: 'Forget the CPE\'s own credentials (the configured ones apply)',
      params: z.object({ id: deviceId }),
      responses: { 204: 'forgotten' },
      handle: async (ctx, { params }) => {
        await store.setCpeCredentials(params.id, null);
        ctx.status = 204;
      },
    }),
  ]);
}
